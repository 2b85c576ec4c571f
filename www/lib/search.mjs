// The demo store's keyword search, in process: BM25 over the catalog's text with typo tolerance
// (an unknown term is corrected to the nearest vocabulary term within one or two edits), behind
// the JSON contract the worker talks to (README, "Search contract"):
//
//   request  { query, page, per_page?, filters: { category?, brand?, in_stock? },
//              affinities?: { brands?: [..], categories?: [..] } }
//   response { query, mode: "keyword", page, pages, total,
//              hits: [{ key, score, product }], facets: { brand: {..}, category: {..} } }
//
// The store's real search is the search service (www/search: BM25 fused with a sentence-embedding
// model, started by www/server.mjs); this is what answers when that service is not running, as a
// store's keyword index stays up when its semantic search is down.

const K1 = 1.2;
const B = 0.75;

export function tokenize(text) {
  return String(text)
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 1);
}

function stem(t) {
  if (t.length > 4 && t.endsWith('ies')) return `${t.slice(0, -3)}y`;
  if (t.length > 4 && t.endsWith('es') && !t.endsWith('ses')) return t.slice(0, -2);
  if (t.length > 3 && t.endsWith('s') && !t.endsWith('ss')) return t.slice(0, -1);
  return t;
}

function editDistance(a, b, max) {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], prev[j - 2] + 1);
      best = Math.min(best, cur[j]);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

function fieldsOf(p) {
  // Title and brand count twice: they say what the product is.
  return [p.title, p.title, p.brand, p.brand, p.category, p.type, p.tags.join(' '), p.description, p.colour].join(' ');
}

/** Builds an index over products once; `search` answers queries against it. */
export function buildIndex(products) {
  const docs = products.map((p) => tokenize(fieldsOf(p)).map(stem));
  const df = new Map();
  for (const toks of docs) for (const t of new Set(toks)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  const avgdl = docs.reduce((s, d) => s + d.length, 0) / n;
  const idf = (t) => Math.log(1 + (n - (df.get(t) ?? 0) + 0.5) / ((df.get(t) ?? 0) + 0.5));
  const tf = docs.map((toks) => {
    const m = new Map();
    for (const t of toks) m.set(t, (m.get(t) ?? 0) + 1);
    return m;
  });
  const vocab = [...df.keys()];
  return { products, docs, tf, df, n, avgdl, idf, vocab };
}

/** Corrects a term to the nearest vocabulary term (one edit from 4 letters, two from 8). */
function correct(index, term) {
  if (index.df.has(term) || term.length < 4 || /^\d+$/.test(term)) return term;
  const max = term.length >= 8 ? 2 : 1;
  let best = term;
  let bestD = max + 1;
  let bestDf = 0;
  for (const v of index.vocab) {
    const d = editDistance(term, v, max);
    const f = index.df.get(v) ?? 1;
    if (d < bestD || (d === bestD && f > bestDf)) [best, bestD, bestDf] = [v, d, f];
  }
  return bestD <= max ? best : term;
}

function keywordRank(index, terms, pool) {
  const scored = [];
  for (const i of pool) {
    let score = 0;
    let matched = 0;
    for (const t of terms) {
      const f = index.tf[i].get(t) ?? 0;
      if (f === 0) continue;
      matched += 1;
      const dl = index.docs[i].length;
      score += index.idf(t) * ((f * (K1 + 1)) / (f + K1 * (1 - B + (B * dl) / index.avgdl)));
    }
    // Every term must match: "black boots" is not "boots".
    if (matched === terms.length && score > 0) scored.push({ i, score });
  }
  return scored.sort((a, b) => b.score - a.score || a.i - b.i);
}

export function search(index, { query = '', page = 1, perPage = 48, filters = {}, affinities = {} } = {}) {
  const terms = [
    ...new Set(
      tokenize(query)
        .slice(0, 12)
        .map((w) => correct(index, stem(w))),
    ),
  ];
  let pool = index.products.map((_, i) => i);
  const p = (i) => index.products[i];
  if (filters.category) pool = pool.filter((i) => p(i).category === filters.category);
  if (filters.brand) pool = pool.filter((i) => p(i).brand === filters.brand);
  if (filters.in_stock) pool = pool.filter((i) => p(i).stock !== 'out_of_stock');
  const ranked = terms.length ? keywordRank(index, terms, pool) : [];
  // The visitor's coarse affinities (brands, categories) nudge ties, never more.
  const liked = new Set([...(affinities.brands ?? []), ...(affinities.categories ?? [])].map((s) => String(s).toLowerCase()));
  if (liked.size) {
    for (const r of ranked) {
      if (liked.has(p(r.i).brand.toLowerCase()) || liked.has(p(r.i).category)) r.score *= 1.02;
    }
    ranked.sort((a, b) => b.score - a.score || a.i - b.i);
  }
  const facets = { brand: {}, category: {} };
  for (const { i } of ranked) {
    facets.brand[p(i).brand] = (facets.brand[p(i).brand] ?? 0) + 1;
    facets.category[p(i).category] = (facets.category[p(i).category] ?? 0) + 1;
  }
  const pages = Math.max(1, Math.ceil(ranked.length / perPage));
  const current = Math.min(Math.max(1, page), pages);
  const hits = ranked
    .slice((current - 1) * perPage, current * perPage)
    .map(({ i, score }) => ({ key: p(i).sku, score: Math.round(score * 1e6) / 1e6, product: p(i) }));
  return { query, mode: 'keyword', corrected: terms, page: current, pages, total: ranked.length, hits, facets };
}

// The fallback's entry point: the index is built once per product list.
const cache = new WeakMap();
export function searchProducts(products, opts) {
  if (!cache.has(products)) cache.set(products, buildIndex(products));
  return search(cache.get(products), opts);
}
