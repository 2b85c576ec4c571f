// `make bench`, edge search: the worker (wrangler's workerd, inspector off) in front of the real
// demo origin and its search engine. Against references outside vitrine:
//
// - a search answered at the edge (from the edge cache, re-ranked for a known visitor): latency
//   against the origin's own search answer fetched directly;
// - the origin's search slowed to 2 s: how long visitors wait, against the configured budget.
//
// The worker's CPU per request against JS workers is tests/bench/edge.mjs's job.
import { startOrigin, startWorker, demoVars, Visitor } from '../e2e/harness.mjs';

const N = Number(process.env.BENCH_REQUESTS ?? 300);

async function timed(url, n, headers = {}) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(url, { headers: { 'accept-encoding': 'gzip', ...headers } });
    await res.arrayBuffer();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const origin = await startOrigin();
const configured = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { COLLECTOR_URL: '' }) });
try {
  const visitor = new Visitor(configured.url, { headers: { 'x-vitrine-country': 'US' } });
  for (const p of ['/c/bags', '/c/shoes']) await visitor.fetch(p);
  const human = { cookie: visitor.cookieHeader(), 'user-agent': visitor.headers['user-agent'], 'x-vitrine-country': 'US' };
  const sq = '/api/search?q=boots';
  const sh = { ...human, accept: 'application/json', 'sec-fetch-dest': 'empty' };
  await timed(configured.url + sq, 5, sh); // fills the edge cache
  const viaMs = await timed(configured.url + sq, N, sh);
  const originMs = await timed(origin.url + sq, N);
  console.log(`bench search at the edge (${N} sequential requests):`);
  console.log(`  re-ranked from the edge cache: ${viaMs.toFixed(2)} ms median; the origin's search directly: ${originMs.toFixed(2)} ms (${(viaMs / originMs).toFixed(2)}x)`);
  const budget = JSON.parse(demoVars(origin.url).VITRINE_CONFIG).site.search.budget_ms;
  await fetch(`${origin.url}/__origin/search-fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delay_ms: 2000 }) });
  try {
    const times = [];
    const order = [];
    for (let i = 0; i < 8; i++) {
      const t = performance.now();
      const r = await fetch(`${configured.url}/api/search?q=${encodeURIComponent(`fallback probe ${i}`)}`, { headers: sh });
      await r.arrayBuffer();
      times.push(performance.now() - t);
      order.push(times.at(-1));
    }
    times.sort((a, b) => a - b);
    const med = times[Math.floor(times.length / 2)];
    console.log(`  origin search slowed to 2000 ms, budget ${budget} ms: answers in ${order.map((x) => x.toFixed(0)).join(', ')} ms (in order)`);
    console.log(`  worst ${times.at(-1).toFixed(0)} ms = ${(times.at(-1) / budget).toFixed(2)}x the budget (waiting out the budget, then the keyword fallback); median ${med.toFixed(0)} ms once the circuit is open`);
  } finally {
    await fetch(`${origin.url}/__origin/search-fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  }
} finally {
  await configured.stop();
  await origin.stop();
}
