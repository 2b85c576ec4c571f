// The built worker in a bare workerd process: no wrangler, no proxies, no inspector. For tests that
// must read what the runtime itself logs (an uncaught error, a hung worker) and for benchmarks
// (tests/bench/edge.mjs) that must measure the worker's own CPU.
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WORKERD = path.join(root, 'node_modules/@cloudflare/workerd-linux-64/bin/workerd');
export const COMPATIBILITY_DATE = '2026-04-26';

/**
 * A free TCP port on 127.0.0.1, never one this process handed out before: the kernel gives a
 * just-closed port again, so two calls (or `Promise.all` of several) could otherwise return the
 * same one and workerd would fail to bind the second ("Address already in use").
 */
const handedOut = new Set();
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const { port: p } = s.address();
        s.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

const str = (s) => JSON.stringify(s);

/**
 * A workerd config. `workers` maps a name to `{ port, modules: [[name, kind, file]], text: {binding:
 * value} }` (kind `esModule` or `wasm`); files are embedded relative to `dir`.
 */
export function capnp(dir, workers) {
  const services = [];
  const sockets = [];
  const defs = [];
  for (const [name, w] of Object.entries(workers)) {
    const modules = w.modules.map(([m, kind, file]) => `(name = ${str(m)}, ${kind} = embed ${str(path.relative(dir, file))})`);
    const bindings = Object.entries(w.text ?? {}).map(([k, v]) => `(name = ${str(k)}, text = ${str(v)})`);
    defs.push(`const w${name} :Workerd.Worker = (modules = [${modules.join(', ')}], compatibilityDate = "${COMPATIBILITY_DATE}", globalOutbound = "internet", bindings = [${bindings.join(', ')}]);`);
    services.push(`(name = "${name}", worker = .w${name})`);
    sockets.push(`(name = "s${name}", address = "127.0.0.1:${w.port}", http = (), service = "${name}")`);
  }
  services.push('(name = "internet", network = (allow = ["public", "private"]))');
  return `using Workerd = import "/workerd/workerd.capnp";\nconst config :Workerd.Config = (\n  services = [\n    ${services.join(',\n    ')}\n  ],\n  sockets = [\n    ${sockets.join(',\n    ')}\n  ]\n);\n${defs.join('\n')}\n`;
}

/** The built vitrine worker's modules (from `build`, by default the repository's build/). */
export function vitrineModules(build = path.join(root, 'build')) {
  if (!fs.existsSync(path.join(build, 'index.js'))) throw new Error(`${build} has no index.js: run \`make build\``);
  return [
    ['index.js', 'esModule', path.join(build, 'index.js')],
    ['index_bg.wasm', 'wasm', path.join(build, 'index_bg.wasm')],
  ];
}

/**
 * Starts workerd with `workers` (see `capnp`); resolves once every socket accepts connections.
 * `prefix` is a command to run workerd under (e.g. `['taskset', '-c', '1']`). Its stdout and stderr
 * are collected: `log()`. `poll`: ms between connection attempts.
 */
export async function startWorkerd(workers, { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-workerd-')), prefix = [], poll = 50 } = {}) {
  const config = path.join(dir, 'config.capnp');
  fs.writeFileSync(config, capnp(dir, workers));
  const [cmd, ...args] = [...prefix, WORKERD, 'serve', config, '--verbose'];
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const deadline = Date.now() + 60_000;
  for (const { port } of Object.values(workers)) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited: ${log}`);
      const up = await new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.end(() => resolve(true)));
        s.once('error', () => resolve(false));
      });
      if (up) break;
      if (Date.now() > deadline) throw new Error(`workerd did not listen on ${port}: ${log}`);
      await new Promise((r) => setTimeout(r, poll));
    }
  }
  return {
    pid: child.pid,
    log: () => log,
    stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))),
  };
}
