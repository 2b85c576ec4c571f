// Relevance of the demo store's search on the judged queries (tests/search/judgments.json):
// nDCG@10 and recall@10 with binary relevance, per retrieval mode (keyword = BM25 alone, dense =
// the embedding model alone, hybrid = both fused), on the tuning or the test half. A query judged
// to have no relevant product scores 1 when nothing comes back and 0 otherwise. Shared by the
// tests, the tuning script and `make bench`; it talks to the real search service over HTTP.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startService, servicePaths } from '../../www/lib/search-service.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const catalog = JSON.parse(fs.readFileSync(path.join(root, 'www/catalog.json'), 'utf8'));
export const judged = JSON.parse(fs.readFileSync(path.join(root, 'tests/search/judgments.json'), 'utf8')).queries;

const paths = servicePaths(root);
export const BIN = paths.bin;
export const MODEL = paths.model;

/** Starts the search service over `catalogPath` (www/catalog.json by default); `{url, stop}`. */
export async function startSearch({ catalogPath = path.join(root, 'www/catalog.json'), args = [] } = {}) {
  for (const f of [BIN, path.join(MODEL, 'model.safetensors')]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`make setup\` (make test does it for you)`);
  }
  const s = await startService(BIN, MODEL, catalogPath, paths.cache, console.error, args);
  if (!s.url) throw new Error('the search service did not start');
  return { url: s.url, figures: s.figures, stop: () => s.child.kill() };
}

export async function ask(url, request) {
  const res = await fetch(`${url}/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  if (!res.ok) throw new Error(`search ${res.status}: ${await res.text()}`);
  return res.json();
}

export function relevantTo(j) {
  return new Set(
    catalog.products
      .filter((p) => j.types.includes(p.type) && (!j.brand || p.brand === j.brand) && (!j.colour || p.colour === j.colour))
      .map((p) => p.sku),
  );
}

/** nDCG@10 and recall@10 of a ranked list of keys against a relevant set. */
export function score(keys, relevant) {
  const top = keys.slice(0, 10);
  if (relevant.size === 0) {
    const v = top.length === 0 ? 1 : 0;
    return { ndcg: v, recall: v };
  }
  let dcg = 0;
  top.forEach((k, i) => (dcg += relevant.has(k) ? 1 / Math.log2(i + 2) : 0));
  let idcg = 0;
  for (let i = 0; i < Math.min(10, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  return { ndcg: dcg / idcg, recall: top.filter((k) => relevant.has(k)).length / Math.min(10, relevant.size) };
}

export const MODES = ['keyword', 'dense', 'hybrid'];

/** Evaluates the judged queries of `split` ('tune', 'test' or 'all') in each mode. */
export async function evaluate(url, { split = 'test', modes = MODES, tuning } = {}) {
  const queries = judged.filter((j) => split === 'all' || j.split === split);
  const rows = [];
  for (const j of queries) {
    const relevant = relevantTo(j);
    const row = { q: j.q, relevant: relevant.size };
    for (const mode of modes) {
      const r = await ask(url, { query: j.q, mode, per_page: 10, ...(tuning ? { tuning } : {}) });
      row[mode] = { ...score(r.hits.map((h) => h.key), relevant), hits: r.hits.length, top: r.hits.slice(0, 3).map((h) => h.product.type) };
    }
    rows.push(row);
  }
  const summary = {};
  for (const mode of modes) {
    summary[mode] = {
      ndcg: rows.reduce((s, r) => s + r[mode].ndcg, 0) / rows.length,
      recall: rows.reduce((s, r) => s + r[mode].recall, 0) / rows.length,
    };
  }
  return { split, queries: rows.length, rows, ...summary };
}
