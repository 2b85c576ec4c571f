// The bootstrap as a newcomer meets it: `make` from a login shell whose BASH_ENV points at a
// bashrc that breaks under `set -u`, esbuild found wherever node resolves it, and `make dev` when
// the demo origin's port is taken (a clear message at once, not a 0.3 s race). Runs after the
// build (`make e2e` depends on it), so `make dev` here starts nothing heavy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { root } from './harness.mjs';

const make = (args, env = {}) =>
  spawnSync('make', ['--no-print-directory', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });

test('a bashrc that breaks under set -u is never sourced by the recipes', () => {
  const rc = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-rc-')), 'bashrc');
  fs.writeFileSync(rc, 'echo BASHRC-WAS-SOURCED >&2\nset -u\n[ -z "$PS1_NEVER_SET_ANYWHERE" ] && return\n');
  const r = make(['-s', 'setup'], { BASH_ENV: rc, ENV: rc });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr + r.stdout, /BASHRC-WAS-SOURCED|unbound variable/);
});

test('esbuild is the one node resolves, for this OS and CPU', () => {
  const r = make(['-s', 'print-BUILD_ENV']);
  const esbuild = r.stdout.match(/ESBUILD_BIN=(\S+)/)?.[1];
  assert.ok(esbuild && fs.existsSync(esbuild), r.stdout);
  assert.doesNotMatch(esbuild, /linux-x64/, 'not a hard-coded platform package');
});

test('make dev stops at once, and says why, when the demo origin cannot listen', async () => {
  const taken = net.createServer();
  await new Promise((r) => taken.listen(0, '127.0.0.1', r));
  const port = taken.address().port;
  try {
    const started = Date.now();
    const r = make(['dev', `ORIGIN_PORT=${port}`, 'DEV_PORT=1']);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, new RegExp(`the demo origin did not start \\(is port ${port} taken\\?`));
    assert.doesNotMatch(r.stdout + r.stderr, /vitrine dev: open/, 'wrangler was not started');
    assert.ok(Date.now() - started < 60_000);
  } finally {
    taken.close();
    fs.rmSync(path.join(root, '.origin.log'), { force: true });
  }
});
