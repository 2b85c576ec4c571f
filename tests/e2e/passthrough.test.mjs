// Foundation: through the worker, every kind of response comes back exactly as the origin sent it
// (status, bytes, headers, every Set-Cookie, redirects not followed), plus vitrine's own headers.
// This worker has no VITRINE_CONFIG: with nothing configured, vitrine is a transparent proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOrigin, startWorker, headerPairs } from './harness.mjs';

let origin;
let worker;
before(async () => {
  origin = await startOrigin();
  worker = await startWorker({ origin: origin.url });
});
after(async () => {
  await worker?.stop();
  await origin?.stop();
});

// Transport headers the platform itself renegotiates for every response, vitrine or not:
// Cloudflare's front line (emulated by miniflare) re-encodes per the client's Accept-Encoding, and
// a streamed body has no length up front. Bodies are compared after decoding.
const TRANSPORT = ['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding'];
const OURS = ['x-vitrine', 'server-timing'];

async function both(path, init = {}) {
  const opts = { redirect: 'manual', ...init, headers: { 'accept-encoding': 'gzip', ...(init.headers ?? {}) } };
  const direct = await fetch(origin.url + path, opts);
  const via = await fetch(worker.url + path, opts);
  return {
    direct,
    via,
    directBody: Buffer.from(await direct.arrayBuffer()),
    viaBody: Buffer.from(await via.arrayBuffer()),
  };
}

function assertSame({ direct, via, directBody, viaBody }, what) {
  assert.equal(via.status, direct.status, `${what}: status`);
  assert.ok(viaBody.equals(directBody), `${what}: body bytes differ (${viaBody.length} vs ${directBody.length})`);
  assert.deepEqual(headerPairs(via.headers, [...TRANSPORT, ...OURS]), headerPairs(direct.headers, [...TRANSPORT]), `${what}: headers`);
  assert.match(via.headers.get('server-timing') ?? '', /^vitrine;dur=[\d.]+;desc="edge", origin;dur=[\d.]+$/);
}

test('without a config a PLP passes untouched, outside wasm, byte for byte', async () => {
  const r = await both('/c/shoes');
  assertSame(r, 'PLP');
  assert.equal(r.via.headers.get('x-vitrine'), 'pass;why=no-config;cfg=none');
  assert.equal((r.viaBody.toString().match(/class="product-tile[ "]/g) ?? []).length, 48);
});

test('a PDP comes back byte for byte', async () => {
  const catalog = await (await fetch(`${origin.url}/api/products?category=outerwear`)).json();
  const r = await both(`/p/${catalog.products[5].slug}`);
  assertSame(r, 'PDP');
  assert.equal(r.via.headers.get('x-vitrine'), 'pass;why=no-config;cfg=none');
  assert.match(r.viaBody.toString(), /application\/ld\+json/);
});

test('a large page split into many network chunks is intact', async () => {
  const r = await both('/search?q=jacket');
  assertSame(r, 'search page');
});

test('a static asset and an image pass untouched, marked not-html', async () => {
  for (const p of ['/static/style.css', '/static/app.js', '/img/vt-0007-lifestyle.svg']) {
    const r = await both(p);
    assertSame(r, p);
    assert.equal(r.via.headers.get('x-vitrine'), 'pass;why=not-html;cfg=none');
  }
});

test('JSON passes untouched', async () => {
  const r = await both('/api/products?category=bags&page=2');
  assertSame(r, 'listing API');
  assert.equal(JSON.parse(r.viaBody).page, 2);
});

test('a POST reaches the origin with its body; every Set-Cookie comes back separately', async () => {
  const init = { method: 'POST', body: 'sku=VT-0002&qty=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  const r = await both('/cart/add', init);
  assertSame(r, 'POST /cart/add');
  assert.equal(r.via.status, 303);
  assert.deepEqual(r.via.headers.getSetCookie(), [
    'cart=VT-0002%3A2; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000',
    'last_added=VT-0002; Path=/; SameSite=Lax',
  ]);
});

test('a JSON POST with cookies round-trips (the cart cookie is forwarded to the origin)', async () => {
  const init = {
    method: 'POST',
    body: JSON.stringify({ sku: 'VT-0010', qty: 1 }),
    headers: { 'content-type': 'application/json', accept: 'application/json', cookie: 'cart=VT-0002%3A2' },
  };
  const r = await both('/cart/add', init);
  assertSame(r, 'JSON POST');
  assert.deepEqual(JSON.parse(r.viaBody), { ok: true, sku: 'VT-0010', items: 3 });
});

test('a redirect is passed to the visitor, not followed', async () => {
  const r = await both('/sale');
  assertSame(r, 'redirect');
  assert.equal(r.via.status, 302);
  assert.equal(r.via.headers.get('location'), '/c/outerwear?sort=sale');
  assert.equal(r.via.headers.get('x-vitrine'), 'pass;why=status;cfg=none');
});

test('an origin 500 comes back as the origin sent it', async () => {
  const r = await both('/error/500');
  assertSame(r, 'origin 500');
  assert.equal(r.via.status, 500);
  assert.equal(r.via.headers.get('x-vitrine'), 'pass;why=status;cfg=none');
});

test('a 404 and a HEAD pass untouched', async () => {
  assertSame(await both('/no/such/page'), '404');
  const r = await both('/c/bags', { method: 'HEAD' });
  assertSame(r, 'HEAD');
  assert.equal(r.via.headers.get('x-vitrine'), 'pass;why=no-body;cfg=none');
});

test('a conditional request gets the origin 304', async () => {
  const first = await fetch(`${origin.url}/static/style.css`);
  const etag = first.headers.get('etag');
  const r = await both('/static/style.css', { headers: { 'if-none-match': etag } });
  assertSame(r, '304');
  assert.equal(r.via.status, 304);
});

test('an unreachable origin is a 502 that says so, never a hang or a crash', async () => {
  const dead = await startWorker({ origin: 'http://127.0.0.1:9' });
  try {
    const res = await fetch(`${dead.url}/c/shoes`);
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('x-vitrine'), 'error;origin=unreachable');
    assert.equal(res.headers.get('cache-control'), 'no-store');
  } finally {
    await dead.stop();
  }
});

test('a missing or malformed ORIGIN is a clear configuration error', async () => {
  const bad = await startWorker({ origin: 'not-a-url' });
  try {
    const res = await fetch(`${bad.url}/`);
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('x-vitrine'), 'error;config=origin');
    assert.match(await res.text(), /set ORIGIN/);
  } finally {
    await bad.stop();
  }
});
