// The demo storefront origin: a real HTTP server, separate from the worker, that renders a store
// from www/catalog.json the way a typical server-rendered shop does (cacheable, unpersonalized).
//
//   node www/server.mjs [--port 8788] [--host 127.0.0.1]
//
// It prints one line `vitrine-origin listening on http://HOST:PORT` once it accepts connections
// (with --port 0 the OS picks a free port; tests read the port from that line).
//
// Node 20's standard library only, plus sql.js (SQLite compiled to WebAssembly, no native build)
// for the event collector. Its search is the search service (www/search, built with the model by
// `make setup`), started as a child process before the origin listens; SEARCH_URL points at one
// already running, SEARCH_SERVICE=off leaves the in-process keyword search alone.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { renderSvg } from './lib/images.mjs';
import * as pages from './lib/pages.mjs';
import { openSearch } from './lib/search-service.mjs';
import { openCollector } from './lib/collector.mjs';
import * as metrics from './lib/metrics.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const catalog = JSON.parse(fs.readFileSync(path.join(here, 'catalog.json'), 'utf8'));
const bySku = new Map(catalog.products.map((p) => [p.sku, p]));
const bySlug = new Map(catalog.products.map((p) => [p.slug, p]));
const PER_PAGE = 48;
let searchFault = { delay_ms: 0, fail: false, malformed: false };
let lastSearch = null;
const search = await openSearch({ root: path.join(here, '..'), catalogPath: path.join(here, 'catalog.json'), products: catalog.products });
const collector = await openCollector(process.env.COLLECTOR_DB ?? path.join(here, '..', '.tmp', 'events.sqlite'));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

// `--test-hooks` (or ORIGIN_TEST_HOOKS=1) opens /__origin/*: the search fault switch and what the
// last search request carried. Off by default: anyone could slow the store down with them.
const TEST_HOOKS = process.argv.includes('--test-hooks') || process.env.ORIGIN_TEST_HOOKS === '1';

// Cache policy of a typical storefront: pages are cacheable by URL (unpersonalized), assets long-lived.
// ORIGIN_PAGE_MAX_AGE shortens it (the browser tests revisit a page after its max-age).
const PAGE_CACHE = `public, max-age=${Number(process.env.ORIGIN_PAGE_MAX_AGE ?? 60)}, s-maxage=300`;
const ASSET_CACHE = 'public, max-age=86400, immutable';
const API_CACHE = 'public, max-age=30';

function etagOf(buf) {
  return `"${crypto.createHash('sha1').update(buf).digest('base64url').slice(0, 16)}"`;
}

// Sends a body, gzip-compressed when the client accepts it (as most origins do), with an ETag.
function send(req, res, status, headers, body) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const h = { ...headers, etag: etagOf(buf) };
  if (req.headers['if-none-match'] === h.etag && status === 200) {
    res.writeHead(304, { etag: h.etag, 'cache-control': h['cache-control'] ?? 'no-cache' });
    return res.end();
  }
  const compressible = /^(text\/|application\/(json|javascript)|image\/svg)/.test(h['content-type'] ?? '');
  const acceptsGzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  if (compressible) h.vary = 'Accept-Encoding';
  if (compressible && acceptsGzip && buf.length > 1024 && req.method !== 'HEAD') {
    const gz = zlib.gzipSync(buf);
    res.writeHead(status, { ...h, 'content-encoding': 'gzip', 'content-length': gz.length });
    return res.end(gz);
  }
  res.writeHead(status, { ...h, 'content-length': buf.length });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

function html(req, res, status, body, extra = {}) {
  send(req, res, status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': PAGE_CACHE, ...extra }, body);
}

function json(req, res, status, value, extra = {}) {
  send(req, res, status, { 'content-type': 'application/json', 'cache-control': API_CACHE, ...extra }, JSON.stringify(value));
}

function readBody(req, limit = 64 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// Form or JSON: the storefront's own forms post urlencoded, headless clients post JSON.
async function readFields(req) {
  const raw = (await readBody(req)).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    try {
      const v = JSON.parse(raw || '{}');
      return typeof v === 'object' && v !== null ? v : {};
    } catch {
      return null;
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function parseCookies(header = '') {
  const out = {};
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const raw = part.slice(i + 1).trim();
    // A stray `%` is a cookie we did not write: keep it as it came instead of failing the request.
    try {
      out[part.slice(0, i).trim()] = decodeURIComponent(raw);
    } catch {
      out[part.slice(0, i).trim()] = raw;
    }
  }
  return out;
}

function cartFrom(req) {
  const raw = parseCookies(req.headers.cookie).cart ?? '';
  return raw
    .split('.')
    .map((e) => e.split(':'))
    .filter(([sku, qty]) => bySku.has(sku) && Number(qty) > 0)
    .map(([sku, qty]) => ({ sku, qty: Math.min(99, Number(qty)) }));
}

function cartCookie(items) {
  const value = items.map((i) => `${i.sku}:${i.qty}`).join('.');
  return `cart=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${items.length ? 2592000 : 0}`;
}

function listing(category, page) {
  const items = catalog.products.filter((p) => p.category === category);
  const pages = Math.max(1, Math.ceil(items.length / PER_PAGE));
  const p = Math.min(Math.max(1, page), pages);
  return { items: items.slice((p - 1) * PER_PAGE, p * PER_PAGE), page: p, pages, total: items.length };
}

function pageNumber(url) {
  const n = Number.parseInt(url.searchParams.get('page') ?? '1', 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

// A signed-in customer's id, from the demo's session cookie. Real stores have real sessions; what
// matters here is that the origin tells the edge who is signed in (the x-customer-id header).
function customerOf(req) {
  const session = parseCookies(req.headers.cookie).session ?? '';
  const m = session.match(/^cust-([0-9a-f]{12})$/);
  return m ? m[0] : null;
}

async function handle(req, res) {
  const customer = customerOf(req);
  if (customer) res.setHeader('x-customer-id', customer);
  const url = new URL(req.url, 'http://origin.invalid');
  const p = url.pathname;
  const ctx = { catalog, cart: cartFrom(req) };
  const method = req.method === 'HEAD' ? 'GET' : req.method;

  if (method === 'GET' && p === '/') return html(req, res, 200, pages.home(ctx));

  let m;
  if (method === 'GET' && (m = p.match(/^\/c\/([a-z-]+)$/))) {
    const cat = catalog.categories.find((c) => c.key === m[1]);
    if (!cat) return html(req, res, 404, pages.notFound(ctx), { 'cache-control': 'no-cache' });
    return html(req, res, 200, pages.plp(ctx, cat, listing(cat.key, pageNumber(url))));
  }
  if (method === 'GET' && (m = p.match(/^\/p\/([a-z0-9-]+)$/))) {
    const product = bySlug.get(m[1]);
    if (!product) return html(req, res, 404, pages.notFound(ctx), { 'cache-control': 'no-cache' });
    const related = catalog.products.filter((x) => x.category === product.category && x.sku !== product.sku).slice(0, 8);
    return html(req, res, 200, pages.pdp(ctx, product, related));
  }
  if (method === 'GET' && p === '/search') {
    const q = (url.searchParams.get('q') ?? '').slice(0, 200);
    const mode = url.searchParams.get('mode') === 'keyword' ? 'keyword' : 'hybrid';
    if (mode === 'hybrid') {
      if (searchFault.delay_ms) await new Promise((r) => setTimeout(r, searchFault.delay_ms));
      if (searchFault.fail) return html(req, res, 503, pages.message(ctx, 'Search is resting', 'Please try again in a moment.'), { 'cache-control': 'no-store' });
    }
    const result = await search.search({ query: q, page: pageNumber(url), perPage: PER_PAGE, mode });
    return html(req, res, 200, pages.searchPage(ctx, q, result));
  }
  if (method === 'GET' && p === '/cart/count') {
    return json(req, res, 200, { items: ctx.cart.reduce((n, i) => n + i.qty, 0) }, { 'cache-control': 'private, no-store' });
  }
  // A listing page with broken markup (unclosed tiles, a stray end tag), for fail-open tests.
  if (method === 'GET' && p === '/c-broken') {
    const items = catalog.products.slice(0, 6);
    const body = `<section class="listing"><ul class="product-grid" data-grid="category">${items.map((x) => `<li class="product-tile" data-sku="${x.sku}" data-stock="${x.stock}"><a href="/p/${x.slug}">${pages.esc(x.title)}</a>`).join('')}</div></ul></section>`;
    return html(req, res, 200, `<!doctype html><html><head><title>Broken</title></head><body>${body}<p>end</p></body></html>`);
  }
  if (method === 'GET' && p === '/cart') return html(req, res, 200, pages.cart(ctx, bySku), { 'cache-control': 'private, no-store' });

  // JSON listing API: what a headless storefront fetches.
  if (method === 'GET' && p === '/api/products') {
    const category = url.searchParams.get('category') ?? catalog.categories[0].key;
    const l = listing(category, pageNumber(url));
    return json(req, res, 200, { category, page: l.page, pages: l.pages, total: l.total, products: l.items });
  }
  // JSON search API: the contract the worker's search path talks to (README, "Search contract").
  // GET ?q=&page=&category=&affinity_brand=&affinity_category=&mode=keyword, or POST with a JSON
  // body of the same fields. mode=keyword is the cheap keyword-only endpoint (the fallback).
  if ((method === 'GET' || method === 'POST') && p === '/api/search') {
    const q = url.searchParams;
    let request = {
      query: q.get('q') ?? '',
      page: pageNumber(url),
      filters: q.get('category') ? { category: q.get('category') } : {},
      affinities: { brands: q.getAll('affinity_brand'), categories: q.getAll('affinity_category') },
      mode: q.get('mode') === 'keyword' ? 'keyword' : 'hybrid',
    };
    if (method === 'POST') {
      const body = await readFields(req);
      if (body === null) return json(req, res, 400, { error: 'invalid json' }, { 'cache-control': 'no-store' });
      request = { ...request, ...body, query: String(body.query ?? '') };
    }
    lastSearch = { url: req.url, cookie: req.headers.cookie ?? null, headers: Object.keys(req.headers) };
    // A fault switch for tests and demos: the heavy (hybrid) path can be slowed or broken while
    // the keyword endpoint stays up, as with a real semantic-search service.
    if (request.mode !== 'keyword') {
      if (searchFault.delay_ms) await new Promise((r) => setTimeout(r, searchFault.delay_ms));
      if (searchFault.fail) return json(req, res, 503, { error: 'search unavailable' }, { 'cache-control': 'no-store' });
      if (searchFault.malformed) return send(req, res, 200, { 'content-type': 'application/json', 'cache-control': 'no-store' }, '{"hits": [oops');
    }
    const result = await search.search({
      query: String(request.query).slice(0, 200),
      page: request.page,
      perPage: PER_PAGE,
      filters: request.filters ?? {},
      affinities: request.affinities ?? {},
      mode: request.mode,
    });
    return json(req, res, 200, result.raw ?? result, method === 'POST' ? { 'cache-control': 'no-store' } : {});
  }
  // Test hooks (what the last search request carried; the fault switch): only with --test-hooks.
  if (p.startsWith('/__origin/') && !TEST_HOOKS) return html(req, res, 404, pages.notFound(ctx), { 'cache-control': 'no-cache' });
  if (method === 'GET' && p === '/__origin/last-search') return json(req, res, 200, { last: lastSearch }, { 'cache-control': 'no-store' });
  if (method === 'POST' && p === '/__origin/search-fault') {
    const body = await readFields(req);
    searchFault = { delay_ms: Number(body?.delay_ms ?? 0), fail: Boolean(body?.fail), malformed: Boolean(body?.malformed) };
    return json(req, res, 200, searchFault, { 'cache-control': 'no-store' });
  }

  if (method === 'POST' && p === '/cart/add') {
    const fields = await readFields(req);
    const sku = String(fields?.sku ?? '');
    if (!bySku.has(sku)) return json(req, res, 400, { error: 'unknown sku' }, { 'cache-control': 'no-store' });
    const qty = Math.max(1, Math.min(99, Number.parseInt(fields.qty ?? '1', 10) || 1));
    const items = ctx.cart.filter((i) => i.sku !== sku);
    items.push({ sku, qty: (ctx.cart.find((i) => i.sku === sku)?.qty ?? 0) + qty });
    const headers = { 'set-cookie': [cartCookie(items), `last_added=${sku}; Path=/; SameSite=Lax`], 'cache-control': 'no-store' };
    if ((req.headers.accept ?? '').includes('application/json')) {
      return json(req, res, 200, { ok: true, sku, items: items.reduce((n, i) => n + i.qty, 0) }, headers);
    }
    res.writeHead(303, { ...headers, location: '/cart' });
    return res.end();
  }
  if (method === 'POST' && p === '/checkout/complete') {
    if (ctx.cart.length === 0) return html(req, res, 409, pages.message(ctx, 'Your bag is empty', 'Add something first.'), { 'cache-control': 'no-store' });
    const order = `ORD-${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
    const total = ctx.cart.reduce((s, i) => s + bySku.get(i.sku).price * i.qty, 0);
    return html(req, res, 200, pages.thanks(ctx, order, total, ctx.cart.map((i) => bySku.get(i.sku))), {
      'cache-control': 'no-store',
      'set-cookie': [cartCookie([]), `last_order=${order}; Path=/; HttpOnly; SameSite=Lax`],
      'x-order-id': order,
    });
  }

  // Sign-in: a session cookie derived from the email (a demo has no passwords), then home.
  if (method === 'POST' && p === '/account/login') {
    const fields = await readFields(req);
    const email = String(fields?.email ?? '').trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) return html(req, res, 400, pages.message(ctx, 'Sign in', 'Please give an email address.'), { 'cache-control': 'no-store' });
    const id = `cust-${crypto.createHash('sha256').update(email).digest('hex').slice(0, 12)}`;
    res.setHeader('x-customer-id', id);
    res.writeHead(303, { location: '/', 'cache-control': 'no-store', 'set-cookie': `session=${id}; Path=/; HttpOnly; SameSite=Lax` });
    return res.end();
  }
  if (method === 'POST' && p === '/account/logout') {
    res.removeHeader('x-customer-id');
    res.writeHead(303, { location: '/', 'cache-control': 'no-store', 'set-cookie': 'session=; Path=/; Max-Age=0' });
    return res.end();
  }
  if (method === 'GET' && p === '/account') return html(req, res, 200, pages.account(ctx, customer), { 'cache-control': 'private, no-store' });

  // The event collector vitrine forwards to (COLLECTOR_URL), and a read-out for tests and metrics.
  if (method === 'POST' && p === '/collect') {
    let batch;
    try {
      batch = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8'));
      const stored = collector.insert(batch);
      return json(req, res, 202, { stored }, { 'cache-control': 'no-store' });
    } catch (e) {
      return json(req, res, 400, { error: String(e.message) }, { 'cache-control': 'no-store' });
    }
  }
  if (method === 'GET' && p === '/collect/report') {
    const experiment = {
      id: url.searchParams.get('experiment') ?? 'holdout',
      controlShare: Number(url.searchParams.get('share') ?? '0.5'),
      control: url.searchParams.get('control') ?? 'control',
      treatment: url.searchParams.get('treatment') ?? 'treatment',
      since: Number(url.searchParams.get('since') ?? 0),
    };
    const r = metrics.report(collector.db, experiment);
    if (url.searchParams.get('format') === 'csv') {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store', 'content-disposition': `attachment; filename="vitrine-${experiment.id}.csv"` });
      return res.end(metrics.csv(r));
    }
    return json(req, res, 200, r, { 'cache-control': 'no-store' });
  }
  if (method === 'GET' && p === '/collect/lifecycle') {
    return json(req, res, 200, metrics.lifecycle(collector.db, { views: Number(url.searchParams.get('views') ?? 3) }), { 'cache-control': 'no-store' });
  }
  if (method === 'GET' && p === '/collect/export') {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    return res.end(metrics.jsonEachRow(collector.db, Number(url.searchParams.get('since') ?? 0)));
  }
  if (method === 'GET' && p === '/collect/shadow') {
    return json(req, res, 200, collector.shadowSummary(), { 'cache-control': 'no-store' });
  }
  if (method === 'GET' && p === '/collect/events') {
    const visitor = url.searchParams.get('visitor') ?? undefined;
    return json(req, res, 200, { count: collector.count(), events: collector.list({ visitor }) }, { 'cache-control': 'no-store' });
  }

  // A marketing short link: a redirect the proxy must pass through, not follow.
  if (method === 'GET' && p === '/sale') {
    res.writeHead(302, { location: '/c/outerwear?sort=sale', 'cache-control': 'public, max-age=300' });
    return res.end();
  }
  // A deliberately failing page, so tests can see an origin error pass through untouched.
  if (method === 'GET' && p === '/error/500') {
    return html(req, res, 500, pages.message(ctx, 'Something went wrong', 'The storefront had a problem (this page exists for tests).'), {
      'cache-control': 'no-store',
    });
  }

  if (method === 'GET' && (m = p.match(/^\/img\/([a-z0-9-]+)\.svg$/))) {
    const svg = renderSvg(m[1], bySku, catalog);
    if (!svg) return send(req, res, 404, { 'content-type': 'text/plain', 'cache-control': 'no-cache' }, 'not found');
    return send(req, res, 200, { 'content-type': 'image/svg+xml', 'cache-control': ASSET_CACHE }, svg);
  }
  if (method === 'GET' && (m = p.match(/^\/static\/([a-z0-9.-]+)$/))) {
    const file = path.join(here, 'static', m[1]);
    const types = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', svg: 'image/svg+xml', png: 'image/png' };
    const type = types[path.extname(file).slice(1)];
    if (!type || !fs.existsSync(file)) return send(req, res, 404, { 'content-type': 'text/plain', 'cache-control': 'no-cache' }, 'not found');
    return send(req, res, 200, { 'content-type': type, 'cache-control': ASSET_CACHE }, fs.readFileSync(file));
  }
  if (method === 'GET' && p === '/favicon.ico') {
    res.writeHead(301, { location: '/static/favicon.svg', 'cache-control': ASSET_CACHE });
    return res.end();
  }
  if (p === '/healthz') return send(req, res, 200, { 'content-type': 'text/plain', 'cache-control': 'no-store' }, 'ok');

  return html(req, res, 404, pages.notFound(ctx), { 'cache-control': 'no-cache' });
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    console.error('origin error', err);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('internal error');
  });
});
server.keepAliveTimeout = 5000;
const host = arg('host', '127.0.0.1');
server.listen(Number(arg('port', process.env.PORT ?? '8788')), host, () => {
  const { port } = server.address();
  if (search.url) {
    const f = search.figures ?? {};
    if (search.engine === 'opensearch') console.log(`vitrine-origin search: OpenSearch at ${search.url} (stored template vitrine-hybrid)`);
    else console.log(`vitrine-origin search: ${search.url} (${f.products} products; model loaded in ${f.model_load_ms} ms, embeddings ${f.embeddings_cached ? 'from cache' : `computed in ${f.embed_ms} ms`})`);
  }
  console.log(`vitrine-origin listening on http://${host}:${port}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
