// The merchandiser config lifecycle over HTTP against the worker in workerd: push → version →
// rollback, the version stamped on every response, If-Match conflicts, 401s, invalid documents
// rejected with all their paths while the live config stays, preview of a demo PLP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrigin, startWorker, demoVars, root, TEST_KEYS } from './harness.mjs';

let origin;
let worker;
const demo = JSON.parse(fs.readFileSync(path.join(root, 'www/vitrine.config.json'), 'utf8'));
// Pages are compared byte for byte here: without the demo's debug comment at their end.
demo.debug.outcome = false;
const auth = { authorization: `Bearer ${TEST_KEYS.ADMIN_TOKEN}` };

before(async () => {
  origin = await startOrigin();
  // No VITRINE_CONFIG: the config comes only from pushes.
  worker = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { VITRINE_CONFIG: '' }) });
});
after(async () => {
  await worker?.stop();
  await origin?.stop();
});

const api = (p, init = {}) => fetch(worker.url + p, { ...init, headers: { ...auth, 'content-type': 'application/json', ...(init.headers ?? {}) } });
const push = (doc, headers = {}) => api('/__vitrine/config', { method: 'PUT', body: typeof doc === 'string' ? doc : JSON.stringify(doc), headers });
const stamp = async () => (await fetch(`${worker.url}/c/shoes`)).headers.get('x-vitrine').match(/cfg=([^;]+)/)?.[1];

test('the admin API needs the token; the schema is public', async () => {
  for (const [method, p] of [['GET', '/__vitrine/config'], ['PUT', '/__vitrine/config'], ['GET', '/__vitrine/config/versions'], ['POST', '/__vitrine/config/rollback'], ['POST', '/__vitrine/preview']]) {
    const none = await fetch(worker.url + p, { method, body: method === 'GET' ? undefined : '{}' });
    assert.equal(none.status, 401, `${method} ${p} without a token`);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="vitrine"');
    const wrong = await fetch(worker.url + p, { method, body: method === 'GET' ? undefined : '{}', headers: { authorization: 'Bearer nope-nope-nope-nope' } });
    assert.equal(wrong.status, 401, `${method} ${p} with a wrong token`);
  }
  const schema = await fetch(`${worker.url}/__vitrine/config/schema`);
  assert.equal(schema.status, 200);
  const s = await schema.json();
  assert.equal(s.title, 'vitrine storefront config');
  assert.ok(s.properties.rules && s.properties.site && s.properties.catalog);
});

test('push → version → rollback, stamped on every response, with If-Match', async () => {
  assert.equal(await stamp(), 'none', 'nothing pushed yet: a transparent proxy');
  const first = await push(demo);
  assert.equal(first.status, 201);
  const v1 = (await first.json()).version;
  assert.match(v1, /^[0-9a-f]{12}$/);
  assert.equal(first.headers.get('etag'), `"${v1}"`);
  assert.equal(await stamp(), v1);
  // Every response carries it: assets and redirects too.
  assert.match((await fetch(`${worker.url}/static/style.css`)).headers.get('x-vitrine'), new RegExp(`cfg=${v1}`));
  assert.match((await fetch(`${worker.url}/sale`, { redirect: 'manual' })).headers.get('x-vitrine'), new RegExp(`cfg=${v1}`));

  // The same content, formatted differently, is the same version.
  const again = await push(JSON.stringify(demo, null, 4));
  assert.equal(again.status, 200);
  assert.deepEqual(await again.json(), { version: v1, unchanged: true, warnings: [] });

  const changed = { ...demo, personalization: { strength: 0.8 } };
  const stale = await push(changed, { 'if-match': '"000000000000"' });
  assert.equal(stale.status, 412);
  assert.equal((await stale.json()).active, v1);
  assert.equal(await stamp(), v1, 'a stale push changes nothing');
  const second = await push(changed, { 'if-match': `"${v1}"` });
  assert.equal(second.status, 201);
  const v2 = (await second.json()).version;
  assert.notEqual(v2, v1);
  assert.equal(await stamp(), v2);

  const got = await api('/__vitrine/config');
  assert.equal(got.headers.get('etag'), `"${v2}"`);
  assert.equal((await got.json()).personalization.strength, 0.8);

  const versions = await (await api('/__vitrine/config/versions')).json();
  assert.equal(versions.active, v2);
  assert.deepEqual(versions.history.map((e) => [e.action, e.version, e.previous]), [['push', v1, null], ['push', v2, v1]]);

  const rb = await api('/__vitrine/config/rollback', { method: 'POST', body: JSON.stringify({ version: v1 }), headers: { 'if-match': `"${v2}"` } });
  assert.equal(rb.status, 200);
  assert.deepEqual(await rb.json(), { version: v1, previous: v2 });
  assert.equal(await stamp(), v1);
  const h = (await (await api('/__vitrine/config/versions')).json()).history;
  assert.deepEqual(h.at(-1).action, 'rollback');

  assert.equal((await api('/__vitrine/config/rollback', { method: 'POST', body: JSON.stringify({ version: 'ffffffffffff' }) })).status, 404);
  assert.equal((await api('/__vitrine/config/rollback', { method: 'POST', body: JSON.stringify({ version: '../../x' }) })).status, 400);
  const conflict = await api('/__vitrine/config/rollback', { method: 'POST', body: JSON.stringify({ version: v2 }), headers: { 'if-match': `"${v2}"` } });
  assert.equal(conflict.status, 412, 'rolling back against a stale version is refused');
});

test('an invalid document is rejected with every problem and its path; the live config stays', async () => {
  const live = await stamp();
  assert.match(live, /^[0-9a-f]{12}$/);
  const bad = {
    ...demo,
    site: { ...demo.site, plp: { grids: [{ name: 'g', container: 'ul[', tile: 'li', key: { attribute: 'data-sku' } }] } },
    rules: [
      { id: 'p', pin: { product: 'VT-0001', position: 0 } },
      { id: 'p', boost: { match: {}, weight: 20 } },
      { id: 'h', hero: { headline: 'x', cta: { href: 'javascript:alert(1)' } } },
      { id: 'two', pin: { product: 'A', position: 1 }, exclude: { match: { brand: ['x'] } } },
    ],
  };
  const res = await push(bad);
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.match(body.error, /live config is unchanged/);
  assert.deepEqual(body.errors.map((e) => e.path), [
    'site.plp.grids[0].container',
    'site.plp.grids[0].tile',
    'rules[0].pin.position',
    'rules[1].id',
    'rules[1].boost.weight',
    'rules[1].boost.match',
    'rules[2].hero.cta.href',
    'rules[3]',
  ]);
  assert.equal(body.errors.find((e) => e.path === 'rules[0].pin.position').message, 'must be at least 1');
  const typed = await push({ ...demo, rules: [{ id: 'x', pin: { product: 'A', position: 'first' } }] });
  assert.equal(typed.status, 400);
  assert.equal((await typed.json()).errors[0].path, 'rules[0].pin.position');
  assert.equal((await push('{not json')).status, 400);
  assert.equal(await stamp(), live, 'still the same live version');
});

test('warnings come back with a successful push', async () => {
  const doc = {
    ...demo,
    rules: [
      { id: 'a', pin: { product: 'VT-0001', position: 1 } },
      { id: 'b', pin: { product: 'VT-0002', position: 1 } },
      { id: 'old', schedule: { end: '2020-01-01' }, exclude: { match: { brand: ['Umbra'] } } },
      { id: 'up', boost: { match: { brand: ['Sable'] }, weight: 1 } },
      { id: 'down', bury: { match: { brand: ['Sable'] }, weight: 1 } },
    ],
  };
  const res = await push(doc);
  assert.equal(res.status, 201);
  const { warnings } = await res.json();
  assert.deepEqual(warnings.map((w) => w.path).sort(), ['rules[1].pin.position', 'rules[2].schedule.end', 'rules[4]']);
});

test('preview: a demo PLP before and after, the rules that fired, the hero, for a given visitor', async () => {
  const candidate = {
    ...demo,
    rules: [
      { id: 'pin-first', scope: { pages: ['plp'], categories: ['outerwear'] }, pin: { product: 'VT-0090', position: 1 } },
      { id: 'in-stock', guarantee: { in_stock_only: true } },
      { id: 'buy-hero', scope: { pages: ['plp'], intent: 'buy' }, hero: { variant: 'buy', headline: 'Ready to go?', cta: { text: 'See your bag', href: '/cart' } } },
    ],
  };
  const res = await api('/__vitrine/preview', {
    method: 'POST',
    body: JSON.stringify({ config: candidate, url: '/c/outerwear', visitor: { brands: { Kestrel: 200 }, intent: 'buy' } }),
  });
  assert.equal(res.status, 200);
  const p = await res.json();
  assert.equal(p.page, 'plp');
  assert.equal(p.category, 'outerwear');
  const grid = p.grids.find((g) => g.name === 'category');
  assert.equal(grid.tiles, 48);
  assert.equal(grid.before.length, 48);
  assert.equal(grid.after[0], 'VT-0090');
  const listing = (await (await fetch(`${origin.url}/api/products?category=outerwear`)).json()).products;
  const oos = listing.filter((x) => x.stock === 'out_of_stock').map((x) => x.sku);
  assert.ok(oos.length > 0);
  for (const k of oos) assert.ok(!grid.after.includes(k), `${k} is out of stock`);
  assert.deepEqual(grid.hidden.map((h) => h.key).sort(), oos.sort());
  assert.equal(grid.after.length + grid.hidden.length, 48, 'nothing dropped, nothing duplicated');
  assert.equal(new Set(grid.after).size, grid.after.length);
  // Kestrel rises for this visitor.
  const kestrel = new Set(listing.filter((x) => x.brand === 'Kestrel').map((x) => x.sku));
  const avg = (keys) => keys.reduce((s, k, i) => s + (kestrel.has(k) ? i : 0), 0) / keys.filter((k) => kestrel.has(k)).length;
  assert.ok(avg(grid.after) < avg(grid.before), 'Kestrel moved up');
  assert.equal(p.hero.variant, 'buy');
  const fired = p.fired.map((f) => f.rule);
  for (const id of ['pin-first', 'in-stock', 'buy-hero', 'affinity']) assert.ok(fired.includes(id), `${id} fired`);
  // Without consent: non-personal rules only.
  const anon = await (await api('/__vitrine/preview', { method: 'POST', body: JSON.stringify({ config: candidate, url: '/c/outerwear', visitor: { consent: false, intent: 'buy' } }) })).json();
  assert.equal(anon.hero, null);
  assert.equal(anon.grids[0].after[0], 'VT-0090');
  assert.ok(!anon.fired.some((f) => f.rule === 'affinity'));
});

test('the admin surface is off entirely without ADMIN_TOKEN', async () => {
  const off = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { ADMIN_TOKEN: '' }) });
  try {
    const res = await fetch(`${off.url}/__vitrine/config`, { headers: auth });
    assert.equal(res.status, 404, "the path is the origin's");
    assert.doesNotMatch(await res.text(), /admin token/);
  } finally {
    await off.stop();
  }
});

test('a shadow rule logs what it would change without changing the page', async () => {
  const listing = (await (await fetch(`${origin.url}/api/products?category=bags`)).json()).products;
  const target = listing[40].sku;
  const doc = {
    ...demo,
    rules: [{ id: 'try-pin', mode: 'shadow', scope: { pages: ['plp'], categories: ['bags'] }, pin: { product: target, position: 1 } }],
  };
  const pushed = await push(doc);
  assert.ok([200, 201].includes(pushed.status));
  const version = (await pushed.json()).version;
  const { Visitor } = await import('./harness.mjs');
  const v = new Visitor(worker.url, { headers: { 'x-vitrine-country': 'US' } });
  const res = await v.fetch('/c/bags');
  assert.match(res.headers.get('x-vitrine'), new RegExp(`cfg=${version}`));
  const direct = Buffer.from(await (await fetch(`${origin.url}/c/bags`)).arrayBuffer());
  assert.ok(res.body_.equals(direct), 'the page is exactly the origin page');
  const id = (await v.whoami()).signal.id;
  const { eventually } = await import('./harness.mjs');
  const shadow = await eventually(async () => {
    const events = (await (await fetch(`${origin.url}/collect/events?visitor=${id}`)).json()).events;
    return events.find((e) => e.type === 'shadow');
  });
  assert.ok(shadow, 'a shadow report reached the collector');
  assert.deepEqual(shadow.payload.rules, ['try-pin']);
  assert.equal(shadow.payload.shadow[0], target);
  assert.equal(shadow.payload.live[0], listing[0].sku);
  assert.equal(shadow.payload.version, version);
  // At a glance (the console's Shadow tab): the rule, how many listing views it would have
  // changed, on how many pages, and an example; read through the worker, as the console does.
  const summary = await (await fetch(`${worker.url}/collect/shadow`)).json();
  const mine = summary.rules.find((r) => r.rule === 'try-pin');
  assert.ok(mine.changed >= 1 && mine.paths >= 1, JSON.stringify(summary));
  assert.equal(mine.example.shadow[0], target);
  assert.ok(summary.listing_views >= mine.changed);
});

test('the CLI validates, pushes, lists and rolls back against the worker', async () => {
  const { execFile } = await import('node:child_process');
  const os = await import('node:os');
  const cli = (...args) =>
    new Promise((resolve) => {
      execFile(process.execPath, [path.join(root, 'www/tools/vitrine-config.mjs'), ...args], {
        env: { ...process.env, VITRINE_URL: worker.url, VITRINE_ADMIN_TOKEN: TEST_KEYS.ADMIN_TOKEN },
      }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, out: stdout + stderr }));
    });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-cli-'));
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ version: 1, rules: [{ id: 'x', pin: { product: 'A', position: 0 } }] }));
  const v = await cli('validate', bad);
  assert.equal(v.code, 2, v.out);
  assert.match(v.out, /error {3}rules\[0\]\.pin\.position: must be at least 1/);

  const good = path.join(dir, 'good.json');
  fs.writeFileSync(good, JSON.stringify({ ...demo, personalization: { strength: 0.33 } }));
  assert.match((await cli('validate', good)).out, /^valid \(version [0-9a-f]{12}\)$/m);
  const pushed = await cli('push', good);
  assert.equal(pushed.code, 0, pushed.out);
  const version = pushed.out.match(/version ([0-9a-f]{12}) is live \(was ([0-9a-f]{12}|none)\)/);
  assert.ok(version, pushed.out);
  assert.equal(await stamp(), version[1]);
  const listed = await cli('versions');
  assert.match(listed.out, new RegExp(`live: ${version[1]}`));
  if (version[2] !== 'none') {
    const rb = await cli('rollback', version[2]);
    assert.equal(rb.code, 0, rb.out);
    assert.equal(await stamp(), version[2]);
  }
  const preview = await cli('preview', good, '/c/shoes');
  assert.equal(preview.code, 0, preview.out);
  assert.match(preview.out, /grid category: 48 tiles/);

  // `show` gives back the document exactly as it was pushed: key order, spacing, `$schema`.
  const asWritten = `{\n  "$schema": "${worker.url}/__vitrine/config/schema",\n  "version": 1,\n  "personalization": { "strength": 0.41 },\n${JSON.stringify({ site: demo.site, rules: demo.rules }, null, 3).slice(1)}`;
  const mine = path.join(dir, 'mine.json');
  fs.writeFileSync(mine, asWritten);
  const p2 = await cli('push', mine);
  assert.equal(p2.code, 0, p2.out);
  const shown = await cli('show');
  assert.equal(shown.out, asWritten.endsWith('\n') ? asWritten : `${asWritten}\n`);

  // A page the origin does not have: preview says so before anything else.
  const gone = await cli('preview', good, '/c/no-such-category/nope');
  assert.match(gone.out.split('\n')[0], /the origin answered 404 for \/c\/no-such-category\/nope/, gone.out);

  // The ready-made visitors: each is a segment preview understands.
  const seen = {};
  for (const f of fs.readdirSync(path.join(root, 'www/visitors'))) {
    const visitor = JSON.parse(fs.readFileSync(path.join(root, 'www/visitors', f), 'utf8'));
    const r = await (await api('/__vitrine/preview', { method: 'POST', body: JSON.stringify({ config: demo, url: '/c/outerwear', visitor }) })).json();
    seen[f] = r.visitor;
  }
  assert.equal(seen['new.json'].returning, false);
  assert.equal(seen['returning.json'].returning, true);
  assert.equal(seen['buyer.json'].intent, 'buy');
  assert.equal(seen['customer.json'].customer, true);
  assert.ok(Object.values(seen).every((v) => v.consent), JSON.stringify(seen));
});

test('a large catalog pushed on its own is packed, loaded by the edge, and checked before showing a product', async () => {
  const catalog = JSON.parse(fs.readFileSync(path.join(root, 'www/catalog.json'), 'utf8'));
  const products = catalog.products.map((p) => ({
    key: p.sku, category: p.category, brand: p.brand, tags: p.tags, price: p.price, stock: p.stock,
    images: p.images.map((i) => ({ role: i.role, src: i.src })),
  }));
  // The catalog knows what the page does not yet: this bag sold out a minute ago.
  const listing = (await (await fetch(`${origin.url}/api/products?category=bags`)).json()).products;
  const gone = listing.find((p) => p.stock === 'in_stock').sku;
  products.find((p) => p.key === gone).stock = 'out_of_stock';
  // Scale it up to show the format holds: 100k products (the demo's, plus generated ones).
  for (let i = 0; products.length < 100_000; i++) {
    products.push({ key: `GEN-${i}`, category: 'bags', brand: `brand-${i % 500}`, tags: ['generated'], price: i % 300, stock: 'in_stock', images: [] });
  }
  const bad = await api('/__vitrine/catalog', { method: 'PUT', body: JSON.stringify({ products: [{ key: 'A', stock: 'maybe' }] }) });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).errors[0].path, 'products[0].stock');
  const res = await api('/__vitrine/catalog', { method: 'PUT', body: JSON.stringify({ products }) });
  assert.equal(res.status, 201, await res.clone().text());
  const info = await res.json();
  assert.equal(info.products, 100_000);
  assert.ok(info.bytes < 8 * 1024 * 1024, `${info.bytes} bytes`);
  const loaded = await (await api('/__vitrine/catalog')).json();
  assert.deepEqual(loaded, { version: info.version, products: 100_000, bytes: info.bytes });

  const candidate = { ...demo, rules: [{ id: 'in-stock', guarantee: { in_stock_only: true } }] };
  const p = await (await api('/__vitrine/preview', { method: 'POST', body: JSON.stringify({ config: candidate, url: '/c/bags' }) })).json();
  const grid = p.grids.find((g) => g.name === 'category');
  assert.ok(grid.hidden.some((h) => h.key === gone && h.rule === 'in-stock'), 'the catalog, not the stale tile, decides');
  assert.ok(!grid.after.includes(gone));
});

test('a canary: a stored version served to its share of visitors, the rest get the live one, every event says which', async () => {
  const crypto = await import('node:crypto');
  const { forgeSignal, eventually, Visitor } = await import('./harness.mjs');
  const v1 = (await (await push({ ...demo, personalization: { strength: 0.31 } })).json()).version;
  const v2 = (await (await push({ ...demo, personalization: { strength: 0.32 } })).json()).version;
  const set = await api('/__vitrine/config/canary', { method: 'PUT', body: JSON.stringify({ version: v1, share: 0.5 }) });
  assert.equal(set.status, 200, await set.text());
  const bucket = (id) => crypto.createHash('sha256').update(Buffer.concat([Buffer.from(`vitrine experiment\0canary:${v1}\0`), id])).digest().readUInt32BE(0) % 10000;
  const ids = Array.from({ length: 40 }, (_, i) => Buffer.from(`canary-${String(i).padStart(5, '0')}`).subarray(0, 12));
  const inCanary = ids.find((id) => bucket(id) < 5000);
  const inLive = ids.find((id) => bucket(id) >= 5000);
  const served = async (id) => {
    const v = new Visitor(worker.url, { headers: { 'x-vitrine-country': 'US', cookie: `vt=${await forgeSignal({ id })}` } });
    const res = await v.fetch('/c/shoes');
    return res.headers.get('x-vitrine').match(/cfg=([^;]+)/)[1];
  };
  assert.equal(await eventually(async () => (await served(inCanary)) === `${v1}-canary` && `${v1}-canary`), `${v1}-canary`);
  assert.equal(await served(inLive), v2);
  const events = await eventually(async () => {
    const all = (await (await fetch(`${origin.url}/collect/events?visitor=${inCanary.toString('hex')}`)).json()).events;
    return all.length && all;
  });
  assert.ok(events.every((e) => e.arms.canary === 'canary'), JSON.stringify(events.map((e) => e.arms)));
  // Stop it: everyone is served the live version.
  assert.equal((await api('/__vitrine/config/canary', { method: 'DELETE' })).status, 200);
  assert.equal(await eventually(async () => (await served(inCanary)) === v2 && v2), v2);
  // A canary of a version never pushed is refused.
  assert.equal((await api('/__vitrine/config/canary', { method: 'PUT', body: JSON.stringify({ version: '000000000000', share: 0.1 }) })).status, 404);
});
