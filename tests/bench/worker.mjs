// `make bench`, worker half: the built worker in workerd (inspector off, as the toolchain notes
// advise) in front of the real demo origin. Ratios measured in one run:
//
// - latency: median time per request through the worker / straight to the origin, per route;
// - CPU: workerd's own CPU time (utime+stime from /proc) per request for an HTML page streamed
//   through the rewriter, against a non-HTML pass-through of the same path length.
//
// Absolute numbers on a 2-core dev box say little about production (wrangler's proxy chain shares
// the CPU); compare the ratios.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startOrigin, startWorker, demoVars, Visitor } from '../e2e/harness.mjs';

const N = Number(process.env.BENCH_REQUESTS ?? 300);
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

function descendants(pid) {
  const out = [];
  for (const child of fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
    out.push(Number(child), ...descendants(Number(child)));
  }
  return out;
}
function workerdPids() {
  return descendants(process.pid).filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'workerd';
    } catch {
      return false;
    }
  });
}
function cpuMs(pids) {
  let ticks = 0;
  for (const p of pids) {
    const fields = fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return ticks * TICK_MS;
}

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
const worker = await startWorker({ origin: origin.url });
const pids = workerdPids();
try {
  console.log(`bench worker (${N} sequential requests per route; workerd pids ${pids.join(',') || 'not found'})`);
  console.log(`${'route'.padEnd(28)} ${'direct ms'.padStart(10)} ${'worker ms'.padStart(10)} ${'ratio'.padStart(7)} ${'workerd CPU ms/req'.padStart(19)}`);
  const rows = {};
  for (const [label, path] of [
    ['PLP html (streamed)', '/c/shoes'],
    ['PDP html (streamed)', '/p/' + (await (await fetch(`${origin.url}/api/products?category=bags`)).json()).products[3].slug],
    ['CSS (pass)', '/static/style.css'],
    ['JSON API (pass)', '/api/products?category=bags'],
  ]) {
    await timed(worker.url + path, 20); // warm up
    const direct = await timed(origin.url + path, N);
    const before = cpuMs(pids);
    const via = await timed(worker.url + path, N);
    const cpu = (cpuMs(pids) - before) / N;
    rows[label] = cpu;
    console.log(`${label.padEnd(28)} ${direct.toFixed(2).padStart(10)} ${via.toFixed(2).padStart(10)} ${(via / direct).toFixed(2).padStart(6)}x ${cpu.toFixed(3).padStart(19)}`);
  }
  const base = rows['JSON API (pass)'];
  if (base > 0) {
    console.log(`workerd CPU, PLP streamed / JSON pass-through: ${(rows['PLP html (streamed)'] / base).toFixed(2)}x (resolution ${TICK_MS} ms ticks over ${N} requests)`);
  }

  // The signal's cost, measured within ONE configured worker (comparing CPU across two workers is
  // unsound: each `unstable_startWorker` runs its own set of workerd processes). The same page, as
  // a crawler (the signal is skipped) and as a known visitor with a full cookie (verify, learn,
  // re-sign, Set-Cookie; on the PDP also holding the head until the product data has streamed).
  const before = new Set(workerdPids());
  const configured = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { COLLECTOR_URL: '' }) });
  const cpids = workerdPids().filter((p) => !before.has(p));
  try {
    const visitor = new Visitor(configured.url, { headers: { 'x-vitrine-country': 'US' } });
    for (const p of ['/c/bags', '/c/shoes']) await visitor.fetch(p);
    const human = { cookie: visitor.cookieHeader(), 'user-agent': visitor.headers['user-agent'], 'sec-fetch-dest': 'document', accept: 'text/html', 'x-vitrine-country': 'US' };
    const crawler = { ...human, 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1)' };
    const pdpPath = '/p/' + (await (await fetch(`${origin.url}/api/products?category=bags`)).json()).products[3].slug;
    console.log(`signal cost in the configured worker (workerd pids ${cpids.join(',')}): CPU ms/req, crawler vs known visitor`);
    for (const [label, path] of [['PLP', '/c/shoes'], ['PDP (learns)', pdpPath]]) {
      const cpuFor = async (headers) => {
        await timed(configured.url + path, 20, headers);
        const t0 = cpuMs(cpids);
        const median = await timed(configured.url + path, N, headers);
        return [(cpuMs(cpids) - t0) / N, median];
      };
      const [botCpu, botMs] = await cpuFor(crawler);
      const [sigCpu, sigMs] = await cpuFor(human);
      console.log(`  ${label.padEnd(14)} crawler ${botCpu.toFixed(3)} ms (${botMs.toFixed(2)} ms latency)  visitor ${sigCpu.toFixed(3)} ms (${sigMs.toFixed(2)} ms)  ratio ${(sigCpu / botCpu).toFixed(2)}x`);
    }
    // Personalization in wasm: the same page, the same worker, the same visitor, with the debug
    // bypass (a transparent proxy that still streams HTML through lol_html) and without.
    console.log('personalization in wasm (same worker, same visitor): CPU ms/req, bypass vs personalized');
    for (const [label, path] of [['PLP 48 tiles', '/c/outerwear'], ['PDP (facts, gallery)', pdpPath]]) {
      const cpuFor = async (headers) => {
        await timed(configured.url + path, 20, headers);
        const t0 = cpuMs(cpids);
        const median = await timed(configured.url + path, N, headers);
        return [(cpuMs(cpids) - t0) / N, median];
      };
      const [passCpu] = await cpuFor({ ...human, 'x-vitrine-bypass': '1' });
      const [persCpu] = await cpuFor(human);
      console.log(`  ${label.padEnd(22)} bypass ${passCpu.toFixed(3)} ms  personalized ${persCpu.toFixed(3)} ms  ratio ${(persCpu / passCpu).toFixed(2)}x (whole request: proxying, both streams, signal)`);
    }
    // Search at the edge: the worker's own cost on a search request (served from the edge cache,
    // re-ranked for the visitor) against the bypass (the origin's own answer, proxied), and the
    // fallback's latency when the origin's search is slowed far past the budget.
    const sq = '/api/search?q=boots';
    const sh = { ...human, accept: 'application/json', 'sec-fetch-dest': 'empty' };
    await timed(configured.url + sq, 5, sh); // fills the edge cache
    const t1 = cpuMs(cpids);
    const viaMs = await timed(configured.url + sq, N, sh);
    const searchCpu = (cpuMs(cpids) - t1) / N;
    const t2 = cpuMs(cpids);
    const bypassMs = await timed(configured.url + sq, N, { ...sh, 'x-vitrine-bypass': '1' });
    const bypassCpu = (cpuMs(cpids) - t2) / N;
    const originMs = await timed(origin.url + sq, N);
    console.log('search at the edge (same worker):');
    console.log(`  re-ranked from the edge cache: ${searchCpu.toFixed(3)} ms CPU, ${viaMs.toFixed(2)} ms median; bypass (origin answer proxied): ${bypassCpu.toFixed(3)} ms CPU, ${bypassMs.toFixed(2)} ms; origin direct ${originMs.toFixed(2)} ms`);
    console.log(`  edge CPU per search / bypass: ${(searchCpu / bypassCpu).toFixed(2)}x`);
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
  }
} finally {
  await worker.stop();
  await origin.stop();
}
