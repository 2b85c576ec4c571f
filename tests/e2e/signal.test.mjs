// The visitor signal, end to end: a visitor browses the demo store through the worker and the
// edge learns from the requests themselves (no pixel); sign-in stitches devices; consent gates it
// all; tampering yields a fresh visitor; events reach the collector's SQLite database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOrigin, startWorker, demoVars, Visitor, eventually, forgeSignal } from './harness.mjs';

let origin;
let worker;
let products;
before(async () => {
  origin = await startOrigin();
  worker = await startWorker({ origin: origin.url, vars: demoVars(origin.url) });
  const all = [];
  for (const c of ['shoes', 'outerwear', 'knitwear', 'bags', 'accessories']) {
    all.push(...(await (await fetch(`${origin.url}/api/products?category=${c}`)).json()).products);
  }
  products = all;
});
after(async () => {
  await worker?.stop();
  await origin?.stop();
});

const us = { 'x-vitrine-country': 'US' };
const brandOf = (b) => (w) => w.signal.brands.find((x) => x.name === b);
const collected = async (visitorId) =>
  (await (await fetch(`${origin.url}/collect/events?visitor=${visitorId}`)).json()).events;

test('the first document response mints the cookie once; assets stay cookie-free', async () => {
  const v = new Visitor(worker.url, { headers: us });
  const page = await v.fetch('/');
  const set = page.headers.getSetCookie().filter((c) => c.startsWith('vt='));
  assert.equal(set.length, 1);
  assert.match(set[0], /^vt=[A-Za-z0-9_-]+; Max-Age=31536000; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  assert.ok(set[0].length <= 200, `Set-Cookie is ${set[0].length} bytes`);
  assert.match(page.headers.get('x-vitrine'), /sig=new/);
  assert.match(page.headers.get('cache-control'), /^private/, 'a response with Set-Cookie is never shared-cacheable');
  assert.doesNotMatch(page.headers.get('cache-control'), /public|s-maxage/);
  const id = (await v.whoami()).signal.id;

  // The page's subresources, fetched in parallel as a browser would: no cookie minted on any.
  const assets = await Promise.all(
    ['/static/style.css', '/static/app.js', '/img/vt-0001-packshot.svg', '/img/hero-home.svg'].map((p) =>
      v.fetch(p, { headers: { accept: '*/*', 'sec-fetch-dest': p.endsWith('.css') ? 'style' : p.endsWith('.js') ? 'script' : 'image' } }),
    ),
  );
  for (const a of assets) {
    assert.deepEqual(a.headers.getSetCookie(), []);
    assert.match(a.headers.get('cache-control'), /public/);
  }
  // A second page keeps the same visitor.
  const next = await v.fetch('/c/bags');
  assert.match(next.headers.get('x-vitrine'), /sig=known/);
  assert.equal((await v.whoami()).signal.id, id);
});

test('parallel first requests without a cookie never mint for subresources or prefetches', async () => {
  const v = new Visitor(worker.url, { headers: us });
  const [doc, api, prefetch] = await Promise.all([
    v.fetch('/c/shoes'),
    v.fetch('/api/products?category=shoes', { headers: { accept: 'application/json', 'sec-fetch-dest': 'empty' } }),
    v.fetch('/c/bags', { headers: { 'sec-purpose': 'prefetch' } }),
  ]);
  assert.equal(doc.headers.getSetCookie().length, 1);
  assert.equal(api.headers.getSetCookie().length, 0);
  assert.equal(prefetch.headers.getSetCookie().length, 0);
  assert.match(prefetch.headers.get('x-vitrine'), /sig=bot/);
});

test('three PDP views of one brand show up as that brand\'s affinity; the PLP as category interest', async () => {
  const v = new Visitor(worker.url, { headers: us });
  await v.fetch('/c/knitwear');
  const brand = 'Kestrel';
  const views = products.filter((p) => p.brand === brand).slice(0, 3);
  assert.equal(views.length, 3);
  for (const p of views) {
    const res = await v.fetch(`/p/${p.slug}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('x-vitrine'), /learn=pdp/);
    // Learning only reads: the page holds exactly the origin's bytes (the gallery's first image
    // may have moved, by the image policy).
    const direct = Buffer.from(await (await fetch(`${origin.url}/p/${p.slug}`)).arrayBuffer());
    assert.equal(res.body_.length, direct.length);
    assert.deepEqual([...res.body_].sort(), [...direct].sort(), 'same bytes, possibly moved');
  }
  const me = await v.whoami();
  assert.equal(me.signal.brands[0].name, brand, JSON.stringify(me.signal.brands));
  assert.equal(me.signal.brands[0].weight, 96);
  assert.ok(me.signal.categories.some((c) => c.name === 'knitwear'));
  assert.equal(me.signal.recent.length, 3);
  assert.ok(me.signal.price_band >= 1);
  assert.equal(me.signal.intent, 'browse');
  assert.equal(me.signal.customer, false);
});

test('an add-to-cart flips intent to buy; a checkout makes the visitor a customer', async () => {
  const v = new Visitor(worker.url, { headers: us });
  await v.fetch('/');
  const p = products.find((x) => x.stock === 'in_stock');
  const add = await v.fetch('/cart/add', {
    method: 'POST',
    body: `sku=${p.sku}&qty=1`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-dest': 'document' },
  });
  assert.equal(add.status, 303);
  assert.match(add.headers.get('x-vitrine'), /learn=cart/);
  assert.ok(add.headers.getSetCookie().some((c) => c.startsWith('cart=')), "the origin's own cookies still arrive");
  assert.ok(add.headers.getSetCookie().some((c) => c.startsWith('vt=')));
  assert.equal((await v.whoami()).signal.intent, 'buy');
  const done = await v.fetch('/checkout/complete', { method: 'POST', headers: { 'sec-fetch-dest': 'document' } });
  assert.equal(done.status, 200);
  assert.match(done.headers.get('x-vitrine'), /learn=checkout/);
  assert.equal((await v.whoami()).signal.customer, true);
});

test('client-side events through POST /__vitrine/events update the signal the same way', async () => {
  const v = new Visitor(worker.url, { headers: us });
  await v.fetch('/');
  const post = (body, headers = {}) =>
    v.fetch('/__vitrine/events', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'sec-fetch-dest': 'empty', ...headers },
    });
  const ok = await post(
    JSON.stringify({ events: [{ type: 'pdp_view', product: { key: 'X-1', brand: 'Umbra', category: 'bags', price: 80 } }, { type: 'add_to_cart' }] }),
  );
  assert.equal(ok.status, 204);
  assert.match(ok.headers.get('x-vitrine'), /events=2/);
  const me = await v.whoami();
  assert.equal(me.signal.brands[0].name, 'Umbra');
  assert.equal(me.signal.intent, 'buy');
  assert.equal((await post('{"events":[{"type":"steal_cookies"}]}')).status, 400);
  assert.equal((await post('not json')).status, 400);
  assert.equal((await post(JSON.stringify({ events: Array(21).fill({ type: 'checkout_complete' }) }))).status, 400);
  assert.equal((await post('x'.repeat(9000))).status, 413);
  assert.equal((await v.fetch('/__vitrine/events', { headers: { 'sec-fetch-dest': 'empty' } })).status, 405);
});

test('events reach the collector and its SQLite database, off the response path', async () => {
  const v = new Visitor(worker.url, { headers: us });
  await v.fetch('/c/outerwear');
  const p = products.find((x) => x.category === 'outerwear');
  await v.fetch(`/p/${p.slug}`);
  const id = (await v.whoami()).signal.id;
  const events = await eventually(async () => {
    const e = (await collected(id)).filter((x) => x.type.endsWith('_view'));
    return e.length >= 2 ? e : null;
  });
  assert.ok(events, 'events arrived');
  assert.deepEqual(events.map((e) => e.type), ['plp_view', 'pdp_view']);
  assert.equal(events[1].payload.product.brand, p.brand);
  assert.equal(events[1].country, 'US');
  assert.equal(events[1].consent, 'default-granted');
  assert.doesNotMatch(JSON.stringify(events), /vt=|cookie/i, 'no cookie value leaves with an event');
});

test('sign-in on a second device merges the profile; anonymous history carries over', async () => {
  const email = `ada-${Date.now()}@example.com`;
  const signIn = (v) =>
    v.fetch('/account/login', {
      method: 'POST',
      body: `email=${encodeURIComponent(email)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-dest': 'document' },
    });

  // Device one: browses Sable anonymously, then signs in.
  const laptop = new Visitor(worker.url, { headers: us });
  for (const p of products.filter((x) => x.brand === 'Sable').slice(0, 2)) await laptop.fetch(`/p/${p.slug}`);
  const laptopId = (await laptop.whoami()).signal.id;
  const login = await signIn(laptop);
  assert.equal(login.status, 303);
  assert.equal(login.headers.get('x-customer-id'), null, 'the identity header never reaches the visitor');
  assert.match(login.headers.get('x-vitrine'), /sig=known/);
  assert.equal((await laptop.whoami()).signal.stitched, true);
  assert.doesNotMatch(laptop.jar.get('vt'), /cust-|example/, 'the cookie holds no raw customer id');

  // Device two: browses Umbra anonymously (another visitor id), then signs in as the same customer.
  const phone = new Visitor(worker.url, { headers: us });
  for (const p of products.filter((x) => x.brand === 'Umbra').slice(0, 1)) await phone.fetch(`/p/${p.slug}`);
  assert.notEqual((await phone.whoami()).signal.id, laptopId);
  // KV writes happen after the response; wait until the laptop's profile is there.
  await new Promise((r) => setTimeout(r, 300));
  await signIn(phone);
  const merged = await phone.whoami();
  assert.equal(merged.signal.id, laptopId, 'one customer, one visitor id across devices');
  assert.equal(merged.signal.stitched, true);
  const brands = Object.fromEntries(merged.signal.brands.map((b) => [b.name, b.weight]));
  assert.equal(brands.Sable, 64, 'the laptop history is here');
  assert.equal(brands.Umbra, 32, "the phone's anonymous history carried into the profile");
});

test('without consent nothing is set and nothing is sent; non-personal pages still work', async () => {
  const before = (await (await fetch(`${origin.url}/collect/events`)).json()).count;
  const eu = new Visitor(worker.url, { headers: { 'x-vitrine-country': 'DE' } });
  for (const path of ['/', '/c/shoes', `/p/${products[3].slug}`]) {
    const res = await eu.fetch(path);
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.match(res.headers.get('x-vitrine'), /sig=none:default-denied/);
  }
  const ev = await eu.fetch('/__vitrine/events', {
    method: 'POST',
    body: JSON.stringify({ events: [{ type: 'checkout_complete' }] }),
    headers: { 'content-type': 'application/json', 'sec-fetch-dest': 'empty' },
  });
  assert.equal(ev.status, 204);
  assert.deepEqual(ev.headers.getSetCookie(), []);
  const gpc = new Visitor(worker.url, { headers: { ...us, 'sec-gpc': '1' } });
  assert.deepEqual((await gpc.fetch('/')).headers.getSetCookie(), []);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await (await fetch(`${origin.url}/collect/events`)).json()).count, before, 'no event left');

  // An explicit grant in the CMP cookie overrides the opt-in default.
  const granted = new Visitor(worker.url, { headers: { 'x-vitrine-country': 'DE' } });
  granted.jar.set('consent', 'all');
  const res = await granted.fetch('/');
  assert.equal(res.headers.getSetCookie().filter((c) => c.startsWith('vt=')).length, 1);
  assert.equal((await granted.whoami()).signal.consent, 'explicit');

  // Withdrawal clears the cookie.
  granted.jar.set('consent', 'essential');
  const withdrawn = await granted.fetch('/c/bags');
  assert.ok(withdrawn.headers.getSetCookie().includes('vt=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax'));
  assert.equal(granted.jar.has('vt'), false);
});

test('crawlers get the canonical page and no cookie', async () => {
  // Canonical: the non-personal page, the one every visitor without a profile gets (the
  // merchandiser's pins and stock rules apply, nothing about any visitor does).
  const bot = new Visitor(worker.url, { userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', headers: us });
  const res = await bot.fetch('/c/shoes');
  assert.deepEqual(res.headers.getSetCookie(), []);
  assert.match(res.headers.get('x-vitrine'), /sig=bot/);
  const anonymous = await new Visitor(worker.url, { headers: { 'x-vitrine-country': 'DE' } }).fetch('/c/shoes');
  assert.ok(res.body_.equals(anonymous.body_), 'the same page as any visitor without a profile');
  const fan = new Visitor(worker.url, { headers: us });
  fan.jar.set('vt', await forgeSignal({ brands: [['Umbra', 200]] }));
  assert.ok(!(await fan.fetch('/c/shoes')).body_.equals(res.body_), 'a profiled visitor sees another order');
});

test('a tampered, truncated, oversized or wrong-key cookie yields a fresh visitor, never an error', async () => {
  const v = new Visitor(worker.url, { headers: us });
  await v.fetch('/');
  const good = v.jar.get('vt');
  const id = (await v.whoami()).signal.id;
  const flip = (s, i) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  const bad = {
    tag: flip(good, good.length - 2),
    body: flip(good, 10),
    truncated: good.slice(0, 30),
    oversized: good + 'A'.repeat(400),
    garbage: '%%%<script>',
    empty: '',
    'wrong-key': 'AQIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  };
  for (const [what, value] of Object.entries(bad)) {
    const t = new Visitor(worker.url, { headers: us });
    t.jar.set('vt', value);
    const res = await t.fetch('/c/shoes');
    assert.equal(res.status, 200, what);
    assert.match(res.headers.get('x-vitrine'), value ? /sig=fresh:/ : /sig=(fresh:|new)/, what);
    const me = await t.whoami();
    assert.notEqual(me.signal.id, id, `${what}: a fresh id, not the original`);
    assert.ok(t.jar.get('vt') && t.jar.get('vt') !== value, `${what}: a new valid cookie replaced it`);
  }
});

test('whoami is off unless the config allows it', async () => {
  const cfg = JSON.parse(demoVars(origin.url).VITRINE_CONFIG);
  cfg.debug.whoami = false;
  const quiet = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { VITRINE_CONFIG: JSON.stringify(cfg) }) });
  try {
    const res = await fetch(`${quiet.url}/__vitrine/whoami`);
    assert.equal(res.status, 404, 'passed to the origin, which has no such page');
    assert.doesNotMatch(await res.text(), /"signal"/);
  } finally {
    await quiet.stop();
  }
});

test('an invalid config turns personalization off, never the store', async () => {
  const broken = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { VITRINE_CONFIG: '{"version": 7, "oops": true}' }) });
  try {
    const v = new Visitor(broken.url, { headers: us });
    const res = await v.fetch('/c/shoes');
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.match(res.headers.get('x-vitrine'), /cfg=invalid/);
  } finally {
    await broken.stop();
  }
});
