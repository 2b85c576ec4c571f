// Cancellation is a normal path. Shoppers close tabs and navigate away mid-page; the worker must
// then cancel its origin read and drop the page's rewriter quietly: nothing logged as an error by
// the runtime, no state left behind (the next pages are right), the origin's send cut short.
// Runs the built worker in bare workerd, whose own log is what we read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startWorkerd, vitrineModules, freePort } from './workerd.mjs';
import { TEST_KEYS } from './harness.mjs';

// A listing of 400 tiles and a long tail (about 2.7 MB), sent 16 KB every 4 ms (the whole page
// takes the origin about 0.7 s), so a client can go away while the worker is anywhere in it:
// before the grid, holding it, after it — and the origin can tell whether its send was cut short.
const tiles = Array.from({ length: 400 }, (_, i) => `<li class="t" data-k="k${i}"><a href="/p/k${i}">Product ${i}</a> ${'x'.repeat(380)}</li>`).join('\n');
const PAGE = Buffer.from(`<!doctype html><html><head><title>t</title></head><body><h1 class="hero">Hello</h1>\n<p>${'intro '.repeat(3000)}</p>\n<ul class="grid">\n${tiles}\n</ul>\n<footer>${'end '.repeat(640_000)}</footer></body></html>`);
const CONFIG = {
  version: 1,
  site: {
    pages: [{ type: 'plp', path: '/c/{category}' }],
    plp: { grids: [{ name: 'g', container: 'ul.grid', tile: 'li.t', key: { attribute: 'data-k' } }], hero: { container: 'body', headline: 'h1.hero' } },
  },
  consent: { cookie: 'consent', granted: ['all'], denied: ['none'] },
  rules: [
    { id: 'pin', pin: { product: 'k399', position: 1 } },
    { id: 'hero', hero: { headline: 'Chosen for you' } },
  ],
};

let origin;
let workerd;
let port;
const sends = []; // per origin response: 'open', then 'finished' or 'cut'

before(async () => {
  origin = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=60' });
    const i = sends.push('open') - 1;
    let at = 0;
    res.on('close', () => {
      if (sends[i] === 'open') sends[i] = 'cut';
    });
    const next = () => {
      if (res.destroyed) return;
      if (at >= PAGE.length) {
        sends[i] = 'finished';
        return res.end();
      }
      res.write(PAGE.subarray(at, at + 16384));
      at += 16384;
      setTimeout(next, 4);
    };
    next();
  });
  await new Promise((r) => origin.listen(0, '127.0.0.1', r));
  port = await freePort();
  workerd = await startWorkerd({
    vitrine: {
      port,
      modules: vitrineModules(),
      text: { ORIGIN: `http://127.0.0.1:${origin.address().port}`, SIGNAL_KEYS: TEST_KEYS.SIGNAL_KEYS, VITRINE_CONFIG: JSON.stringify(CONFIG) },
    },
  });
});

after(async () => {
  await workerd?.stop();
  await new Promise((r) => origin?.close(r));
});

const headers = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0', accept: 'text/html', 'sec-fetch-dest': 'document', cookie: 'consent=all' };

/** A request whose client goes away after `ms` (or after `bytes` of body). */
function abandoned({ ms, bytes }) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/c/x', headers }, (res) => {
      let got = 0;
      res.on('data', (d) => {
        got += d.length;
        if (bytes !== undefined && got >= bytes) req.destroy();
      });
      res.on('error', () => {});
      res.on('close', () => resolve(got));
    });
    req.on('error', () => resolve(0));
    if (ms !== undefined) setTimeout(() => req.destroy(), ms);
  });
}

function whole() {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/c/x', headers }, (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      })
      .on('error', reject);
  });
}

test('clients that go away at random points cancel the origin read, quietly', async () => {
  const first = await whole();
  assert.equal(first.status, 200);
  const fullLength = first.body.length;
  sends.length = 0;
  // Random moments and body offsets, several at a time.
  let seed = 7;
  const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const batch = [];
  for (let i = 0; i < 40; i++) batch.push(i % 2 ? abandoned({ ms: 5 + rand(300) }) : abandoned({ bytes: 1 + rand(fullLength / 2) }));
  const got = await Promise.all(batch);
  assert.ok(got.some((n) => n > 0) && got.some((n) => n < fullLength), 'clients went away at many points');
  // The worker cancelled its origin reads: no origin send is left hanging, none ran to its end.
  await new Promise((r) => setTimeout(r, 1500));
  const count = (s) => sends.filter((x) => x === s).length;
  assert.equal(count('open'), 0, `origin sends left hanging: ${JSON.stringify(sends)}`);
  assert.ok(count('cut') >= 36, `origin sends cut short: ${count('cut')} of ${sends.length}`);
  // Nothing left behind: full pages are still right, and identical to the first.
  for (let i = 0; i < 3; i++) {
    const r = await whole();
    assert.equal(r.status, 200);
    assert.equal(r.body, first.body);
    assert.ok(r.body.includes('<h1 class="hero">Chosen for you</h1>'));
    assert.ok(r.body.indexOf('data-k="k399"') < r.body.indexOf('data-k="k0"'), 'the pin still applies');
  }
  // And nothing was logged as an error: no uncaught exception of the worker's, no "Critical
  // error", no hung worker. workerd --verbose notes at `info` level each response write that met a
  // closed client socket (`kj/async-io... disconnected`); any worker streaming its own body gets
  // those (the JS HTMLRewriter reference in tests/bench/ref does too), so they are set aside.
  const disconnect = /^workerd\/io\/io-context\.c\+\+:\d+: info: uncaught exception; exception = kj\/async-io-unix\.c\+\+:\d+: disconnected: /;
  const lines = workerd.log().split('\n').filter((l) => !disconnect.test(l) && !l.startsWith('stack: '));
  const bad = lines.filter((l) => /uncaught|critical error|hung|panicked|RuntimeError|error/i.test(l));
  assert.deepEqual(bad, [], bad.slice(0, 5).join('\n'));
});
