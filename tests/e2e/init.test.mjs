// "Point it at my store": `npm run config -- init <url>` on every listing page of the eight real
// storefronts in ../shared/fixtures/storefronts/ (five platforms), each served over HTTP at the
// path it was saved from, as a user would run it: the CLI fetches the page and writes a config; the
// worker in workerd validates it (fetching the sample page itself), previews it, and, with one pin
// added (the only edit: no selector is touched), serves the page through the live path with the
// pinned product first and every other byte kept. Skips when ../shared/fixtures is absent (a
// plain clone outside this workplace); CI has it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startWorker, root, TEST_KEYS, eventually } from './harness.mjs';

const run = promisify(execFile);
const stores = path.resolve(root, '../shared/fixtures/storefronts');
const present = fs.existsSync(stores);

/** Every listing page: [store, file, the path it was saved from]. */
function listingPages() {
  const out = [];
  for (const store of fs.readdirSync(stores).sort()) {
    const sources = fs.readFileSync(path.join(stores, store, 'SOURCES.md'), 'utf8');
    for (const file of fs.readdirSync(path.join(stores, store)).filter((f) => /^plp_.*\.html$/.test(f)).sort()) {
      const row = sources.split('\n').find((l) => l.includes(`| ${file} |`));
      const saved = row?.match(/`([^`]+)`/)?.[1];
      assert.ok(saved, `${store}/${file}: no source path in SOURCES.md`);
      out.push({ store, file, path: `/${saved}` });
    }
  }
  return out;
}

let server;
let originUrl;
let worker;
const pages = present ? listingPages() : [];
const auth = { authorization: `Bearer ${TEST_KEYS.ADMIN_TOKEN}`, 'content-type': 'application/json' };

before(async () => {
  if (!present) return;
  // The storefronts' origin: each page at the path it was saved from, cacheable as stores serve them.
  const byPath = new Map(pages.map((p) => [p.path, path.join(stores, p.store, p.file)]));
  server = http.createServer((req, res) => {
    const file = byPath.get(new URL(req.url, 'http://x').pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=60' });
    res.end(fs.readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  originUrl = `http://127.0.0.1:${server.address().port}`;
  worker = await startWorker({ origin: originUrl, vars: { ...TEST_KEYS, CONFIG_TTL_SECONDS: '1', VITRINE_CONFIG: '' } });
});
after(async () => {
  await worker?.stop();
  server?.close();
});

async function init(url) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-init-')), 'config.json');
  const { stderr } = await run(process.execPath, [path.join(root, 'www/tools/vitrine-config.mjs'), 'init', url, out], { cwd: root });
  return { config: JSON.parse(fs.readFileSync(out, 'utf8')), notes: stderr };
}

const api = async (p, body, method = 'POST') => {
  const res = await fetch(worker.url + p, { method, headers: auth, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
};

test('init proposes a config that validates and reorders every listing page, with no edits to its selectors', { skip: !present && 'no ../shared/fixtures' }, async () => {
  const results = [];
  for (const page of pages) {
    const label = `${page.store}/${page.file}`;
    const { config, notes } = await init(originUrl + page.path);
    const grid = config.site.plp?.grids?.[0];
    assert.ok(grid, `${label}: no grid proposed\n${notes}`);

    // Valid, and the sample page (fetched by the worker from the origin) has what it names.
    const v = await api('/__vitrine/config/validate', config);
    assert.equal(v.json.valid, true, `${label}: ${JSON.stringify(v.json.errors)}`);
    const gridWarnings = v.json.warnings.filter((w) => w.path.startsWith('site.plp.grids') || w.path.startsWith('site.samples'));
    assert.deepEqual(gridWarnings, [], `${label}: ${JSON.stringify(gridWarnings)}`);

    // Preview: every tile has a key of its own.
    const before = (await api('/__vitrine/preview', { config, url: page.path })).json;
    assert.equal(before.page, 'plp', `${label}: ${JSON.stringify(before.warnings)}`);
    const keys = before.grids[0].before;
    assert.ok(keys.length >= 4, `${label}: ${keys.length} tiles`);
    assert.ok(keys.every((k) => typeof k === 'string' && k.length), `${label}: tiles without a key: ${JSON.stringify(keys)}`);
    assert.equal(new Set(keys).size, keys.length, `${label}: keys are not distinct: ${JSON.stringify(keys)}`);

    // The one edit a merchandiser makes: a pin. The last tile goes first.
    const pinned = keys[keys.length - 1];
    config.rules = [{ id: 'pin-last', pin: { product: pinned, position: 1 } }];
    const after = (await api('/__vitrine/preview', { config, url: page.path })).json;
    assert.equal(after.grids[0].after[0], pinned, `${label}: ${JSON.stringify(after.grids[0])}`);
    assert.deepEqual([...after.grids[0].after].sort(), [...keys].sort(), `${label}: tiles lost or added`);

    // Live: pushed, then the page through the worker has the same bytes, reordered.
    const pushed = await api('/__vitrine/config', config, 'PUT');
    assert.ok([200, 201].includes(pushed.status), `${label}: push ${JSON.stringify(pushed.json)}`);
    const origin = fs.readFileSync(path.join(stores, page.store, page.file));
    const served = await eventually(async () => {
      const res = await fetch(worker.url + page.path, { headers: { accept: 'text/html', 'sec-fetch-dest': 'document' } });
      const body = Buffer.from(await res.arrayBuffer());
      return res.headers.get('x-vitrine')?.includes(`cfg=${pushed.json.version}`) && { res, body };
    });
    assert.match(served.res.headers.get('x-vitrine'), /plp=(rules|rank)/, `${label}: ${served.res.headers.get('x-vitrine')}`);
    assert.equal(served.body.length, origin.length, `${label}: bytes added or lost`);
    assert.notDeepEqual(served.body, origin, `${label}: nothing moved`);
    assert.deepEqual([...served.body].sort(), [...origin].sort(), `${label}: not a permutation of the origin's bytes`);
    results.push(`${label}: ${grid.container} > ${grid.tile}, ${keys.length} tiles, key ${JSON.stringify(grid.key)}`);
  }
  assert.equal(results.length, pages.length);
  console.log(`init: ${results.length} of ${pages.length} listing pages on ${new Set(pages.map((p) => p.store)).size} storefronts reorder with no selector edits\n  ${results.join('\n  ')}`);
});

test('init on a page that is not there, or not a store page, says so plainly', { skip: !present && 'no ../shared/fixtures' }, async () => {
  await assert.rejects(run(process.execPath, [path.join(root, 'www/tools/vitrine-config.mjs'), 'init', `${originUrl}/nope`], { cwd: root }), (e) => {
    assert.match(e.stderr, /answered 404/);
    assert.doesNotMatch(e.stderr, /at .*\.mjs:\d+/, 'no stack trace');
    return true;
  });
});
