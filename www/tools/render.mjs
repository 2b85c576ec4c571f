// Renders one demo page to stdout without starting the server (for benchmarks):
//   node www/tools/render.mjs plp shoes   |   node www/tools/render.mjs pdp VT-0001
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pages from '../lib/pages.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const catalog = JSON.parse(fs.readFileSync(path.join(here, '..', 'catalog.json'), 'utf8'));
const ctx = { catalog, cart: [] };
const [kind, arg] = process.argv.slice(2);
if (kind === 'plp') {
  const cat = catalog.categories.find((c) => c.key === (arg ?? 'shoes'));
  const items = catalog.products.filter((p) => p.category === cat.key);
  process.stdout.write(pages.plp(ctx, cat, { items: items.slice(0, 48), page: 1, pages: Math.ceil(items.length / 48), total: items.length }));
} else if (kind === 'pdp') {
  const p = catalog.products.find((x) => x.sku === (arg ?? 'VT-0001'));
  process.stdout.write(pages.pdp(ctx, p, catalog.products.filter((x) => x.category === p.category && x.sku !== p.sku).slice(0, 8)));
} else {
  console.error('usage: render.mjs plp <category> | pdp <sku>');
  process.exit(1);
}
