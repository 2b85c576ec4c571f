// The demo's hybrid search mapped onto OpenSearch (2.19+), an engine that does hybrid search
// natively: what a store running OpenSearch sets up once, what its search endpoint sends per
// query, and how vitrine reads the answer (README, "Search engines: OpenSearch hybrid").
//
//   demo (www/search)                         OpenSearch
//   all-MiniLM-L6-v2 run by candle        →   the same model, deployed by ML Commons
//                                             (huggingface/sentence-transformers/all-MiniLM-L6-v2)
//   catalog embedded at start (2 views)   →   ingest pipeline: text_embedding processor, one
//                                             knn_vector field per view (384 floats, cosine)
//   query embedded per request            →   `neural` queries: OpenSearch embeds query_text itself
//   BM25 (tantivy), typo correction       →   `match` with fuzziness AUTO, operator and
//   RRF, k = 60                           →   search pipeline: score-ranker-processor, rrf, 60
//   dense floor (cosine 0.35)             →   neural min_score 0.675 (OpenSearch scores cosine
//                                             similarity as (1 + cos) / 2)
//   filters, facets, pages                →   term filters in each subquery, terms aggregations,
//                                             from / size
//
// The worker needs no code for it: `site.search.mapping` reads OpenSearch's response shape.
// With OPENSEARCH_URL set, the demo origin's /api/search calls that cluster's stored template
// and passes its answer through (www/lib/search-service.mjs).

export const INDEX = 'vitrine-products';
export const TEMPLATE_ID = 'vitrine-hybrid';
export const PIPELINE_ID = 'vitrine-hybrid';
const DIM = 384;
const COSINE_FLOOR = 0.35;

/** `site.search.mapping` for OpenSearch's response (hits.hits[]._source, hits.total.value). */
export const MAPPING = {
  hits: '/hits/hits',
  key: '/_source/sku',
  total: '/hits/total/value',
  facts: { brand: '/_source/brand', category: '/_source/category', price: '/_source/price', stock: '/_source/stock' },
};

/** The document a product becomes: its facts, its BM25 text, and the two texts embedded. */
export function toDocument(p) {
  const first = (p.description ?? '').split(/(?<=[.:])/)[0].trim();
  const kind = p.type || p.title;
  return {
    sku: p.sku,
    title: p.title,
    brand: p.brand,
    category: p.category,
    stock: p.stock,
    price: p.price,
    text: [p.title, p.brand, p.category, p.type, (p.tags ?? []).join(' '), p.description, p.colour].join(' '),
    kind,
    summary: `${kind}. ${first}`,
  };
}

/** The requests a store sends once, in order: [method, path, body]. `modelId` comes from deploying the model. */
export function setup(modelId) {
  const vector = { type: 'knn_vector', dimension: DIM, method: { name: 'hnsw', engine: 'lucene', space_type: 'cosinesimil' } };
  return [
    ['POST', '/_plugins/_ml/models/_register', { name: 'huggingface/sentence-transformers/all-MiniLM-L6-v2', version: '1.0.2', model_format: 'TORCH_SCRIPT' }],
    ['PUT', `/_ingest/pipeline/${PIPELINE_ID}-embed`, {
      description: 'vitrine: embed the two views of a product',
      processors: [{ text_embedding: { model_id: modelId, field_map: { kind: 'kind_embedding', summary: 'summary_embedding' } } }],
    }],
    ['PUT', `/${INDEX}`, {
      settings: { 'index.knn': true, default_pipeline: `${PIPELINE_ID}-embed`, 'index.search.default_pipeline': PIPELINE_ID },
      mappings: {
        properties: {
          sku: { type: 'keyword' }, brand: { type: 'keyword' }, category: { type: 'keyword' }, stock: { type: 'keyword' },
          price: { type: 'float' }, title: { type: 'text' }, text: { type: 'text', analyzer: 'english' },
          kind: { type: 'text' }, summary: { type: 'text' }, kind_embedding: vector, summary_embedding: vector,
        },
      },
    }],
    ['PUT', `/_search/pipeline/${PIPELINE_ID}`, {
      description: 'vitrine: reciprocal rank fusion of BM25 and the model, k = 60',
      phase_results_processors: [{ 'score-ranker-processor': { combination: { technique: 'rrf', rank_constant: 60 } } }],
    }],
    ['POST', `/_scripts/${TEMPLATE_ID}`, { script: { lang: 'mustache', source: templateSource(modelId) } }],
  ];
}

/**
 * The stored search template (mustache; a string, so the category filter can be optional):
 * a hybrid query of BM25 and one neural query per embedded view, each filtered alike.
 */
export function templateSource(modelId) {
  const filter = '{{#category}},"filter":[{"term":{"category":"{{category}}"}}]{{/category}}';
  const sub = (q) => `{"bool":{"must":[${q}]${filter}}}`;
  const match = '{"match":{"text":{"query":"{{q}}","operator":"and","fuzziness":"AUTO"}}}';
  const neural = (field) =>
    `{"neural":{"${field}":{"query_text":"{{q}}","model_id":"${modelId}","min_score":${(1 + COSINE_FLOOR) / 2}}}}`;
  return (
    '{"from":{{from}},"size":{{size}},"_source":{"excludes":["kind_embedding","summary_embedding"]},' +
    `"query":{"hybrid":{"queries":[${sub(match)},${sub(neural('kind_embedding'))},${sub(neural('summary_embedding'))}]}},` +
    '"aggs":{"brand":{"terms":{"field":"brand","size":50}},"category":{"terms":{"field":"category","size":50}}}}'
  );
}

/** What the store's search endpoint sends for a contract request: POST /INDEX/_search/template. */
export function templateCall({ query = '', page = 1, perPage = 48, filters = {} } = {}) {
  const size = Math.min(Math.max(1, perPage), 100);
  const params = { q: String(query).slice(0, 200), from: (Math.min(Math.max(1, page), 50) - 1) * size, size };
  if (filters.category) params.category = filters.category;
  return { path: `/${INDEX}/_search/template`, body: { id: TEMPLATE_ID, params } };
}

/** The contract's shape (hits with products, facets) from an OpenSearch answer, for the HTML page. */
export function toContract(answer, { page = 1, perPage = 48, query = '' } = {}) {
  const hits = (answer?.hits?.hits ?? []).map((h) => ({ key: h._source?.sku, score: h._score, product: h._source }));
  const total = answer?.hits?.total?.value ?? hits.length;
  const buckets = (name) => Object.fromEntries((answer?.aggregations?.[name]?.buckets ?? []).map((b) => [b.key, b.doc_count]));
  return { query, mode: 'hybrid', engine: 'opensearch', page, pages: Math.max(1, Math.ceil(total / perPage)), total, hits, facets: { brand: buckets('brand'), category: buckets('category') } };
}
