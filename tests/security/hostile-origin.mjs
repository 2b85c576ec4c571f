// A hostile origin of the project's own, for tests/security/: a small storefront (a listing with a
// grid and a hero, a search page, a search API) whose routes misbehave on purpose. It records what
// reached it (`GET /__seen` returns and clears the log), so tests can check what vitrine sent.
//
//   node tests/security/hostile-origin.mjs --port 0      (prints "listening on http://...")
import http from 'node:http';
import zlib from 'node:zlib';

const tile = (k, brand = 'acme') => `<li data-k="${k}" data-brand="${brand}"><a href="/p/${k}">Product ${k}</a></li>`;
const listing = (n = 24, extra = '') =>
  `<!doctype html><html><head><title>Listing</title></head><body>
<div class="hero"><h1>Origin hero</h1><p class="sub">Origin sub</p><a class="cta" href="/c/all">Shop</a></div>
<ul class="grid">${Array.from({ length: n }, (_, i) => tile(`k${i}`, i % 3 ? 'acme' : 'zenith')).join('')}</ul>
${extra}<footer>${'<p>footer filler</p>'.repeat(200)}</footer></body></html>`;

const seen = [];

function handle(req, res) {
  const url = new URL(req.url, 'http://origin.invalid');
  const p = url.pathname;
  if (p === '/__seen') {
    const out = seen.splice(0);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    return res.end(JSON.stringify(out));
  }
  seen.push({ method: req.method, url: req.url, headers: req.headers });
  const page = (body, headers = {}) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=60', ...headers });
    res.end(body);
  };
  switch (p) {
    // A well-behaved listing, minting a session cookie on every (cookie-less) request.
    case '/c/plain':
      return page(listing(), { 'set-cookie': 'session=origin-minted; Path=/; HttpOnly' });
    // The connection drops in the middle of the grid (after the head and the first tiles).
    case '/c/truncate': {
      const n = Number(url.searchParams.get('n') ?? 400);
      const html = listing(n);
      const cut = html.indexOf(`data-k="k${Math.floor(n / 2)}"`);
      // The length promised is the whole page's: the close after part of it is a truncation (a
      // body delimited only by the connection's close could not tell it from the end).
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=60', 'content-length': Buffer.byteLength(html) });
      res.write(html.slice(0, cut));
      return setTimeout(() => res.socket.destroy(), 50);
    }
    // Claims gzip, sends plain bytes.
    case '/c/gzip-lie':
      return page(listing(), { 'content-encoding': 'gzip' });
    case '/static/gzip-lie.css':
      res.writeHead(200, { 'content-type': 'text/css', 'content-encoding': 'gzip', 'cache-control': 'public, max-age=60' });
      return res.end('body { color: red }'.repeat(100));
    // Deflate-encoded HTML, which the runtime may not decode.
    case '/c/deflate':
      return page(zlib.deflateSync(Buffer.from(listing())), { 'content-encoding': 'deflate' });
    // A redirect to the origin's own address.
    case '/r':
      res.writeHead(302, { location: `http://${req.headers.host}/c/plain`, 'cache-control': 'no-store' });
      return res.end();
    // An API that sets a cookie on a publicly cacheable answer.
    case '/api/cookie':
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300', 'set-cookie': 'tracker=1; Path=/' });
      return res.end('{"ok":true}');
    // The search API: echoes what it was asked, 4xx for a query it dislikes.
    case '/api/search': {
      const q = url.searchParams.get('q') ?? '';
      if (q === 'bad request') {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end('{"error":"bad"}');
      }
      const category = url.searchParams.get('category');
      const hits = category === 't' || url.searchParams.get('mode') ? [] : [{ key: 'k1' }, { key: 'k2' }, { key: 'k3' }];
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=30' });
      return res.end(JSON.stringify({ query: q, echo: req.url, hits, total: hits.length }));
    }
    // The search page: echoes its query string; a huge page for q=huge.
    case '/search': {
      const q = url.searchParams.get('q') ?? '';
      if (q === 'huge') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=60' });
        const chunk = Buffer.alloc(1024 * 1024, 'x');
        let sent = 0;
        const more = () => {
          while (sent < 40) {
            sent += 1;
            if (!res.write(chunk)) return res.once('drain', more);
          }
          res.end();
        };
        return more();
      }
      const echo = url.search.replace(/&/g, '|').replace(/[<>"]/g, '');
      return page(listing(12, `<p class="echo" data-echo="${echo}">${q.replace(/[<>&"]/g, '')}</p>`));
    }
    // Echoes the request headers it got, as JSON.
    case '/echo':
    case '/__vitrine/config':
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(JSON.stringify(req.headers));
    default:
      res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      return res.end('not found');
  }
}

const server = http.createServer(handle);
const i = process.argv.indexOf('--port');
server.listen(Number(i > 0 ? process.argv[i + 1] : 0), '127.0.0.1', () => {
  console.log(`hostile origin listening on http://127.0.0.1:${server.address().port}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
