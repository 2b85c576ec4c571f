// The demo origin's search: the search service (www/search — BM25 fused with dense retrieval
// from all-MiniLM-L6-v2), started as a child of the origin, or the one at SEARCH_URL, or an
// OpenSearch cluster's hybrid template at OPENSEARCH_URL (www/lib/opensearch.mjs); when it is
// not built, not running or not answering, the in-process keyword search answers instead (the
// response says `mode: "keyword"` and why), as a store's keyword index outlives its semantic search.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { searchProducts } from './search.mjs';
import * as opensearch from './opensearch.mjs';

const ANSWER_WITHIN_MS = 5000;

/** Where the service binary, its model and its embedding cache are (SEARCH_BIN, SEARCH_MODEL override). */
export function servicePaths(root) {
  return {
    bin: process.env.SEARCH_BIN ?? path.join(root, 'target/search/release/vitrine-search'),
    model: process.env.SEARCH_MODEL ?? path.join(root, '.cache/all-MiniLM-L6-v2'),
    cache: path.join(root, 'target/search-cache'),
  };
}

async function postJson(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
  if (!res.ok) throw new Error(`status ${res.status}`);
  return res.json();
}

/**
 * Starts (or finds) the search engine; resolves to a client `{ search(request), url, engine?, figures }`.
 * `root` is the repository; `catalogPath` the catalog the origin serves.
 */
export async function openSearch({ root, catalogPath, products, log = console.error }) {
  const fallback = (request, why) => ({ ...searchProducts(products, request), fallback: why });
  // A store on OpenSearch: its stored hybrid template answers, and the API passes the engine's own
  // response through (`raw`), which the worker reads with opensearch.MAPPING.
  const os = process.env.OPENSEARCH_URL;
  if (os) {
    return {
      url: os,
      engine: 'opensearch',
      async search(request) {
        const call = opensearch.templateCall(request);
        try {
          const answer = await postJson(`${os.replace(/\/$/, '')}${call.path}`, call.body);
          return { ...opensearch.toContract(answer, request), raw: answer };
        } catch (err) {
          log(`vitrine-origin: OpenSearch failed (${err.message}): keyword search answers`);
          return fallback(request, 'search engine failed');
        }
      },
    };
  }
  let url = process.env.SEARCH_URL ?? null;
  let figures = null;
  let child = null;
  if (!url && process.env.SEARCH_SERVICE !== 'off') {
    const { bin, model, cache } = servicePaths(root);
    if (!fs.existsSync(bin) || !fs.existsSync(path.join(model, 'model.safetensors'))) {
      log(`vitrine-origin: no search service (${fs.existsSync(bin) ? 'no model in ' + model : bin + ' not built'}; \`make setup\` builds both): keyword search only`);
    } else {
      ({ url, figures, child } = await startService(bin, model, catalogPath, cache, log));
    }
  }
  return {
    url,
    figures,
    child,
    /** Answers a contract request ({query, page, perPage, filters, affinities, mode}). */
    async search(request) {
      if (!url) return fallback(request, 'no search service');
      const { perPage, ...rest } = request;
      try {
        return await postJson(`${url}/search`, { ...rest, per_page: perPage });
      } catch (err) {
        log(`vitrine-origin: search service failed (${err.message}): keyword search answers`);
        return fallback(request, 'search service failed');
      }
    },
  };
}

/** Starts the service binary; resolves to `{url, figures, child}` (url null when it did not start). */
export function startService(bin, model, catalogPath, cache, log, extra = []) {
  return new Promise((resolve) => {
    // stdin is a pipe the service watches: when the origin exits, however it exits, so does it.
    const child = spawn(bin, ['--model', model, '--catalog', catalogPath, '--cache', cache, '--port', '0', '--exit-with-stdin', ...extra], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const give = (v) => {
      clearTimeout(timer);
      resolve(v);
    };
    // The first start embeds the catalog (a few seconds on 2 cores); later ones read the cache.
    const timer = setTimeout(() => {
      log(`vitrine-origin: the search service did not start within 120 s: keyword search only\n${err}`);
      child.kill();
      give({ url: null, figures: null, child: null });
    }, 120_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[\d.]+:\d+)/);
      if (m) {
        const f = err.match(/vitrine-search: (\{.*\})/);
        give({ url: m[1], figures: f ? JSON.parse(f[1]) : null, child });
      }
    });
    child.once('error', (e) => {
      log(`vitrine-origin: the search service could not start (${e.message}): keyword search only`);
      give({ url: null, figures: null, child: null });
    });
    child.once('exit', (code) => {
      if (!out.includes('listening on')) {
        log(`vitrine-origin: the search service exited (${code}): keyword search only\n${err}`);
        give({ url: null, figures: null, child: null });
      }
    });
  });
}
