// Relevance of the demo search engine on the judged query set: nDCG@10 and recall@10 with binary
// relevance, for hybrid and keyword-only retrieval. Shared by the test and `make bench`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIndex, search } from '../../www/lib/search.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function evaluate() {
  const catalog = JSON.parse(fs.readFileSync(path.join(root, 'www/catalog.json'), 'utf8'));
  const { queries } = JSON.parse(fs.readFileSync(path.join(root, 'tests/search/judgments.json'), 'utf8'));
  const index = buildIndex(catalog.products);
  const rows = [];
  for (const j of queries) {
    const relevant = new Set(
      catalog.products.filter((p) => j.types.includes(p.type) && (!j.brand || p.brand === j.brand)).map((p) => p.sku),
    );
    const row = { q: j.q, relevant: relevant.size };
    for (const mode of ['hybrid', 'keyword']) {
      const hits = search(index, { query: j.q, mode, perPage: 10 }).hits.map((h) => h.key);
      let dcg = 0;
      hits.forEach((k, i) => (dcg += relevant.has(k) ? 1 / Math.log2(i + 2) : 0));
      let idcg = 0;
      for (let i = 0; i < Math.min(10, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
      row[mode] = { ndcg: idcg ? dcg / idcg : 0, recall: hits.filter((k) => relevant.has(k)).length / Math.min(10, relevant.size || 1), hits: hits.length };
    }
    rows.push(row);
  }
  const mean = (mode, m) => rows.reduce((s, r) => s + r[mode][m], 0) / rows.length;
  return { rows, hybrid: { ndcg: mean('hybrid', 'ndcg'), recall: mean('hybrid', 'recall') }, keyword: { ndcg: mean('keyword', 'ndcg'), recall: mean('keyword', 'recall') } };
}
