// The demo search engine on real data: hybrid retrieval beats keyword-only on the judged set, and
// the cases it exists for work (synonyms, intents, typos).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate } from './relevance.mjs';
import { buildIndex, search } from '../../www/lib/search.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const catalog = JSON.parse(fs.readFileSync(path.join(root, 'www/catalog.json'), 'utf8'));
const index = buildIndex(catalog.products);
const types = (q, mode = 'hybrid') => search(index, { query: q, mode, perPage: 10 }).hits.map((h) => h.product.type);

test('hybrid beats keyword-only on the judged query set (nDCG@10 and recall@10)', () => {
  const r = evaluate();
  assert.equal(r.rows.length, 30);
  assert.ok(r.hybrid.ndcg > r.keyword.ndcg + 0.1, `hybrid ${r.hybrid.ndcg.toFixed(3)} vs keyword ${r.keyword.ndcg.toFixed(3)}`);
  assert.ok(r.hybrid.recall > r.keyword.recall, `recall ${r.hybrid.recall} vs ${r.keyword.recall}`);
  assert.ok(r.hybrid.ndcg > 0.8, `hybrid nDCG@10 ${r.hybrid.ndcg.toFixed(3)}`);
});

test('"sneakers" finds trainers and "warm jacket" finds parkas', () => {
  assert.ok(types('sneakers').slice(0, 5).every((t) => ['Trainers', 'Running Shoes'].includes(t)), types('sneakers').join());
  const warm = search(index, { query: 'warm jacket', perPage: 48 }).hits.map((h) => h.product.type);
  assert.ok(warm.includes('Parka'), `parkas on the first page: ${warm.join()}`);
  assert.ok(warm.slice(0, 10).every((t) => ['Parka', 'Puffer Jacket', 'Wool Overcoat', 'Fleece Jacket'].includes(t)), warm.join());
  // Keyword-only retrieval finds nothing for either: no product says "sneakers" or "warm".
  assert.equal(search(index, { query: 'sneakers', mode: 'keyword' }).total, 0);
  assert.equal(search(index, { query: 'warm jacket', mode: 'keyword' }).total, 0);
});

test('typos are tolerated; nonsense gets an honest empty result', () => {
  assert.equal(types('backpak')[0], 'Backpack');
  assert.equal(types('cardigen')[0], 'Cardigan');
  assert.equal(search(index, { query: 'xqzv plorb' }).total, 0);
  assert.equal(search(index, { query: '' }).total, 0);
});

test('the contract: filters, facets, paging, affinities', () => {
  const r = search(index, { query: 'boots', filters: { category: 'shoes', in_stock: true }, perPage: 5, page: 2 });
  assert.equal(r.page, 2);
  assert.ok(r.hits.length <= 5);
  for (const h of r.hits) {
    assert.equal(h.product.category, 'shoes');
    assert.notEqual(h.product.stock, 'out_of_stock');
    assert.equal(typeof h.score, 'number');
    assert.equal(h.key, h.product.sku);
  }
  assert.ok(Object.values(r.facets.brand).reduce((a, b) => a + b, 0) === r.total);
});
