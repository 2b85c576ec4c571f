// `make bench`, search half: the demo engine's relevance on the judged query set (nDCG@10 and
// recall@10, hybrid vs keyword-only), and its latency per query.
import { evaluate } from '../search/relevance.mjs';

const r = evaluate();
console.log('bench search relevance (30 judged queries, binary relevance)');
console.log(`  hybrid   nDCG@10 ${r.hybrid.ndcg.toFixed(3)}  recall@10 ${r.hybrid.recall.toFixed(3)}`);
console.log(`  keyword  nDCG@10 ${r.keyword.ndcg.toFixed(3)}  recall@10 ${r.keyword.recall.toFixed(3)}`);
console.log(`  hybrid / keyword nDCG@10: ${(r.hybrid.ndcg / r.keyword.ndcg).toFixed(2)}x`);
const weak = r.rows.filter((x) => x.hybrid.ndcg < 0.9).map((x) => `${x.q} (${x.hybrid.ndcg.toFixed(2)})`);
if (weak.length) console.log(`  weakest: ${weak.join(', ')}`);
