#!/usr/bin/env node
// vitrine's config CLI, for merchandisers who will not write curl:
//
//   npm run config -- validate <file>                check a document (errors with paths, warnings)
//   npm run config -- push <file> [--note "why"]     push it (If-Match on the live version; author from
//                                                    VITRINE_AUTHOR or git config user.name)
//   npm run config -- preview <file> <path> [visitor.json]   what it would do to a page
//   npm run config -- versions                       the history of pushes and rollbacks
//   npm run config -- rollback <version>             make an earlier version live again
//   npm run config -- show                           the live document, exactly as pushed
//   npm run config -- init <url|file> [out.json] [--url U]  a starter config proposed from a page
//
// visitor.json (preview): {"intent": "buy", "returning": true, "customer": false, "consent": true,
// "country": "DE", "device": "mobile", "holdout": false, "brands": {"Kestrel": 200},
// "categories": {"outerwear": 120}}; ready-made ones in www/visitors/.
//
// Talks to a worker: VITRINE_URL (default http://127.0.0.1:8787) with VITRINE_ADMIN_TOKEN, or
// ADMIN_TOKEN read from .dev.vars when run beside a local `make dev`.
import fs from 'node:fs';
import path from 'node:path';

const base = (process.env.VITRINE_URL ?? 'http://127.0.0.1:8787').replace(/\/$/, '');
function token() {
  if (process.env.VITRINE_ADMIN_TOKEN) return process.env.VITRINE_ADMIN_TOKEN;
  const vars = path.resolve('.dev.vars');
  if (fs.existsSync(vars)) {
    const m = fs.readFileSync(vars, 'utf8').match(/^ADMIN_TOKEN="?([^"\n]+)"?$/m);
    if (m) return m[1];
  }
  fail('set VITRINE_ADMIN_TOKEN (or run beside a .dev.vars with ADMIN_TOKEN)');
}
function fail(msg, code = 1) {
  console.error(`vitrine-config: ${msg}`);
  process.exit(code);
}
// --wait: keep trying to reach the worker for up to a minute (make dev seeds while it starts).
const waitFlag = process.argv.includes('--wait');
async function call(method, p, body, headers = {}) {
  let res;
  const deadline = Date.now() + (waitFlag ? 60_000 : 0);
  for (;;) {
    try {
      res = await fetch(base + p, {
        method,
        body,
        headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json', ...headers },
      });
      break;
    } catch (e) {
      if (Date.now() > deadline) fail(`cannot reach ${base}: ${e.cause?.code ?? e.message} (is the worker running? make dev)`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  return { status: res.status, json, text, etag: res.headers.get('etag') };
}

/** A JSON file, or a plain message saying where it is not JSON (line and column), never a stack. */
function readJson(file) {
  const text = read(file);
  try {
    return JSON.parse(text);
  } catch {
    // Node's messages name a position only sometimes: find the first fault ourselves.
    const { at, what } = jsonFault(text);
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    fail(`${file} is not valid JSON (line ${line}, column ${at - before.lastIndexOf('\n')}): ${what}`, 2);
  }
}

/** Where a JSON text first goes wrong (an offset) and what was expected there. */
function jsonFault(text) {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fault = (what) => {
    throw { at: i, what: i >= text.length ? `the document ends early (${what})` : `${what}, found ${JSON.stringify(text[i])}` };
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fault('expected a "key"');
        string();
        ws();
        if (text[i] !== ':') fault('expected :');
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fault('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fault('expected , or ]');
      }
    }
    if (c === '"') return string();
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fault('expected a value');
    i += m[0].length;
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fault('a control character inside a string');
      i++;
    }
    if (i >= text.length) fault('an unterminated string');
    i++;
  };
  try {
    value();
    ws();
    if (i < text.length) fault('expected the end of the document');
  } catch (e) {
    if (e && typeof e.at === 'number') return e;
    throw e;
  }
  return { at: 0, what: 'not JSON' };
}
function read(file) {
  if (!file) fail('which file?');
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    fail(`cannot read ${file}: ${e.message}`);
  }
}
function report({ errors = [], warnings = [] }) {
  for (const e of errors) console.log(`error   ${e.path}: ${e.message}`);
  for (const w of warnings) console.log(`warning ${w.path}: ${w.message}`);
}

const [cmd, ...args] = process.argv.slice(2).filter((a) => a !== '--wait');
switch (cmd) {
  case 'validate': {
    readJson(args[0]);
    const r = await call('POST', '/__vitrine/config/validate', read(args[0]));
    if (r.status !== 200) fail(`${r.status} ${JSON.stringify(r.json)}`);
    report(r.json);
    console.log(r.json.valid ? `valid (version ${r.json.version})` : 'invalid');
    process.exit(r.json.valid ? 0 : 2);
  }
  case 'push': {
    readJson(args[0]);
    const doc = read(args[0]);
    const live = await call('GET', '/__vitrine/config');
    const ifMatch = live.status === 200 && live.etag ? { 'if-match': live.etag } : {};
    // Who and why, for the history (the console shows them): --note "…", VITRINE_AUTHOR or git's user.name.
    const noteAt = process.argv.indexOf('--note');
    const note = noteAt > 0 ? process.argv[noteAt + 1] ?? '' : '';
    let author = process.env.VITRINE_AUTHOR ?? '';
    if (!author) {
      try {
        author = (await import('node:child_process')).execSync('git config user.name', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
      } catch {
        author = process.env.USER ?? '';
      }
    }
    const said = { 'x-vitrine-note': encodeURIComponent(note), 'x-vitrine-author': encodeURIComponent(author) };
    const r = await call('PUT', '/__vitrine/config', doc, { ...ifMatch, ...said });
    report(r.json);
    if (r.status === 201) console.log(`pushed: version ${r.json.version} is live (was ${r.json.previous ?? 'none'})`);
    else if (r.status === 200) console.log(`unchanged: version ${r.json.version} is already live`);
    else if (r.status === 412) fail(`someone else pushed first: live is ${r.json.active}; review and push again`, 3);
    else fail(`${r.status} ${r.json.error ?? JSON.stringify(r.json)}`, 2);
    break;
  }
  case 'preview': {
    const doc = readJson(args[0]);
    const visitor = args[2] ? readJson(args[2]) : {};
    const r = await call('POST', '/__vitrine/preview', JSON.stringify({ config: doc, url: args[1] ?? '/', visitor }));
    if (r.status !== 200) {
      report(r.json);
      fail(`${r.status} ${r.json.error ?? ''}`, 2);
    }
    const p = r.json;
    if (p.origin_status && p.origin_status !== 200) console.log(`the origin answered ${p.origin_status} for ${args[1] ?? '/'}: what follows is a preview of that answer`);
    console.log(`page ${p.page}${p.category ? ` (${p.category})` : ''}, config ${p.version}`);
    for (const g of p.grids) {
      console.log(`grid ${g.name}: ${g.tiles} tiles`);
      console.log(`  before ${g.before.slice(0, 12).join(' ')}${g.before.length > 12 ? ' …' : ''}`);
      console.log(`  after  ${g.after.slice(0, 12).join(' ')}${g.after.length > 12 ? ' …' : ''}`);
      for (const h of g.hidden) console.log(`  hidden ${h.key} (${h.rule})`);
      if (g.shadow) console.log(`  shadow ${g.shadow.after.slice(0, 12).join(' ')}`);
    }
    if (p.hero) console.log(`hero: ${p.hero.variant}: ${p.hero.headline ?? '(origin headline)'}`);
    if (p.image) console.log(`first image: ${p.image.prefer.join(' > ')} (${p.image.rule})`);
    for (const part of p.gallery ?? []) console.log(`${part.part}: ${part.items} items${part.moved ? ', reordered' : part.reason ? ` (${part.reason})` : ''}`);
    if (p.product) {
      for (const field of ['key', 'brand', 'category', 'price']) {
        const said = p.product.sources?.[field] ?? {};
        const why = said.from ? `from ${said.from}` : `none: ${[].concat(said.none ?? []).join('; ')}`;
        console.log(`product ${field}: ${p.product[field] ?? '-'} (${why})`);
      }
    }
    for (const f of p.fired) console.log(`fired ${f.rule} [${f.kind}]: ${f.effect}`);
    report({ warnings: p.warnings });
    break;
  }
  case 'versions': {
    const r = await call('GET', '/__vitrine/config/versions');
    if (r.status !== 200) fail(`${r.status} ${JSON.stringify(r.json)}`);
    for (const e of r.json.history) console.log(`${new Date(e.at * 1000).toISOString()} ${e.action.padEnd(8)} ${e.version}${e.previous ? ` (was ${e.previous})` : ''}${e.author ? ` by ${e.author}` : ''}${e.note ? `: ${e.note}` : ''}`);
    console.log(`live: ${r.json.active ?? 'none'}`);
    break;
  }
  case 'rollback': {
    if (!/^[0-9a-f]{12}$/.test(args[0] ?? '')) fail('rollback needs a version (12 hex digits): see `versions`');
    const live = await call('GET', '/__vitrine/config');
    const r = await call('POST', '/__vitrine/config/rollback', JSON.stringify({ version: args[0] }), live.etag ? { 'if-match': live.etag } : {});
    if (r.status !== 200) fail(`${r.status} ${r.json.error ?? JSON.stringify(r.json)}`, 2);
    console.log(r.json.unchanged ? `${r.json.version} is already live` : `rolled back: ${r.json.version} is live (was ${r.json.previous})`);
    break;
  }
  case 'show': {
    const r = await call('GET', '/__vitrine/config');
    if (r.status !== 200) fail(`${r.status} ${JSON.stringify(r.json)}`);
    process.stdout.write(r.text.endsWith('\n') ? r.text : `${r.text}\n`);
    break;
  }
  case 'init': {
    const { propose } = await import('./init.mjs');
    const source = args[0];
    if (!source) fail('init needs a page of the store: a URL, or a saved HTML file with --url <the URL it was saved from>');
    const remote = /^https?:\/\//.test(source);
    const urlFlag = process.argv.indexOf('--url');
    const pageUrl = remote ? source : urlFlag > 0 ? process.argv[urlFlag + 1] : `http://store.invalid/${path.basename(source)}`;
    let html;
    if (remote) {
      let res;
      try {
        res = await fetch(source, { headers: { accept: 'text/html' } });
      } catch (e) {
        fail(`cannot fetch ${source}: ${e.cause?.code ?? e.message}`);
      }
      if (!res.ok) fail(`${source} answered ${res.status}: init needs the page itself`);
      html = await res.text();
    } else html = read(source);
    const { config, notes } = propose(html, pageUrl);
    for (const n of notes) console.error(`init: ${n}`);
    const out = JSON.stringify(config, null, 2) + '\n';
    const file = args.find((a, i) => i > 0 && a.endsWith('.json'));
    if (file) {
      fs.writeFileSync(file, out);
      console.error(`init: wrote ${file}; review the selectors, then: npm run config -- validate ${file}`);
    } else process.stdout.write(out);
    break;
  }
  default:
    console.log('usage: npm run config -- validate|push <file> | preview <file> <path> [visitor.json] | versions | rollback <version> | show | init <url|file> [out.json]');
    process.exit(cmd ? 1 : 0);
}
