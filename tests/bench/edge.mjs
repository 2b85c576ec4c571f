// `make bench`, edge half: what vitrine costs in the runtime that bills it, against references
// outside vitrine, measured in one run on the same machine and the same pages.
//
// One bare workerd process (no wrangler, no proxies, inspector off) runs, per page, three workers
// in front of the same static origin:
//   - a plain JS pass-through (tests/bench/ref/pass.js);
//   - a JS worker doing the same job with workerd's native HTMLRewriter (tests/bench/ref/
//     rewriter.js): the same tiles reordered byte-exact, the same hero text swapped, the same
//     product fact read;
//   - vitrine (build/index.js + index_bg.wasm), with the page's platform config plus a pin of the
//     last tile and a hero variant, so it really reorders and swaps.
// and vitrine is asked three ways: pass-through (the debug bypass), personalized (a known,
// consenting visitor), a crawler. Cells alternate in rounds; CPU per request is workerd's own
// (every thread's run time from /proc/<pid>/task/*/schedstat, ns), divided by requests served.
//
//   node tests/bench/edge.mjs            (BENCH_EDGE_REQUESTS per cell per round, default 150;
//                                          BENCH_EDGE_ROUNDS, default 3; BENCH_EDGE_CONCURRENCY, 2)
//
// Prints the table and writes target/bench/edge.json. Compare ratios within one run.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import http from 'node:http';
import os from 'node:os';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { root, freePort, startWorkerd, vitrineModules } from '../e2e/workerd.mjs';

const FX = path.resolve(process.env.VITRINE_FIXTURES ?? path.join(root, '../shared/fixtures'));
const OUT = path.join(root, 'target/bench/edge');
const N = Number(process.env.BENCH_EDGE_REQUESTS ?? 150);
const ROUNDS = Number(process.env.BENCH_EDGE_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_EDGE_CONCURRENCY ?? 2);
// BENCH_VITRINE_BUILD=<dir>: another build of vitrine (index.js + index_bg.wasm), e.g. an older
// commit's, to compare it in the same run conditions.
const BUILD = path.resolve(process.env.BENCH_VITRINE_BUILD ?? path.join(root, 'build'));
const KEYS = '1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

// --- the pages ---------------------------------------------------------------------------------

const store = (p) => path.join(FX, 'storefronts', p);
const demo = (kind, arg) => () => execFileSync(process.execPath, [path.join(root, 'www/tools/render.mjs'), kind, arg]);
const catalog = JSON.parse(fs.readFileSync(path.join(root, 'www/catalog.json'), 'utf8'));
const demoSlug = catalog.products.find((p) => p.sku === 'VT-0007').slug;

/** A listing of a platform config: vitrine pins the last tile first and swaps the hero's `field`. */
function listing(name, file, config, urlPath, pin, hero, grid, tile) {
  return { name, body: () => fs.readFileSync(store(file)), config, path: urlPath, pin, hero, job: { grid, tile, hero: hero.selector, text: 'Chosen for you' } };
}

export const PAGES = [
  listing('WooCommerce listing', 'woocommerce-storefront-sample/plp_product-category-accessories.html', 'tests/configs/woocommerce.json',
    '/commerce/product-category/accessories', 'sunglasses', { field: 'headline', selector: 'header.woocommerce-products-header h1' }, 'ul.products', 'li.product'),
  listing('Magento listing', 'magento2-geyser-co-uk/plp_designer-radiators.html', 'tests/configs/magento.json',
    '/designer-radiators/index.html', 'sheffield-d-profile-white-horizontal-designer-radiator-3', { field: 'sub', selector: '.category-view .category-description > p:first-of-type' }, 'ol.product-items', 'li.product-item'),
  listing('BigCommerce listing', 'bigcommerce-stencil-smart-electronics/plp_shop-all.html', 'tests/configs/bigcommerce.json',
    '/shop-all/', 'air-pro-4-buds-tws-earbuds-with-anc', { field: 'headline', selector: '.category-top h2.section-heading' }, '#product-listing-container ul.productGrid', 'li.product'),
  listing('BigCommerce large listing', 'bigcommerce-stencil-smart-electronics/plp_shop-all-best-electronics.html', 'tests/configs/bigcommerce.json',
    '/shop-all/best', 'galaxy-z-flip4', { field: 'headline', selector: '.category-top h2.section-heading' }, '#product-listing-container ul.productGrid', 'li.product'),
  listing('Shopify listing', 'shopify-venture-7vapes/plp_collections-all.html', 'tests/configs/shopify.json',
    '/collections/all', 'quattro-vape-juice-deal', { field: 'headline', selector: 'header.section-header h1.section-header__title' }, '.grid--uniform', '.grid__item'),
  {
    name: 'demo listing, 48 tiles', body: demo('plp', 'outerwear'), config: 'www/vitrine.config.json', path: '/c/outerwear',
    job: { grid: 'section.listing ul.product-grid', tile: 'li.product-tile', hero: 'section.hero .hero__headline', text: 'Chosen for you' },
  },
  {
    name: 'demo product page', body: demo('pdp', 'VT-0007'), config: 'www/vitrine.config.json', path: `/p/${demoSlug}`,
    job: { grid: '.gallery', tile: '.gallery__item', fact: 'script[type="application/ld+json"]' },
  },
  {
    name: 'largest real page (1.9 MB PDP)',
    body: () => zlib.gunzipSync(fs.readFileSync(path.join(FX, 'pdp-corpus/html/cfd548adcbf7b92aba56738f4a44695b98173415fc0124b3b74116628c870062.html.gz'))),
    config: { version: 1, site: { pages: [{ type: 'pdp', path: '/dp/{product}' }], pdp: { product_data: [{ source: 'text', selector: '#bylineInfo', field: 'brand' }], learn_window_kb: 1024 } } },
    path: '/dp/B001FK81PU', job: { fact: '#bylineInfo' },
  },
];

// BENCH_EDGE_PAGES=<substring>[,<substring>]: only the pages whose name contains one of them.
const PAGE_FILTER = process.env.BENCH_EDGE_PAGES?.split(',').map((x) => x.trim().toLowerCase());
const SELECTED = PAGES.filter((p) => !PAGE_FILTER || PAGE_FILTER.some((f) => p.name.toLowerCase().includes(f)));

/** The vitrine config a page runs with: its platform config, the bench's rules, a bypass header. */
function vitrineConfig(page) {
  const cfg = typeof page.config === 'string' ? JSON.parse(fs.readFileSync(path.join(root, page.config), 'utf8')) : structuredClone(page.config);
  cfg.debug = { ...(cfg.debug ?? {}), bypass_header: 'x-vitrine-bypass', outcome: false };
  cfg.consent ??= { cookie: 'consent', granted: ['all'], denied: ['none'] };
  if (page.pin) {
    cfg.rules = [
      ...(cfg.rules ?? []),
      { id: 'bench-pin', pin: { product: page.pin, position: 1 } },
      { id: 'bench-hero', hero: { [page.hero.field]: 'Chosen for you' } },
    ];
  }
  return cfg;
}

// --- processes ---------------------------------------------------------------------------------

/** Serves each page's bytes on its own port (a child process, so it does not share the client's loop). */
async function startOrigins(bodies) {
  const dir = fs.mkdtempSync(path.join(OUT, 'origin-'));
  const files = bodies.map((b, i) => {
    const f = path.join(dir, `${i}.html`);
    fs.writeFileSync(f, b);
    return f;
  });
  const ports = await Promise.all(files.map(freePort));
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--origins', JSON.stringify(files.map((f, i) => [f, ports[i]]))], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (TASKSET) spawnSync('taskset', ['-p', '-c', `0-${Math.max(0, CPUS - 2)}`, String(child.pid)]);
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('ready') && resolve());
    child.once('exit', (c) => reject(new Error(`origins exited ${c}`)));
  });
  return { ports, stop: () => child.kill('SIGTERM') };
}

/** The three workers of a page (see `capnp` in tests/e2e/workerd.mjs), in front of `origin`. */
function pageWorkers(page, origin, ports, build) {
  return {
    pass: { port: ports.pass, modules: [['pass.js', 'esModule', path.join(root, 'tests/bench/ref/pass.js')]], text: { ORIGIN: origin } },
    rw: { port: ports.rw, modules: [['rewriter.js', 'esModule', path.join(root, 'tests/bench/ref/rewriter.js')]], text: { ORIGIN: origin, JOB: JSON.stringify(page.job) } },
    vitrine: { port: ports.vitrine, modules: vitrineModules(build), text: { ORIGIN: origin, SIGNAL_KEYS: KEYS, VITRINE_CONFIG: JSON.stringify(vitrineConfig(page)) } },
  };
}

// With two or more cores, workerd runs alone on the last one and the client and origins on the
// others: the measured worker then shares no core (and no cache) with the load it is under.
const CPUS = os.availableParallelism();
const TASKSET = CPUS >= 2 && spawnSync('taskset', ['--version']).status === 0;
const PIN = TASKSET ? ['taskset', '-c', String(CPUS - 1)] : [];
if (TASKSET) spawnSync('taskset', ['-p', '-c', `0-${CPUS - 2}`, String(process.pid)]);

/** Run time of every thread of a process, ms (ns resolution). */
function cpuMs(pid) {
  let ns = 0;
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return ns / 1e6;
}

// --- requests ----------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function get(port, urlPath, headers) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - t }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function load(port, urlPath, headers, n) {
  const times = [];
  let next = 0;
  const one = async () => {
    while (next < n) {
      next++;
      const r = await get(port, urlPath, headers);
      if (r.status !== 200) throw new Error(`${urlPath}: status ${r.status}`);
      times.push(r.ms);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, one));
  return times;
}

function forgeCookie() {
  // The signal wire format (src/signal/cookie.rs, pinned by its golden test): a returning visitor
  // with two brand interests.
  const crypto = globalThis.crypto;
  return import('node:crypto').then(({ createHmac, randomBytes }) => {
    const key = Buffer.from(KEYS.split(':')[1], 'base64url');
    const nowMin = Math.floor((Date.now() / 1000 - 1_704_067_200) / 60);
    const body = [1, 1, ...randomBytes(12)];
    const u16 = (v) => body.push((v >> 8) & 255, v & 255);
    const u32 = (v) => body.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
    u16(Math.floor(nowMin / 1440) - 10);
    u32(nowMin - 1);
    u16(5);
    u16(3);
    body.push(0, 0, 2, 0);
    const fnv = (s) => {
      let h = 0x811c9dc5;
      for (const b of Buffer.from(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
      return ((h >>> 16) ^ (h & 0xffff)) & 0xffff;
    };
    for (const [name, w] of [['kestrel', 200], ['sable', 80]]) {
      u16(fnv(name));
      body.push(w);
    }
    const tag = createHmac('sha256', key).update(Buffer.concat([Buffer.from('vitrine-signal-v1\0'), Buffer.from(body)])).digest().subarray(0, 12);
    void crypto;
    return Buffer.concat([Buffer.from(body), tag]).toString('base64url');
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

// --- main --------------------------------------------------------------------------------------

async function main() {
  if (!fs.existsSync(path.join(FX, 'storefronts'))) {
    console.log(`bench edge: skipped, no fixtures at ${FX}`);
    return;
  }
  fs.mkdirSync(OUT, { recursive: true });
  const pages = SELECTED;
  const bodies = pages.map((p) => p.body());
  const origins = await startOrigins(bodies);
  const ports = {};
  const workers = {};
  for (let i = 0; i < pages.length; i++) {
    const own = { pass: await freePort(), rw: await freePort(), vitrine: await freePort() };
    for (const [k, w] of Object.entries(pageWorkers(pages[i], `http://127.0.0.1:${origins.ports[i]}`, own, BUILD))) {
      ports[`${k}${i}`] = own[k];
      workers[`${k}${i}`] = w;
    }
  }
  const workerd = await startWorkerd(workers, { dir: fs.mkdtempSync(path.join(OUT, 'workerd-')), prefix: PIN });
  process.on('uncaughtException', (e) => {
    console.error(`${e.stack}\nworkerd said:\n${workerd.log()}`);
    process.exit(1);
  });
  try {
    const vt = await forgeCookie();
    const human = { 'user-agent': UA, accept: 'text/html', 'sec-fetch-dest': 'document', 'accept-encoding': 'identity', 'x-vitrine-country': 'US' };
    const variants = {
      'JS pass': (i) => [ports[`pass${i}`], human],
      'JS HTMLRewriter': (i) => [ports[`rw${i}`], human],
      'vitrine pass-through': (i) => [ports[`vitrine${i}`], { ...human, cookie: `vt=${vt}; consent=all`, 'x-vitrine-bypass': '1' }],
      'vitrine personalized': (i) => [ports[`vitrine${i}`], { ...human, cookie: `vt=${vt}; consent=all` }],
      'vitrine crawler': (i) => [ports[`vitrine${i}`], { ...human, 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' }],
    };
    // Each does its job: the rewriters change the page, the pass-throughs do not.
    for (let i = 0; i < pages.length; i++) {
      for (const [v, at] of Object.entries(variants)) {
        const [port, headers] = at(i);
        const r = await get(port, pages[i].path, headers).catch((e) => {
          throw new Error(`${pages[i].name} / ${v}: ${e.message}\n${workerd.log()}`);
        });
        const same = r.body.equals(bodies[i]);
        const mustChange = v === 'JS HTMLRewriter' ? Boolean(pages[i].job.grid || pages[i].job.hero) : v === 'vitrine personalized' && Boolean(pages[i].pin || pages[i].job.grid);
        const markers = r.body.includes('<!--vt:');
        if (r.status !== 200 || (v.includes('pass') && !same) || (mustChange && same) || markers) {
          throw new Error(`${pages[i].name} / ${v}: status ${r.status}, body ${same ? 'unchanged' : 'changed'} (${r.headers['x-vitrine'] ?? ''})\n${workerd.log()}`);
        }
      }
    }
    const cells = {};
    for (let i = 0; i < pages.length; i++) for (const v of Object.keys(variants)) cells[`${i}|${v}`] = { cpu: 0, n: 0, times: [] };
    for (const [v, at] of Object.entries(variants)) for (let i = 0; i < pages.length; i++) await load(...at(i).slice(0, 1), pages[i].path, at(i)[1], 10).catch(() => {});
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < pages.length; i++) {
        for (const [v, at] of Object.entries(variants)) {
          const [port, headers] = at(i);
          const c0 = cpuMs(workerd.pid);
          const times = await load(port, pages[i].path, headers, N);
          const cell = cells[`${i}|${v}`];
          cell.cpu += cpuMs(workerd.pid) - c0;
          cell.n += N;
          cell.times.push(...times);
        }
      }
    }
    report(pages, cells, Object.keys(variants), bodies);
  } finally {
    await workerd.stop();
  }
  try {
    await coldStart(pages, origins);
  } finally {
    origins.stop();
  }
}

/**
 * Cold start: a fresh workerd with one worker, from spawn to its first response (the demo listing
 * when it was benched, else the first page), for each of the three workers, BENCH_COLD_RUNS times
 * (default 5), medians. A fresh process is the closest a local run gets to a fresh isolate: what
 * vitrine adds over the JS pass-through is compiling and instantiating its wasm and compiling its
 * config on the first request.
 */
async function coldStart(pages, origins) {
  const runs = Number(process.env.BENCH_COLD_RUNS ?? 5);
  if (runs <= 0) return;
  const i = Math.max(0, pages.findIndex((p) => p.name.startsWith('demo listing')));
  const page = pages[i];
  const vt = await forgeCookie();
  const headers = { 'user-agent': UA, accept: 'text/html', 'accept-encoding': 'identity', cookie: `vt=${vt}; consent=all`, 'x-vitrine-country': 'US' };
  const out = {};
  for (let r = 0; r < runs; r++) {
    for (const kind of ['pass', 'rw', 'vitrine']) {
      const port = await freePort();
      const all = pageWorkers(page, `http://127.0.0.1:${origins.ports[i]}`, { pass: port, rw: port, vitrine: port }, BUILD);
      const t0 = performance.now();
      const w = await startWorkerd({ [kind]: all[kind] }, { dir: fs.mkdtempSync(path.join(OUT, 'cold-')), prefix: PIN, poll: 2 });
      const listening = performance.now();
      const first = await get(port, page.path, headers);
      const t1 = performance.now();
      const cpu = cpuMs(w.pid);
      await w.stop();
      if (first.status !== 200) throw new Error(`cold ${kind}: status ${first.status}`);
      (out[kind] ??= []).push({ total: t1 - t0, first: t1 - listening, cpu });
    }
  }
  const med = (xs) => pct(xs, 50);
  const names = { pass: 'JS pass', rw: 'JS HTMLRewriter', vitrine: 'vitrine' };
  console.log(`cold start, ${page.name}: fresh workerd to first response, median of ${runs} (ms)`);
  console.log(`${''.padEnd(18)}${['spawn->response', 'first request', 'workerd CPU'].map((h) => h.padStart(17)).join('')}`);
  const rows = {};
  for (const [kind, xs] of Object.entries(out)) {
    rows[names[kind]] = { total_ms: med(xs.map((x) => x.total)), first_request_ms: med(xs.map((x) => x.first)), cpu_ms: med(xs.map((x) => x.cpu)) };
    const r = rows[names[kind]];
    console.log(`${names[kind].padEnd(18)}${[r.total_ms, r.first_request_ms, r.cpu_ms].map((v) => v.toFixed(1).padStart(17)).join('')}`);
  }
  const file = path.join(root, 'target/bench/edge.json');
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  doc.cold_start = { page: page.name, runs, rows };
  fs.writeFileSync(file, JSON.stringify(doc, null, 1));
}

function report(pages, cells, variants, bodies) {
  const wasm = path.join(BUILD, 'index_bg.wasm');
  const raw = fs.statSync(wasm).size;
  const gz = zlib.gzipSync(fs.readFileSync(wasm), { level: 9 }).length;
  console.log(`bench edge: workerd alone, ${ROUNDS} rounds x ${N} requests per cell at concurrency ${CONCURRENCY}; CPU ms per request (all workerd threads)`);
  const head = ['page', 'KB', ...variants.map((v) => v.replace('vitrine ', 'v. ')), 'pass/JS pass', 'pers/JS rw'];
  console.log(`${head[0].padEnd(32)}${head.slice(1).map((h) => h.padStart(13)).join('')}`);
  const rows = [];
  pages.forEach((p, i) => {
    const cpu = Object.fromEntries(variants.map((v) => [v, cells[`${i}|${v}`].cpu / cells[`${i}|${v}`].n]));
    const lat = Object.fromEntries(variants.map((v) => [v, { p50: pct(cells[`${i}|${v}`].times, 50), p99: pct(cells[`${i}|${v}`].times, 99) }]));
    const passRatio = cpu['vitrine pass-through'] / cpu['JS pass'];
    const persRatio = cpu['vitrine personalized'] / cpu['JS HTMLRewriter'];
    rows.push({ page: p.name, kb: Math.round(bodies[i].length / 1024), cpu_ms: cpu, latency_ms: lat, pass_vs_js_pass: passRatio, personalized_vs_js_rewriter: persRatio });
    const cols = [String(Math.round(bodies[i].length / 1024)), ...variants.map((v) => cpu[v].toFixed(3)), `${passRatio.toFixed(2)}x`, `${persRatio.toFixed(2)}x`];
    console.log(`${p.name.padEnd(32)}${cols.map((c) => c.padStart(13)).join('')}`);
  });
  console.log(`latency p50 / p99 ms at concurrency ${CONCURRENCY}:`);
  pages.forEach((p, i) => {
    console.log(`${p.name.padEnd(32)}${variants.map((v) => `${rows[i].latency_ms[v].p50.toFixed(1)}/${rows[i].latency_ms[v].p99.toFixed(1)}`.padStart(13)).join('')}`);
  });
  console.log(`wasm: ${raw} bytes raw, ${gz} bytes gzip`);
  fs.writeFileSync(path.join(root, 'target/bench/edge.json'), JSON.stringify({ when: new Date().toISOString(), rounds: ROUNDS, requests: N, concurrency: CONCURRENCY, wasm: { raw, gzip: gz }, rows }, null, 1));
}

if (process.argv[2] === '--origins') {
  const list = JSON.parse(process.argv[3]);
  let up = 0;
  for (const [file, port] of list) {
    const body = fs.readFileSync(file);
    http
      .createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=60', 'content-length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
      })
      .listen(port, '127.0.0.1', () => ++up === list.length && console.log('ready'));
  }
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
