// The demo store's search engine. For now a keyword engine (token match over title, brand,
// category, tags and description, weighted by field); the search issue deepens it into hybrid
// keyword + dense retrieval behind the same JSON contract:
//
//   request  { query, page, filters: { category?, brand?, in_stock? } }
//   response { query, page, pages, total, hits: [{ key, score, product }], facets: { brand, category } }

const FIELD_WEIGHTS = { title: 3, brand: 2.5, category: 2, tags: 1.5, description: 1 };

export function tokenize(text) {
  return String(text)
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 1);
}

function fieldsOf(p) {
  return { title: p.title, brand: p.brand, category: p.category, tags: p.tags.join(' '), description: p.description };
}

function keywordScore(p, terms) {
  let score = 0;
  let matched = 0;
  const f = fieldsOf(p);
  for (const term of terms) {
    let best = 0;
    for (const [field, w] of Object.entries(FIELD_WEIGHTS)) {
      const toks = tokenize(f[field]);
      if (toks.includes(term)) best = Math.max(best, w);
      else if (term.length > 3 && toks.some((t) => t.startsWith(term))) best = Math.max(best, w * 0.5);
    }
    if (best > 0) matched += 1;
    score += best;
  }
  // Every term must match something: "black boots" is not "boots".
  return matched === terms.length ? score : 0;
}

export function searchProducts(products, { query, page = 1, perPage = 48, filters = {} }) {
  const terms = tokenize(query);
  let pool = products;
  if (filters.category) pool = pool.filter((p) => p.category === filters.category);
  if (filters.brand) pool = pool.filter((p) => p.brand === filters.brand);
  if (filters.in_stock) pool = pool.filter((p) => p.stock !== 'out_of_stock');
  const scored = terms.length
    ? pool
        .map((p, i) => ({ p, i, s: keywordScore(p, terms) }))
        .filter((x) => x.s > 0)
        .sort((a, b) => b.s - a.s || a.i - b.i)
    : [];
  const facets = { brand: {}, category: {} };
  for (const { p } of scored) {
    facets.brand[p.brand] = (facets.brand[p.brand] ?? 0) + 1;
    facets.category[p.category] = (facets.category[p.category] ?? 0) + 1;
  }
  const pages = Math.max(1, Math.ceil(scored.length / perPage));
  const current = Math.min(Math.max(1, page), pages);
  const hits = scored
    .slice((current - 1) * perPage, current * perPage)
    .map(({ p, s }) => ({ key: p.sku, score: Math.round(s * 1000) / 1000, product: p }));
  return { query, page: current, pages, total: scored.length, hits, facets };
}
