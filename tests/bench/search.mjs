// `make bench`, search half: the demo search service's relevance on the held-out TEST half of the
// judged queries (nDCG@10 and recall@10 for keyword = BM25 alone, dense = the model alone, hybrid
// = both fused), its query latency (p50/p99 of the query embedding and of the whole search, in
// the service), its start-up (model load, catalog embedding, BM25 index), and the index build for
// SEARCH_SCALE synthetic products (10,000 by default; the README's 100k figure is SEARCH_SCALE=100000).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import { startSearch, evaluate, ask, judged, BIN, MODEL, root } from '../search/relevance.mjs';

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ms = (us) => (us / 1000).toFixed(1);

const svc = await startSearch();
try {
  for (const split of ['test', 'tune']) {
    const r = await evaluate(svc.url, { split });
    console.log(`bench search relevance, ${split === 'test' ? 'TEST half (held out)' : 'tuning half'}: ${r.queries} judged queries, binary relevance`);
    for (const m of ['keyword', 'dense', 'hybrid']) console.log(`  ${m.padEnd(8)} nDCG@10 ${r[m].ndcg.toFixed(3)}  recall@10 ${r[m].recall.toFixed(3)}`);
    if (split === 'test') {
      const misses = r.rows.filter((x) => x.hybrid.ndcg < 0.5).map((x) => `${x.q} (${x.hybrid.top[0] ?? 'nothing'})`);
      console.log(`  misses (hybrid nDCG@10 < 0.5): ${misses.join(', ')}`);
    }
  }
  // Latency: every judged query 5 times, hybrid, as the origin asks (48 per page).
  const embed = [];
  const total = [];
  for (let round = 0; round < 5; round++) {
    for (const j of judged) {
      const r = await ask(svc.url, { query: j.q, per_page: 48 });
      embed.push(r.timing.embed_us);
      total.push(r.timing.total_us);
    }
  }
  console.log(`bench search latency (${total.length} hybrid queries, in the service, ${os.cpus().length} cores):`);
  console.log(`  query embedding p50 ${ms(pct(embed, 50))} ms  p99 ${ms(pct(embed, 99))} ms; whole search p50 ${ms(pct(total, 50))} ms  p99 ${ms(pct(total, 99))} ms`);
} finally {
  svc.stop();
}
const figures = (args) => JSON.parse(execFileSync(BIN, ['--model', MODEL, '--catalog', path.join(root, 'www/catalog.json'), '--index-only', ...args], { stdio: ['ignore', 'pipe', 'ignore'] }));
const cold = figures([]);
console.log(`bench search start-up, demo catalog (${cold.products} products): model load ${cold.model_load_ms} ms, embeddings ${cold.embed_ms} ms (no cache), BM25 index ${cold.bm25_index_ms} ms`);
const n = Number(process.env.SEARCH_SCALE ?? 10000);
const scale = figures(['--synthetic', String(n)]);
const per = scale.embed_ms / scale.products;
console.log(`bench search index build, ${n} synthetic products: embeddings ${(scale.embed_ms / 1000).toFixed(1)} s (${per.toFixed(2)} ms per product, 2 views), BM25 ${scale.bm25_index_ms} ms${n < 100000 ? `; 100k at this rate ≈ ${((per * 100000) / 60000).toFixed(0)} min` : ''}`);
