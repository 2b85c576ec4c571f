// `init`'s proposals on small pages of shapes real stores use (the real storefronts are in
// tests/e2e/init.test.mjs, through the worker): which repeated elements are the grid, where the key
// is, what stays with the slot, a product page's gallery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { propose } from '../../www/tools/init.mjs';

const stores = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/storefronts');

const tile = (i, inner = '') =>
  `<div class="card" data-position="${i + 1}"><a href="/p/item-${i}"><img src="/i/${i}.jpg"></a><span class="price">$${10 + i}.00</span>${inner}</div>`;
const menu = (n) => `<nav><ul class="menu">${Array.from({ length: n }, (_, i) => `<li class="menu-item"><a href="/c/${i}"><img src="/m/${i}.png"></a></li>`).join('')}</ul></nav>`;

test('the product grid, not the menu, with its key, facts and slot', () => {
  const html = `<body class="collection-template">${menu(12)}<main><h1>Boots</h1><div class="grid">${[0, 1, 2, 3, 4].map((i) => tile(i)).join('')}</div></main></body>`;
  const { config, notes } = propose(html, 'https://shop.example/c/boots');
  const grid = config.site.plp.grids[0];
  assert.equal(grid.container, 'div.grid', notes.join('\n'));
  assert.equal(grid.tile, 'div.card');
  assert.deepEqual(grid.key, { link: 'a', pattern: '/p/{product}' });
  assert.deepEqual(grid.facts, { price: { selector: '.price' } });
  assert.deepEqual(grid.slot, { attributes: ['data-position'] }, 'a position is the slot\'s, not a key');
  assert.deepEqual(config.site.pages, [{ type: 'plp', path: '/c/{category}' }]);
  assert.deepEqual(config.site.samples, ['/c/boots']);
});

test('a key on an element inside the tile, and tiles that are links', () => {
  const inner = (i) => `<button class="add" data-product_id="${100 + i}">Add</button>`;
  const html = `<ul class="products">${[0, 1, 2, 3].map((i) => `<li class="product">${tile(i, inner(i)).replace(/href="[^"]*"/, 'href="/quick-view"')}</li>`).join('')}</ul>`;
  const { config } = propose(html, 'https://shop.example/c/boots');
  assert.deepEqual(config.site.plp.grids[0].key, { selector: '[data-product_id]', attribute: 'data-product_id' });
  const links = `<section class="list">${[0, 1, 2, 3].map((i) => `<a class="product-card" href="../products/p${i}.html"><img src="/${i}.jpg"> $${i}.99</a>`).join('')}</section>`;
  const { config: c2 } = propose(links, 'https://shop.example/collections/all.html');
  assert.deepEqual(c2.site.plp.grids[0].key, { pattern: '/products/{product}.html' });
  assert.deepEqual(c2.site.pages[0].path, '/collections/{category}.html');
});

test('a product page: its JSON-LD and its gallery, not the related products', () => {
  const related = `<ul class="related">${[0, 1, 2, 3].map((i) => `<li class="product"><a href="/p/r${i}"><img src="/r/${i}.jpg"></a> £${i}.00</li>`).join('')}</ul>`;
  const gallery = `<div class="product-gallery">${[0, 1, 2].map((i) => `<figure class="slide"><img src="/g/${i}.jpg"></figure>`).join('')}</div>`;
  const html = `<head><script type="application/ld+json">{"@type":"Product","sku":"A1"}</script></head><body>${gallery}${related}</body>`;
  const { config } = propose(html, 'https://shop.example/p/trail-boot');
  assert.deepEqual(config.site.pages, [{ type: 'pdp', path: '/p/{product}' }]);
  assert.deepEqual(config.site.pdp, { product_data: [{ source: 'json_ld' }], gallery: { container: 'div.product-gallery', item: 'figure.slide' } });
});

test('a page with nothing repeated says so', () => {
  const { config, notes } = propose('<h1>About us</h1><p>We sell boots.</p>', 'https://shop.example/about');
  assert.equal(config.site.plp, undefined);
  assert.match(notes.join('\n'), /no product grid found/);
});

test('every real product page in the fixtures is proposed as one, with its gallery where the markup has one', { skip: !fs.existsSync(stores) && 'no ../shared/fixtures' }, () => {
  const found = [];
  for (const store of fs.readdirSync(stores).sort()) {
    const sources = fs.readFileSync(path.join(stores, store, 'SOURCES.md'), 'utf8');
    for (const file of fs.readdirSync(path.join(stores, store)).filter((f) => f.startsWith('pdp_'))) {
      const saved = sources.split('\n').find((l) => l.includes(`| ${file} |`)).match(/`([^`]+)`/)[1];
      const { config, notes } = propose(fs.readFileSync(path.join(stores, store, file), 'utf8'), `https://shop.example/${saved}`);
      assert.equal(config.site.pages[0].type, 'pdp', `${store}/${file}: ${notes.join('; ')}`);
      if (config.site.pdp.gallery) found.push(`${store}/${file}`);
    }
  }
  // Magento's gallery is rendered by script, Venture's and one WooCommerce product show a single
  // image: the other eleven have one in their markup.
  for (const store of ['bigcommerce', 'broadcast', 'storenvy', 'divi', 'woocommerce-storefront-sample/pdp_coloring-cap']) {
    assert.ok(found.some((f) => f.includes(store)), `${store}: ${found.join(', ')}`);
  }
  assert.equal(found.length, 11, found.join(', '));
});
