// Test harness: starts the real demo origin (a separate node process) and the built worker in
// workerd (wrangler's unstable_startWorker), each on a free port on 127.0.0.1, and stops them.
import { spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

// Keep wrangler local and quiet (README, development notes): no telemetry, no request.cf download,
// no update check.
process.env.WRANGLER_SEND_METRICS = 'false';
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
process.env.WRANGLER_HIDE_BANNER = 'true';
const { unstable_startWorker } = await import('wrangler');

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Starts www/server.mjs on a free port; resolves once it accepts connections. */
export function startOrigin({ env = {}, args = [] } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'www/server.mjs'), '--port', '0', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`origin did not start: ${out}`)), 10_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[\d.]+:(\d+))/);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          port: Number(m[2]),
          process: child,
          stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`origin exited with ${code}: ${out}`)));
  });
}

/** Starts the built worker (build/index.js) in workerd with the given vars. */
export async function startWorker({ origin, vars = {} } = {}) {
  if (!fs.existsSync(path.join(root, 'build/index.js'))) {
    throw new Error('build/index.js is missing: run `make build` (make test does it for you)');
  }
  const persist = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-e2e-'));
  const bindings = {};
  for (const [k, v] of Object.entries({ ORIGIN: origin, ...vars })) bindings[k] = { type: 'plain_text', value: v };
  const worker = await unstable_startWorker({
    config: path.join(root, 'tests/e2e/wrangler.toml'),
    bindings,
    dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, persist, watch: false, logLevel: 'warn' },
  });
  await worker.ready;
  const url = (await worker.url).toString().replace(/\/$/, '');
  return {
    url,
    stop: async () => {
      await worker.dispose();
      fs.rmSync(persist, { recursive: true, force: true });
    },
  };
}

/** Headers as a sorted list of [name, value] pairs, Set-Cookie kept separate, minus `ignore`. */
export function headerPairs(headers, ignore = []) {
  const skip = new Set(ignore.map((h) => h.toLowerCase()));
  const pairs = [];
  for (const [k, v] of headers) if (k !== 'set-cookie' && !skip.has(k)) pairs.push([k, v]);
  if (!skip.has('set-cookie')) for (const c of headers.getSetCookie()) pairs.push(['set-cookie', c]);
  return pairs.sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
}
