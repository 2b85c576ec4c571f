// Personalized pages end to end: what the shopper sees changes per request, in the worker, within
// the rules of the demo config (www/vitrine.config.json), with caching done right and every
// failure failing open.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrigin, startWorker, demoVars, Visitor, forgeSignal, eventually, root } from './harness.mjs';

let origin;
let worker;
let catalog;
before(async () => {
  origin = await startOrigin();
  worker = await startWorker({ origin: origin.url, vars: demoVars(origin.url) });
  catalog = Object.fromEntries(
    JSON.parse(fs.readFileSync(path.join(root, 'www/catalog.json'), 'utf8')).products.map((p) => [p.sku, p]),
  );
});
after(async () => {
  await worker?.stop();
  await origin?.stop();
});

const us = { 'x-vitrine-country': 'US' };
const tileKeys = (html, grid = 'category') => {
  const section = html.split(`data-grid="${grid}"`)[1]?.split('</ul>')[0] ?? '';
  return [...section.matchAll(/<li class="product-tile[^"]*" data-sku="([^"]+)"/g)].map((m) => m[1]);
};
const tileBlocks = (html) => [...html.matchAll(/<li class="product-tile[\s\S]*?<\/li>/g)].map((m) => m[0]).sort();
const heroHeadline = (html) => html.match(/<h1 class="hero__headline">([^<]*)<\/h1>/)?.[1];
const galleryRoles = (html) => [...html.matchAll(/<figure class="gallery__item" data-role="([a-z]+)"/g)].map((m) => m[1]);
const direct = async (p) => (await fetch(origin.url + p)).text();

test('a visitor who viewed several products of one brand sees that brand rise on the PLP', async () => {
  const v = new Visitor(worker.url, { headers: us });
  const brand = 'Kestrel';
  const pool = Object.values(catalog).filter((p) => p.category === 'knitwear');
  for (const p of pool.filter((x) => x.brand === brand).slice(0, 3)) await v.fetch(`/p/${p.slug}`);
  const res = await v.fetch('/c/knitwear');
  const html = res.body_.toString();
  assert.match(res.headers.get('x-vitrine'), /plp=rank/);
  assert.match(res.headers.get('cache-control'), /^private/);
  const origin_ = await direct('/c/knitwear');
  const before_ = tileKeys(origin_);
  const after_ = tileKeys(html);
  const rankOf = (keys) => {
    const ks = keys.filter((k) => catalog[k].brand === brand);
    return ks.reduce((s, k) => s + keys.indexOf(k), 0) / ks.length;
  };
  assert.ok(rankOf(after_) < rankOf(before_) - 3, `${brand} rises: ${rankOf(before_)} -> ${rankOf(after_)}`);
  // Every visible tile is byte for byte the origin's, nothing duplicated, out of stock hidden.
  const originTiles = new Set(tileBlocks(origin_));
  for (const t of tileBlocks(html)) assert.ok(originTiles.has(t), 'a tile changed bytes');
  assert.equal(new Set(after_).size, after_.length);
  const oos = before_.filter((k) => catalog[k].stock === 'out_of_stock');
  assert.deepEqual(after_.filter((k) => oos.includes(k)), []);
  assert.equal(after_.length, before_.length - oos.length);
  // Outside the grid, the page is the origin's.
  const [head0, tail0] = [origin_.split('<ul class="product-grid" data-grid="category">')[0], origin_.split('</ul>\n  <nav class="pagination"')[1]];
  assert.ok(html.startsWith(head0.replace(/<h1 class="hero__headline">[^<]*<\/h1>\s*<p class="hero__sub">[^<]*<\/p>/, '')) || html.includes('data-grid="category"'));
  assert.ok(html.endsWith(tail0), 'everything after the grid is untouched');
});

test('a pinned product sits at its slot, for everyone (non-personal)', async () => {
  for (const headers of [us, { 'x-vitrine-country': 'DE' }]) {
    const v = new Visitor(worker.url, { headers });
    const html = (await v.fetch('/c/outerwear')).body_.toString();
    assert.equal(tileKeys(html)[0], 'VT-0115');
  }
});

test('an out-of-stock product never appears where the guarantee forbids it', async () => {
  for (const cat of ['shoes', 'outerwear', 'knitwear', 'bags', 'accessories']) {
    const html = (await new Visitor(worker.url, { headers: us }).fetch(`/c/${cat}`)).body_.toString();
    for (const k of tileKeys(html)) assert.notEqual(catalog[k].stock, 'out_of_stock', `${k} on /c/${cat}`);
  }
  const html = (await new Visitor(worker.url, { headers: us }).fetch('/search?q=boots')).body_.toString();
  for (const k of tileKeys(html, 'search')) assert.notEqual(catalog[k].stock, 'out_of_stock');
});

test('a buying visitor gets the buy hero; a browser the browse copy; text escaped', async () => {
  const v = new Visitor(worker.url, { headers: us });
  const browse = (await v.fetch('/c/bags')).body_.toString();
  assert.match(browse, /<p class="hero__sub">New this week: see what just came in, picked for you.<\/p>/);
  const sku = Object.values(catalog).find((p) => p.stock === 'in_stock').sku;
  await v.fetch('/cart/add', { method: 'POST', body: `sku=${sku}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const res = await v.fetch('/c/bags');
  assert.match(res.headers.get('x-vitrine'), /hero=buy/);
  const html = res.body_.toString();
  assert.equal(heroHeadline(html), 'Ready when you are');
  assert.match(html, /<a class="hero__cta button" href="\/cart">Go to your bag<\/a>/);
  // A customer also gets the locked members' line.
  const member = new Visitor(worker.url, { headers: us });
  member.jar.set('vt', await forgeSignal({ intent: 'buy', customer: true }));
  const m = (await member.fetch('/c/bags')).body_.toString();
  assert.match(m, /<p class="hero__sub">Members: free shipping on everything, always.<\/p>/);
});

test('a returning visitor gets the configured first image; a new one the lifestyle shot', async () => {
  const p = Object.values(catalog).find((x) => x.category === 'shoes' && x.stock === 'in_stock');
  assert.deepEqual(galleryRoles(await direct(`/p/${p.slug}`)), ['packshot', 'lifestyle', 'detail']);
  const fresh = new Visitor(worker.url, { headers: us });
  const first = await fresh.fetch(`/p/${p.slug}`);
  assert.deepEqual(galleryRoles(first.body_.toString()), ['lifestyle', 'packshot', 'detail']);
  assert.match(first.headers.get('x-vitrine'), /img=prefer:lifestyle/);
  const back = new Visitor(worker.url, { headers: us });
  back.jar.set('vt', await forgeSignal({ sessions: 3 }));
  const res = await back.fetch(`/p/${p.slug}`);
  const html = res.body_.toString();
  assert.deepEqual(galleryRoles(html), ['detail', 'packshot', 'lifestyle']);
  // og:image stays as the origin had it.
  assert.equal(html.match(/<meta property="og:image" content="([^"]+)">/)[1], p.images[0].src);
});

test('an anonymous visitor without consent gets the non-personal rules only', async () => {
  const eu = new Visitor(worker.url, { headers: { 'x-vitrine-country': 'DE' } });
  const p = Object.values(catalog).find((x) => x.category === 'bags' && x.brand === 'Sable');
  for (let i = 0; i < 3; i++) await eu.fetch(`/p/${p.slug}`);
  const res = await eu.fetch('/c/bags');
  const html = res.body_.toString();
  assert.deepEqual(res.headers.getSetCookie(), []);
  assert.doesNotMatch(res.headers.get('x-vitrine'), /hero=/);
  const origin_ = await direct('/c/bags');
  assert.equal(heroHeadline(html), heroHeadline(origin_), 'the default hero');
  // Only the in-stock guarantee and the boosts/buries (non-personal) shaped the order: it is the
  // same for any visitor without consent.
  const other = (await new Visitor(worker.url, { headers: { 'x-vitrine-country': 'FR' } }).fetch('/c/bags')).body_.toString();
  assert.deepEqual(tileKeys(html), tileKeys(other));
  for (const k of tileKeys(html)) assert.notEqual(catalog[k].stock, 'out_of_stock');
  const pdp = (await eu.fetch(`/p/${p.slug}`)).body_.toString();
  assert.deepEqual(galleryRoles(pdp), ['packshot', 'lifestyle', 'detail'], 'image policy is personal: not applied');
});

test('caching: personalized pages are never stored, what does not depend on the visitor keeps the origin\'s caching', async () => {
  const v = new Visitor(worker.url, { headers: us });
  await v.fetch('/');
  for (const p of ['/', '/c/shoes', `/p/${Object.values(catalog)[10].slug}`, '/search?q=jacket', '/api/search?q=boots', '/api/products?category=bags']) {
    // The browser still holds an older copy: its validator must not bring that copy back.
    const before = await fetch(origin.url + p);
    const res = await v.fetch(p, { headers: { 'if-none-match': before.headers.get('etag') ?? '"x"' } });
    assert.equal(res.status, 200, `${p}: never a 304 for a personalized page`);
    assert.equal(res.headers.get('cache-control'), 'private, no-store', p);
    assert.equal(res.headers.get('etag'), null, `${p}: no validator on a personalized page`);
    assert.equal(res.headers.get('last-modified'), null, p);
  }
  // A crawler's listing: ranked by the rules for everyone, so the origin's Cache-Control stays,
  // but not the origin's ETag (it names the origin's bytes, not these).
  const bot = { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' };
  const crawled = await fetch(`${worker.url}/c/shoes`, { headers: bot });
  assert.equal(crawled.headers.get('cache-control'), 'public, max-age=60, s-maxage=300');
  assert.equal(crawled.headers.get('etag'), null);
  assert.deepEqual(crawled.headers.getSetCookie(), []);
  assert.match(crawled.headers.get('x-vitrine'), /plp=rules/);
  // A page vitrine leaves untouched keeps everything, and a browser holding it gets a 304.
  for (const [p, headers] of [['/static/style.css', {}], ['/img/vt-0001-detail.svg', {}], ['/account', bot]]) {
    const res = await fetch(worker.url + p, { headers });
    const origin_ = await fetch(origin.url + p);
    assert.equal(res.headers.get('cache-control'), origin_.headers.get('cache-control'), p);
    assert.equal(res.headers.get('etag'), origin_.headers.get('etag'), p);
    assert.deepEqual(res.headers.getSetCookie(), [], `${p}: no cookie on a cacheable response`);
    const again = await fetch(worker.url + p, { headers: { ...headers, 'if-none-match': res.headers.get('etag') } });
    assert.equal(again.status, 304, p);
  }
  // Every response with Set-Cookie is never stored.
  for (const p of ['/', '/c/bags', '/__vitrine/events']) {
    const fresh = new Visitor(worker.url, { headers: us });
    const res = p.startsWith('/__')
      ? await fresh.fetch(p, { method: 'POST', body: '{"events":[]}', headers: { 'content-type': 'application/json', 'sec-fetch-dest': 'empty' } })
      : await fresh.fetch(p);
    if (res.headers.getSetCookie().length) assert.match(res.headers.get('cache-control'), /no-store/, p);
  }
});

test('the search page from the edge cache leaves like a fresh one: no storage lifetime, no origin time', async () => {
  const q = `/search?q=${encodeURIComponent('warm parka')}`;
  const bot = { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' };
  const first = await fetch(worker.url + q, { headers: bot });
  assert.equal(first.status, 200);
  await first.arrayBuffer();
  const hit = await eventually(async () => {
    const r = await fetch(worker.url + q, { headers: bot });
    await r.arrayBuffer();
    return /search=cache/.test(r.headers.get('x-vitrine')) ? r : null;
  });
  assert.equal(hit.headers.get('cache-control'), first.headers.get('cache-control'));
  assert.doesNotMatch(hit.headers.get('cache-control') ?? '', /86400/);
  assert.equal(hit.headers.get('x-vitrine-cached-at'), null);
  assert.equal(hit.headers.get('x-vitrine-origin-cache-control'), null);
  assert.doesNotMatch(hit.headers.get('server-timing'), /origin;dur/);
  assert.match(hit.headers.get('server-timing'), /cache;desc/);
  // A person's copy of the same hit is never stored.
  const v = new Visitor(worker.url, { headers: us });
  const mine = await v.fetch(q);
  assert.equal(mine.headers.get('cache-control'), 'private, no-store');
});

test('fail open: broken markup, a grid over its cap, a bot: the origin bytes', async () => {
  const broken = await new Visitor(worker.url, { headers: us }).fetch('/c-broken');
  assert.equal(broken.body_.toString(), await direct('/c-broken'));
  const bot = await new Visitor(worker.url, { userAgent: 'Googlebot/2.1', headers: us }).fetch('/c/outerwear');
  // Crawlers get the canonical order: the non-personal rules only (pin, stock), never affinity.
  assert.equal(tileKeys(bot.body_.toString())[0], 'VT-0115');
  const cfg = JSON.parse(demoVars(origin.url).VITRINE_CONFIG);
  cfg.site.plp.grids[0].max_kb = 1;
  const small = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { VITRINE_CONFIG: JSON.stringify(cfg) }) });
  try {
    const v = new Visitor(small.url, { headers: us });
    const page = await v.fetch('/c/outerwear');
    assert.deepEqual(tileKeys(page.body_.toString()), tileKeys(await direct('/c/outerwear')), 'over the cap: untouched');
    const id = (await v.whoami()).signal.id;
    const exposure = await eventually(async () => {
      const events = (await (await fetch(`${origin.url}/collect/events?visitor=${id}`)).json()).events;
      return events.find((e) => e.type === 'exposure');
    });
    assert.ok(exposure, 'an exposure event says what was rendered');
    assert.match(exposure.payload.summary, /category=pass:over-cap/);
  } finally {
    await small.stop();
  }
});

test('exposure events say what was actually rendered', async () => {
  const v = new Visitor(worker.url, { headers: us });
  const page = (await v.fetch('/c/outerwear')).body_.toString();
  const rendered = page.slice(page.indexOf('<section class="listing'), page.indexOf('</ul>', page.indexOf('<section class="listing'))).match(/<li class="product-tile/g).length;
  const id = (await v.whoami()).signal.id;
  const exposure = await eventually(async () => {
    const events = (await (await fetch(`${origin.url}/collect/events?visitor=${id}`)).json()).events;
    return events.find((e) => e.type === 'exposure');
  });
  assert.ok(exposure);
  assert.match(exposure.payload.summary, /category=reordered:\d+/);
  assert.ok(exposure.payload.rules.includes('winter-parka-first'));
  assert.ok(exposure.payload.rules.includes('in-stock-listings'));
  assert.match(exposure.payload.version, /^[0-9a-f]{12}$/);
  // The exposure matches the page: its type, and as many tiles as the page's grid shows.
  assert.equal(exposure.payload.page, 'plp');
  assert.equal(exposure.payload.hero, exposure.payload.hero_swaps > 0 ? 'browse' : null, 'the hero variant shown');
  // The order as served, each product with its origin position: what it looked like to the shopper.
  const servedKeys = exposure.payload.regions[0].served.map(([key]) => key);
  const pageKeys = [...page.matchAll(/<li class="product-tile[^"]*"[^>]*data-sku="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(servedKeys, pageKeys.slice(0, servedKeys.length));
  assert.equal(Number(exposure.payload.summary.match(/category=reordered:(\d+)/)[1]), rendered);
  // Every event carries the session and the visitor's arms (none in the demo: no experiments),
  // and the page view it came from: the listing view and its exposure share one.
  assert.equal(exposure.session, 1);
  assert.deepEqual(exposure.arms, {});
  assert.match(exposure.view, /^[0-9a-f]{24}$/);
  const events = (await (await fetch(`${origin.url}/collect/events?visitor=${id}`)).json()).events;
  assert.equal(events.find((e) => e.type === 'plp_view').view, exposure.view);
});

test('with debug.outcome a developer reads what the page became at its end, without a collector', async () => {
  const dev = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { COLLECTOR_URL: '' }, { outcome: true }) });
  try {
    const v = new Visitor(dev.url, { headers: us });
    const html = (await v.fetch('/c/outerwear')).body_.toString();
    const comment = html.match(/\n<!-- vitrine: ([^>]*) -->$/);
    assert.ok(comment, 'the comment closes the document');
    assert.match(comment[1], /category=reordered:\d+/);
    const pdp = Object.values(catalog).find((p) => p.category === 'bags');
    const page = (await v.fetch(`/p/${pdp.slug}`)).body_.toString();
    assert.match(page, /<!-- vitrine: [^>]*img=lifestyle[^>]* -->$/, 'the image that actually moved');
    // Off (the default), pages end as the origin's do.
    assert.doesNotMatch((await new Visitor(worker.url, { headers: us }).fetch('/c/outerwear')).body_.toString(), /<!-- vitrine/);
  } finally {
    await dev.stop();
  }
});

test('a headless JSON listing is reordered the same way, item bytes kept', async () => {
  const v = new Visitor(worker.url, { headers: { ...us, accept: 'application/json', 'sec-fetch-dest': 'empty' } });
  await v.fetch('/', { headers: { accept: 'text/html', 'sec-fetch-dest': 'document' } });
  const res = await v.fetch('/api/products?category=outerwear');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('x-vitrine'), /json=reordered:\d+/);
  assert.match(res.headers.get('cache-control'), /^private/);
  const body = res.body_.toString();
  const doc = JSON.parse(body);
  const originBody = await direct('/api/products?category=outerwear');
  const originDoc = JSON.parse(originBody);
  assert.equal(doc.products[0].sku, 'VT-0115', 'the pin applies to the API too');
  for (const p of doc.products) assert.notEqual(p.stock, 'out_of_stock');
  assert.equal(doc.total, originDoc.total);
  // Each item's bytes are the origin's.
  for (const p of doc.products) assert.ok(originBody.includes(JSON.stringify(p)), `${p.sku} changed`);
  // Same rules, same scoring: the API order equals the HTML grid's order for the same visitor.
  const html = (await v.fetch('/c/outerwear', { headers: { accept: 'text/html', 'sec-fetch-dest': 'document' } })).body_.toString();
  assert.deepEqual(doc.products.map((p) => p.sku), tileKeys(html));
});

test('the holdout arm: the origin\'s order with the rails, the same arm on every event, computed as the edge does', async () => {
  const crypto = await import('node:crypto');
  // The edge's bucket: SHA-256("vitrine experiment\0" + salt + "\0" + id), first 4 bytes, mod 10000.
  const bucket = (id, salt) => crypto.createHash('sha256').update(Buffer.concat([Buffer.from(`vitrine experiment\0${salt}\0`), id])).digest().readUInt32BE(0) % 10000;
  const cfg = JSON.parse(fs.readFileSync(path.join(root, 'www/vitrine.config.json'), 'utf8'));
  cfg.personalization.holdout = 0.5;
  cfg.debug.outcome = false;
  const held = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { VITRINE_CONFIG: JSON.stringify(cfg) }) });
  try {
    const ids = Array.from({ length: 40 }, (_, i) => Buffer.from(`visitor-${String(i).padStart(4, '0')}`).subarray(0, 12));
    const control = ids.find((id) => bucket(id, 'holdout') < 5000);
    const treatment = ids.find((id) => bucket(id, 'holdout') >= 5000);
    const order = (html) => [...html.matchAll(/<li class="product-tile[^"]*"[^>]*data-sku="([^"]+)"[^>]*data-stock="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    const originTiles = order((await (await fetch(`${origin.url}/c/outerwear`)).text()));
    const page = async (id) => {
      const v = new Visitor(held.url, { headers: { ...us, cookie: `vt=${await forgeSignal({ id, sessions: 3 })}` } });
      return { v, tiles: order((await v.fetch('/c/outerwear')).body_.toString()) };
    };
    const c = await page(control);
    // Control: the origin's order, less what the in-stock rail hides; no pin, no boost.
    assert.deepEqual(c.tiles.map((t) => t[0]), originTiles.filter(([, stock]) => stock !== 'out_of_stock').map((t) => t[0]));
    const t = await page(treatment);
    assert.notDeepEqual(t.tiles.map((x) => x[0]), c.tiles.map((x) => x[0]), 'treatment is personalized');
    assert.equal(t.tiles[0][0], 'VT-0115', 'the winter parka pin, for treatment only');
    for (const [v, arm, id] of [[c.v, 'control', control], [t.v, 'treatment', treatment]]) {
      const events = await eventually(async () => {
        const all = (await (await fetch(`${origin.url}/collect/events?visitor=${id.toString('hex')}`)).json()).events;
        return all.length && all;
      });
      assert.ok(events.every((e) => e.arms.holdout === arm), `${arm}: ${JSON.stringify(events.map((e) => e.arms))}`);
    }
  } finally {
    await held.stop();
  }
});
