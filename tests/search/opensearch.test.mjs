// The demo's hybrid search mapped onto OpenSearch (www/lib/opensearch.mjs): the template a store
// stores renders to a valid hybrid query for every request the worker's contract can send, the
// set-up is consistent with the model, and an OpenSearch answer reads back through the mapping.
// tests/search/opensearch/warm-jacket.response.json is an answer in the shape OpenSearch 2.19
// documents for this template (hits.hits[]._source, hits.total.value, terms aggregations), with
// the demo service's own results for "warm jacket" in outerwear: no OpenSearch cluster runs here
// (no container engine, no download), so it was written from the documentation, not captured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as os from '../../www/lib/opensearch.mjs';
import { root, catalog } from './relevance.mjs';

const recorded = JSON.parse(fs.readFileSync(path.join(root, 'tests/search/opensearch/warm-jacket.response.json'), 'utf8'));

// The subset of mustache the template uses, with OpenSearch's JSON escaping of values.
function render(template, params) {
  const sections = template.replace(/\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_, k, body) => (params[k] ? body : ''));
  return sections.replace(/\{\{(\w+)\}\}/g, (_, k) => JSON.stringify(String(params[k] ?? '')).slice(1, -1));
}

test('the contract request becomes a template call: query, page as from/size, optional category', () => {
  assert.deepEqual(os.templateCall({ query: 'warm jacket', page: 2, perPage: 24, filters: { category: 'outerwear' } }), {
    path: '/vitrine-products/_search/template',
    body: { id: 'vitrine-hybrid', params: { q: 'warm jacket', from: 24, size: 24, category: 'outerwear' } },
  });
  const plain = os.templateCall({ query: 'x'.repeat(500), page: 999 });
  assert.equal(plain.body.params.q.length, 200);
  assert.equal(plain.body.params.from, 49 * 48, 'pages are bounded as the worker bounds them');
  assert.equal('category' in plain.body.params, false);
});

test('the stored template renders to a valid hybrid query, with and without a filter, whatever the query says', () => {
  const source = os.templateSource('MODEL-1');
  for (const params of [
    { q: 'warm jacket', from: 0, size: 48, category: 'outerwear' },
    { q: 'she said "boots" \\ {{q}}', from: 48, size: 48 },
  ]) {
    const q = JSON.parse(render(source, params));
    assert.equal(q.from, params.from);
    assert.equal(q.size, params.size);
    const subs = q.query.hybrid.queries;
    assert.equal(subs.length, 3, 'BM25 and one neural query per embedded view');
    assert.equal(subs[0].bool.must[0].match.text.query, params.q, 'the query arrives as typed');
    assert.equal(subs[1].bool.must[0].neural.kind_embedding.query_text, params.q);
    assert.equal(subs[2].bool.must[0].neural.summary_embedding.model_id, 'MODEL-1');
    assert.equal(subs[1].bool.must[0].neural.kind_embedding.min_score, 0.675, 'cosine 0.35 on OpenSearch\'s (1 + cos) / 2 scale');
    for (const s of subs) assert.deepEqual(s.bool.filter ?? null, params.category ? [{ term: { category: params.category } }] : null);
    assert.deepEqual(Object.keys(q.aggs), ['brand', 'category']);
  }
});

test('the set-up: one model, 384-dim cosine vectors for both views, RRF with k = 60 as the demo fuses', () => {
  const steps = os.setup('MODEL-1');
  assert.deepEqual(steps.map(([m, p]) => `${m} ${p}`), [
    'POST /_plugins/_ml/models/_register',
    'PUT /_ingest/pipeline/vitrine-hybrid-embed',
    'PUT /vitrine-products',
    'PUT /_search/pipeline/vitrine-hybrid',
    'POST /_scripts/vitrine-hybrid',
  ]);
  const index = steps[2][2];
  for (const f of ['kind_embedding', 'summary_embedding']) {
    assert.equal(index.mappings.properties[f].dimension, 384);
    assert.equal(index.mappings.properties[f].method.space_type, 'cosinesimil');
  }
  assert.deepEqual(steps[1][2].processors[0].text_embedding.field_map, { kind: 'kind_embedding', summary: 'summary_embedding' });
  assert.equal(steps[3][2].phase_results_processors[0]['score-ranker-processor'].combination.rank_constant, 60);
  const doc = os.toDocument(catalog.products[0]);
  assert.equal(doc.kind, catalog.products[0].type);
  assert.ok(doc.summary.startsWith(`${doc.kind}. `));
});

test('an OpenSearch answer reads back: the mapping\'s pointers resolve, and the HTML page gets the contract shape', () => {
  const at = (v, ptr) => ptr.split('/').slice(1).reduce((o, k) => o?.[k], v);
  const hits = at(recorded, os.MAPPING.hits);
  assert.ok(Array.isArray(hits) && hits.length === 12);
  for (const h of hits) {
    assert.match(at(h, os.MAPPING.key), /^VT-\d{4}$/);
    for (const ptr of Object.values(os.MAPPING.facts)) assert.notEqual(at(h, ptr), undefined, ptr);
  }
  assert.equal(at(recorded, os.MAPPING.total), 60);
  const c = os.toContract(recorded, { page: 1, perPage: 12, query: 'warm jacket' });
  assert.equal(c.total, 60);
  assert.equal(c.pages, 5);
  assert.equal(c.hits[0].key, hits[0]._source.sku);
  assert.equal(Object.values(c.facets.category).reduce((a, b) => a + b, 0), 60);
});
