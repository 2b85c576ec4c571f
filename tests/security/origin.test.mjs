// The demo origin is part of what newcomers run: it must not fall over on a stray cookie, must not
// let anyone slow the store down, and must not put catalog strings into HTML unescaped.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startOrigin } from '../e2e/harness.mjs';
import { tile, pdp } from '../../www/lib/pages.mjs';

let open;
let closed;
before(async () => {
  open = await startOrigin();
  closed = await startOrigin({ env: { ORIGIN_TEST_HOOKS: '0' } });
});
after(async () => {
  await open?.stop();
  await closed?.stop();
});

test('a cookie with a stray % is kept as it came, not a 500', async () => {
  for (const cookie of ['cart=%', 'cart=%E0%A4%A', 'x=%zz; cart=VT-0001:1']) {
    const res = await fetch(`${closed.url}/cart`, { headers: { cookie } });
    assert.equal(res.status, 200, cookie);
  }
});

test('the test hooks are closed unless asked for', async () => {
  const hooks = [
    ['GET', '/__origin/last-search'],
    ['POST', '/__origin/search-fault'],
  ];
  for (const [method, p] of hooks) {
    const res = await fetch(closed.url + p, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{"delay_ms":5000}' : undefined });
    assert.equal(res.status, 404, `${method} ${p}`);
  }
  assert.equal((await fetch(`${open.url}/__origin/last-search`)).status, 200, 'the test harness opens them');
});

test('catalog strings never become markup', () => {
  const evil = {
    sku: 'VT-9999"><script>1</script>',
    slug: 'x"><script>2</script>',
    title: '<script>3</script>',
    brand: '<b onmouseover=4>',
    category: 'shoes"><i>',
    price: 10,
    currency: 'GBP',
    stock: 'in_stock',
    tags: ['<t>'],
    rating: 4,
    description: '</script><script>5</script>',
    images: [{ role: 'packshot"><x>', src: '/img/"onerror="6', alt: '"><svg onload=7>' }],
  };
  const html = tile(evil);
  assert.doesNotMatch(html, /<script>|<b onmouseover|<svg|"onerror=/);
  const ctx = { catalog: { categories: [{ key: 'shoes', name: 'Shoes' }] }, cart: [] };
  const page = pdp(ctx, evil, []);
  assert.doesNotMatch(page.replace(/<script type="application\/ld\+json">[^<]*<\/script>/g, ''), /<script>|<b onmouseover|<svg|"onerror=|<i>/);
  // JSON-LD carries the strings, but no `<` can end its script element.
  for (const m of page.matchAll(/<script type="application\/ld\+json">([^<]*)<\/script>/g)) JSON.parse(m[1]);
});
