// A traffic simulator: synthetic shoppers browse the demo store through the worker over HTTP
// (127.0.0.1 only; bounded in count and time), so the report shows personalization's effect end
// to end. Each shopper has a latent favourite brand and category and a price sensitivity; on a
// listing they look down the page (attention falls with position) and click what matches their
// taste, more often near the top; on the product they add to cart, sometimes buy. Personalization
// moves what they like higher for the treatment arm; the holdout's control arm sees the origin's
// order. `--aa` serves both arms the same (rails only for everyone): the report must then find no
// significant difference, as often as the confidence level allows.
//
//   node www/tools/simulate.mjs [--shoppers 300] [--aa] [--seed 1] [--url http://127.0.0.1:8787]
//
// Without --url it starts its own demo origin and worker (the end-to-end harness) and prints the
// report's verdict.

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

/** A deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0.0.0 Safari/537.36';

/** One browser: a cookie jar, a real user agent, from a consent-by-default country. */
function browser(base) {
  const jar = new Map();
  return async (path, init = {}) => {
    const url = new URL(path, base);
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new Error('the simulator only talks to 127.0.0.1');
    const headers = { 'user-agent': UA, accept: 'text/html', 'sec-fetch-dest': 'document', 'x-vitrine-country': 'US', ...(init.headers ?? {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', ...init, headers });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const v = pair.slice(i + 1).trim();
      if (/max-age=0/i.test(c) || v === '') jar.delete(pair.slice(0, i).trim());
      else jar.set(pair.slice(0, i).trim(), v);
    }
    return { res, text: await res.text() };
  };
}

const tilesOf = (html) =>
  [...html.matchAll(/<li class="product-tile[^"]*"([^>]*)>[\s\S]*?href="([^"]+)"/g)].map((m) => {
    const attr = (n) => m[1].match(new RegExp(`data-${n}="([^"]*)"`))?.[1];
    return { sku: attr('sku'), brand: attr('brand'), category: attr('category'), price: Number(attr('price')), href: m[2] };
  });

/** One shopper's visit: three listing views, clicks, add-to-carts, maybe an order. */
async function shopper(base, r, taste) {
  const go = browser(base);
  let bought = [];
  // First they look around their favourite category and open a couple of products of the brand
  // they like (what the edge learns from), before shopping in earnest.
  const { text: first } = await go(`/c/${taste.category}`);
  for (const t of tilesOf(first).filter((x) => x.brand === taste.brand).slice(0, 2)) await go(t.href);
  for (let view = 0; view < 3; view++) {
    const category = r() < 0.7 ? taste.category : taste.categories[Math.floor(r() * taste.categories.length)];
    const { text } = await go(`/c/${category}`);
    const tiles = tilesOf(text).slice(0, 24);
    // Cascade: look down the page; attention falls with position, taste raises the odds.
    const clicked = tiles.find((t, i) => {
      const attention = 1 / (1 + 0.25 * i);
      const liking = t.brand === taste.brand ? 4 : 1;
      const afford = Math.exp(-taste.priceSensitivity * (t.price / 200));
      return r() < Math.min(0.9, 0.22 * attention * liking * afford);
    });
    if (!clicked) continue;
    await go(clicked.href);
    const liked = clicked.brand === taste.brand;
    if (r() < (liked ? 0.5 : 0.2)) {
      await go('/cart/add', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: `sku=${encodeURIComponent(clicked.sku)}&qty=1` });
      bought.push(clicked);
    }
  }
  if (bought.length && r() < 0.6) {
    await go('/checkout/complete', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=1' });
    // The order confirmation tells the collector what was bought (the edge saw only the POST).
    const revenue = Math.round(bought.reduce((s, t) => s + t.price, 0) * 100) / 100;
    await go('/__vitrine/events', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'sec-fetch-dest': 'empty' }, body: JSON.stringify({ events: [{ type: 'checkout_complete', revenue, items: bought.length }] }) });
  }
}

/** Runs `n` shoppers against `base` (4 at a time), within `deadlineMs`. */
export async function simulate(base, { shoppers = 300, seed = 1, brands, categories, deadlineMs = 10 * 60_000 } = {}) {
  const r = rng(seed);
  const started = Date.now();
  const tastes = Array.from({ length: Math.min(shoppers, 5000) }, () => ({
    brand: brands[Math.floor(r() * brands.length)],
    category: categories[Math.floor(r() * categories.length)],
    categories,
    priceSensitivity: 0.2 + r(),
  }));
  let next = 0;
  const worker = async (k) => {
    const mine = rng(seed * 7919 + k);
    while (next < tastes.length && Date.now() - started < deadlineMs) {
      const t = tastes[next++];
      await shopper(base, mine, t);
    }
  };
  await Promise.all([0, 1, 2, 3].map(worker));
  return { shoppers: next, ms: Date.now() - started };
}

// Run from the command line: its own origin and worker, then the report's verdict.
if (import.meta.url === `file://${process.argv[1]}`) {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { startOrigin, startWorker, demoVars, root } = await import('../../tests/e2e/harness.mjs');
  const aa = process.argv.includes('--aa');
  const catalog = JSON.parse(fs.readFileSync(path.join(root, 'www/catalog.json'), 'utf8')).products;
  const brands = [...new Set(catalog.map((p) => p.brand))];
  const categories = [...new Set(catalog.map((p) => p.category))];
  const config = JSON.parse(fs.readFileSync(path.join(root, 'www/vitrine.config.json'), 'utf8'));
  config.personalization.holdout = 0.5;
  config.debug.outcome = false;
  if (aa) {
    // Both arms served alike: no personalization, only the rails.
    config.personalization.strength = 0;
    config.rules = config.rules.filter((x) => x.guarantee || x.exclude);
  }
  let base = arg('url');
  let stop = async () => {};
  let originUrl = base;
  if (!base) {
    const origin = await startOrigin();
    const worker = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { VITRINE_CONFIG: JSON.stringify(config), CONFIG_TTL_SECONDS: '3600' }) });
    base = worker.url;
    originUrl = origin.url;
    stop = async () => {
      await worker.stop();
      await origin.stop();
    };
  }
  // --runs N: N experiments in a row on the same worker, each with its own new visitors (so its
  // own arms), each judged alone: with --aa, how often a "significant" lift appears by chance.
  const runs = Number(arg('runs', 1));
  if (runs > 1) {
    const significant = {};
    for (let k = 0; k < runs; k++) {
      const since = Date.now();
      await simulate(base, { shoppers: Number(arg('shoppers', 120)), seed: Number(arg('seed', 1)) * 1000 + k, brands, categories });
      await new Promise((r) => setTimeout(r, 800));
      const v = (await (await fetch(`${originUrl}/collect/report?experiment=holdout&share=0.5&since=${since}`)).json()).verdict;
      for (const [name, m] of Object.entries(v.metrics)) if (m.lift?.significant) significant[name] = (significant[name] ?? 0) + 1;
      significant.__judged = (significant.__judged ?? 0) + (v.enough ? 1 : 0);
    }
    console.log(`${runs} runs${aa ? ' (A/A)' : ''}, ${significant.__judged} with enough data; significant at 95%: ${JSON.stringify(Object.fromEntries(Object.entries(significant).filter(([k]) => k !== '__judged')))}`);
    await stop();
    process.exit(0);
  }
  const run = await simulate(base, { shoppers: Number(arg('shoppers', 300)), seed: Number(arg('seed', 1)), brands, categories });
  await new Promise((r) => setTimeout(r, 1500)); // events reach the collector after the responses
  const report = await (await fetch(`${originUrl}/collect/report?experiment=holdout&share=0.5`)).json();
  const m = report.verdict.metrics;
  const pct = (x) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
  console.log(`simulated ${run.shoppers} shoppers in ${(run.ms / 1000).toFixed(1)} s${aa ? ' (A/A)' : ''}; visitors per arm ${JSON.stringify(report.verdict.visitors)}; SRM p=${report.verdict.srm.p.toFixed(3)}`);
  for (const name of Object.keys(m)) {
    const l = m[name].lift;
    console.log(`  ${name.padEnd(22)} control ${m[name].control?.value?.toFixed(3) ?? '–'}  treatment ${m[name].treatment?.value?.toFixed(3) ?? '–'}  lift ${pct(l?.lift)} [${pct(l?.low)}, ${pct(l?.high)}]${l?.significant ? ' significant' : ''}`);
  }
  if (report.verdict.note) console.log(`  ${report.verdict.note}`);
  await stop();
}
