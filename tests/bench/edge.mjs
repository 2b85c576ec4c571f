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
import net from 'node:net';
import zlib from 'node:zlib';
import http from 'node:http';
import os from 'node:os';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FX = path.resolve(process.env.VITRINE_FIXTURES ?? path.join(root, '../shared/fixtures'));
const OUT = path.join(root, 'target/bench/edge');
const WORKERD = path.join(root, 'node_modules/@cloudflare/workerd-linux-64/bin/workerd');
const N = Number(process.env.BENCH_EDGE_REQUESTS ?? 150);
const ROUNDS = Number(process.env.BENCH_EDGE_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_EDGE_CONCURRENCY ?? 2);
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
    '/designer-radiators/index.html', 'sheffield-d-profile-white-horizontal-designer-radiator-3', { field: 'sub', selector: '.category-view .category-description' }, 'ol.product-items', 'li.product-item'),
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
  cfg.debug = { ...(cfg.debug ?? {}), bypass_header: 'x-vitrine-bypass' };
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

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

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

function capnpString(s) {
  return JSON.stringify(s);
}

/** A workerd config with the three workers of every page. */
function workerdConfig(pages, originPorts, socketPorts) {
  const rel = (p) => capnpString(path.relative(OUT, p));
  const services = [];
  const sockets = [];
  const workers = [];
  pages.forEach((page, i) => {
    const origin = `http://127.0.0.1:${originPorts[i]}`;
    const common = `compatibilityDate = "2026-04-26", globalOutbound = "internet"`;
    const kinds = {
      pass: `(modules = [(name = "pass.js", esModule = embed ${rel(path.join(root, 'tests/bench/ref/pass.js'))})], ${common}, bindings = [(name = "ORIGIN", text = ${capnpString(origin)})])`,
      rw: `(modules = [(name = "rewriter.js", esModule = embed ${rel(path.join(root, 'tests/bench/ref/rewriter.js'))})], ${common}, bindings = [(name = "ORIGIN", text = ${capnpString(origin)}), (name = "JOB", text = ${capnpString(JSON.stringify(page.job))})])`,
      vitrine: `(modules = [(name = "index.js", esModule = embed ${rel(path.join(root, 'build/index.js'))}), (name = "index_bg.wasm", wasm = embed ${rel(path.join(root, 'build/index_bg.wasm'))})], ${common}, bindings = [(name = "ORIGIN", text = ${capnpString(origin)}), (name = "SIGNAL_KEYS", text = ${capnpString(KEYS)}), (name = "VITRINE_CONFIG", text = ${capnpString(JSON.stringify(vitrineConfig(page)))})])`,
    };
    for (const [kind, worker] of Object.entries(kinds)) {
      const name = `${kind}${i}`;
      workers.push(`const w${name} :Workerd.Worker = ${worker};`);
      services.push(`(name = "${name}", worker = .w${name})`);
      sockets.push(`(name = "s${name}", address = "127.0.0.1:${socketPorts[name]}", http = (), service = "${name}")`);
    }
  });
  services.push('(name = "internet", network = (allow = ["public", "private"]))');
  return `using Workerd = import "/workerd/workerd.capnp";\nconst config :Workerd.Config = (\n  services = [\n    ${services.join(',\n    ')}\n  ],\n  sockets = [\n    ${sockets.join(',\n    ')}\n  ]\n);\n${workers.join('\n')}\n`;
}

// With two or more cores, workerd runs alone on the last one and the client and origins on the
// others: the measured worker then shares no core (and no cache) with the load it is under.
const CPUS = os.availableParallelism();
const TASKSET = CPUS >= 2 && spawnSync('taskset', ['--version']).status === 0;
const pinned = (cmd, args, cpu) => (TASKSET ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args]);
if (TASKSET) spawnSync('taskset', ['-p', '-c', `0-${CPUS - 2}`, String(process.pid)]);

async function startWorkerd(configFile, probePorts) {
  const child = spawn(...pinned(WORKERD, ['serve', configFile, '--verbose'], CPUS - 1), { cwd: OUT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const deadline = Date.now() + 60_000;
  for (const port of probePorts) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited: ${log}`);
      try {
        await new Promise((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1', () => s.end(resolve));
          s.once('error', reject);
        });
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`workerd did not listen on ${port}: ${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
  return { pid: child.pid, log: () => log, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) };
}

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
  if (!fs.existsSync(path.join(root, 'build/index.js'))) throw new Error('build/ is missing: run `make build`');
  if (!fs.existsSync(path.join(FX, 'storefronts'))) {
    console.log(`bench edge: skipped, no fixtures at ${FX}`);
    return;
  }
  fs.mkdirSync(OUT, { recursive: true });
  const pages = SELECTED;
  const bodies = pages.map((p) => p.body());
  const origins = await startOrigins(bodies);
  const ports = {};
  for (let i = 0; i < pages.length; i++) for (const k of ['pass', 'rw', 'vitrine']) ports[`${k}${i}`] = await freePort();
  const configFile = path.join(OUT, 'bench.capnp');
  fs.writeFileSync(configFile, workerdConfig(pages, origins.ports, ports));
  const workerd = await startWorkerd(configFile, Object.values(ports));
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
    origins.stop();
  }
}

function report(pages, cells, variants, bodies) {
  const wasm = path.join(root, 'build/index_bg.wasm');
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
