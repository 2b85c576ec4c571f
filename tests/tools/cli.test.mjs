// The merchandiser CLI's answers to the mistakes people make with files, before any network: a
// JSON syntax error says where (line and column) for every command that reads a file, a missing
// file says so, and nothing prints a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = (...args) =>
  spawnSync(process.execPath, [path.join(root, 'www/tools/vitrine-config.mjs'), ...args], {
    encoding: 'utf8',
    // Nowhere to connect to: anything that got past the file checks would say so.
    env: { ...process.env, VITRINE_URL: 'http://127.0.0.1:9', VITRINE_ADMIN_TOKEN: 'x' },
  });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-cli-'));
const bad = path.join(dir, 'bad.json');
fs.writeFileSync(bad, '{\n  "version": 1,\n  "rules": [,]\n}\n');
const good = path.join(dir, 'good.json');
fs.writeFileSync(good, '{"version": 1}');

test('a JSON syntax error is reported with its line and column by every command that reads a file', () => {
  for (const args of [['validate', bad], ['push', bad], ['preview', bad, '/c/x'], ['preview', good, '/c/x', bad]]) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /bad\.json is not valid JSON \(line 3, column 13\)/, args.join(' '));
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  }
});

test('a missing file, a missing argument and an unreachable worker are plain sentences', () => {
  const missing = cli('validate', path.join(dir, 'nope.json'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read .*nope\.json/);
  assert.match(cli('push').stderr, /which file\?/);
  assert.match(cli('init').stderr, /init needs a page of the store/);
  const offline = cli('validate', good);
  assert.match(offline.stderr, /cannot reach http:\/\/127\.0\.0\.1:9/);
  for (const r of [missing, offline]) assert.doesNotMatch(r.stderr, /^\s+at /m);
});

test('init on a saved page writes a config, and every ready-made visitor file is JSON', () => {
  const page = path.join(dir, 'list.html');
  fs.writeFileSync(
    page,
    `<ul class="products">${[1, 2, 3, 4].map((i) => `<li class="product"><a href="/p/${i}"><img src="/${i}.jpg"></a> $${i}.00</li>`).join('')}</ul>`,
  );
  const out = path.join(dir, 'out.json');
  const r = cli('init', page, out, '--url', 'https://shop.example/c/boots');
  assert.equal(r.status, 0, r.stderr);
  const cfg = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(cfg.site.plp.grids[0].container, 'ul.products');
  assert.deepEqual(cfg.site.pages, [{ type: 'plp', path: '/c/{category}' }]);
  for (const f of fs.readdirSync(path.join(root, 'www/visitors'))) {
    JSON.parse(fs.readFileSync(path.join(root, 'www/visitors', f), 'utf8'));
  }
});
