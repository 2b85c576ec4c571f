// How the search service's fusion parameters were chosen: a grid over them, scored on the TUNING
// half of the judged queries only (the test half is for reporting: it refuses to look at it).
//   node tests/search/tune.mjs            (needs `make setup`: the service and its model)
// Prints the best settings; the chosen ones are Params::default() in www/search/src/engine.rs.
import { startSearch, evaluate } from './relevance.mjs';

const grid = {
  dense_min: [0.25, 0.3, 0.35, 0.4],
  dense_margin: [0.2, 0.3],
  dense_weight: [0.3, 0.5, 0.7],
  rrf_k: [10, 60],
  typo_weight: [1, 0.5, 0.25, 0],
  loose_from: [3, 99],
};
const combos = Object.entries(grid).reduce((acc, [k, vs]) => acc.flatMap((c) => vs.map((v) => ({ ...c, [k]: v }))), [{}]);
const svc = await startSearch({ args: ['--tuning'] });
try {
  const rows = [];
  for (const tuning of combos) {
    const r = await evaluate(svc.url, { split: 'tune', modes: ['hybrid'], tuning });
    rows.push({ tuning, ndcg: r.hybrid.ndcg, recall: r.hybrid.recall });
  }
  rows.sort((a, b) => b.ndcg - a.ndcg || b.recall - a.recall);
  console.log(`tuning half, ${combos.length} settings; the best:`);
  for (const r of rows.slice(0, 10)) console.log(`  nDCG@10 ${r.ndcg.toFixed(3)}  recall@10 ${r.recall.toFixed(3)}  ${JSON.stringify(r.tuning)}`);
} finally {
  svc.stop();
}
