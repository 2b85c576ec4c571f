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

/** Starts www/server.mjs on a free port (with its own event database); resolves once it accepts connections. */
export function startOrigin({ env = {}, args = [] } = {}) {
  const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-origin-')), 'events.sqlite');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'www/server.mjs'), '--port', '0', ...args], {
      env: { ...process.env, COLLECTOR_DB: db, ORIGIN_TEST_HOOKS: '1', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    // The origin starts its search service first (seconds; the first run embeds the catalog).
    const timer = setTimeout(() => reject(new Error(`origin did not start: ${out}`)), 120_000);
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

/** Fixed test keys: tests can forge and verify cookies with them (never used outside tests). */
export const TEST_KEYS = {
  SIGNAL_KEYS: '1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
  IDENTITY_KEY: 'test-identity-key-0123456789abcdef0123456789',
  ADMIN_TOKEN: 'test-admin-token-0123456789',
};

/**
 * The vars of a fully configured worker: the demo config, test keys, the origin's collector. The
 * demo config's `debug.outcome` comment is off unless `outcome` (tests compare page bytes).
 */
export function demoVars(originUrl, overrides = {}, { outcome = false } = {}) {
  const config = JSON.parse(fs.readFileSync(path.join(root, 'www/vitrine.config.json'), 'utf8'));
  config.debug.outcome = outcome;
  return {
    VITRINE_CONFIG: JSON.stringify(config),
    COLLECTOR_URL: `${originUrl}/collect`,
    CONFIG_TTL_SECONDS: '1',
    ...TEST_KEYS,
    ...overrides,
  };
}

/** A browser-like client with a cookie jar (names → values), as a visitor would have. */
export class Visitor {
  constructor(base, { userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36', headers = {} } = {}) {
    this.base = base;
    this.jar = new Map();
    this.headers = { 'user-agent': userAgent, accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document', ...headers };
  }
  cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async fetch(pathname, init = {}) {
    const headers = { ...this.headers, ...(init.headers ?? {}) };
    if (this.jar.size) headers.cookie = this.cookieHeader();
    const res = await fetch(this.base + pathname, { redirect: 'manual', ...init, headers });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    res.body_ = Buffer.from(await res.arrayBuffer());
    return res;
  }
  async whoami() {
    const res = await this.fetch('/__vitrine/whoami', { headers: { accept: 'application/json', 'sec-fetch-dest': 'empty' } });
    return JSON.parse(res.body_.toString());
  }
}

/** Polls until `fn` returns a truthy value (events reach the collector after the response). */
export async function eventually(fn, { timeout = 5000, interval = 50 } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, interval));
  }
  return last;
}

/** Headers as a sorted list of [name, value] pairs, Set-Cookie kept separate, minus `ignore`. */
export function headerPairs(headers, ignore = []) {
  const skip = new Set(ignore.map((h) => h.toLowerCase()));
  const pairs = [];
  for (const [k, v] of headers) if (k !== 'set-cookie' && !skip.has(k)) pairs.push([k, v]);
  if (!skip.has('set-cookie')) for (const c of headers.getSetCookie()) pairs.push(['set-cookie', c]);
  return pairs.sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
}

/**
 * Signs a signal cookie with the test key, following the wire format in src/signal/cookie.rs
 * (pinned there by a golden test). Lets a test start as a returning visitor, or a customer,
 * without waiting out a session gap.
 */
export async function forgeSignal({ sessions = 1, intent = 'browse', customer = false, brands = [], id } = {}) {
  const crypto = await import('node:crypto');
  const key = Buffer.from(TEST_KEYS.SIGNAL_KEYS.split(':')[1], 'base64url');
  const nowMin = Math.floor((Date.now() / 1000 - 1_704_067_200) / 60);
  const body = [];
  const u16 = (v) => body.push((v >> 8) & 255, v & 255);
  const u32 = (v) => body.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  body.push(1, 1);
  body.push(...(id ?? crypto.randomBytes(12)));
  u16(Math.floor(nowMin / 1440) - 10);
  u32(nowMin - 1);
  u16(5);
  u16(sessions);
  body.push((intent === 'buy' ? 1 : 0) | (customer ? 2 : 0), 0, (0 << 4) | brands.length, 0);
  const fnv = (s) => {
    let h = 0x811c9dc5;
    for (const b of Buffer.from(s.trim().toLowerCase())) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    return ((h >>> 16) ^ (h & 0xffff)) & 0xffff;
  };
  for (const [name, weight] of brands) {
    u16(fnv(name));
    body.push(weight);
  }
  const tag = crypto.createHmac('sha256', key).update(Buffer.concat([Buffer.from('vitrine-signal-v1\0'), Buffer.from(body)])).digest().subarray(0, 12);
  return Buffer.concat([Buffer.from(body), tag]).toString('base64url');
}
