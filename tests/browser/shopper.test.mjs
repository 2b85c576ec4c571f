// A shopper's real browser: the system Chromium (installed by `make setup` from the OS packages),
// driven by playwright-core, its HTTP cache on, one persistent profile per viewport, walking the
// demo store through the worker. What `fetch` without a cache cannot see: a stored page shown
// again on back-navigation, a 304 that brings back an old personalization, a stale page after the
// origin's max-age, a hero that flickers after load.
//
// Headless Chromium says `HeadlessChrome` in its user agent, which vitrine (rightly) treats as a
// crawler: the tests set a real browser's user agent. Screenshots of every step go to
// target/browser/<viewport>/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startOrigin, startWorker, demoVars, root } from '../e2e/harness.mjs';

const CHROMIUM = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));
const SHOTS = path.join(root, 'target/browser');
// The origin's pages are cacheable for this long (seconds): short, so a revisit after it is quick.
const MAX_AGE = 2;

const VIEWPORTS = {
  desktop: {
    viewport: { width: 1280, height: 900 },
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0.0.0 Safari/537.36',
  },
  mobile: {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0.0.0 Mobile Safari/537.36',
  },
};

let origin;
let worker;
let catalog;
before(async () => {
  if (!CHROMIUM) throw new Error('no Chromium found: `make setup` installs it (apt-get install chromium), or set CHROMIUM');
  origin = await startOrigin({ env: { ORIGIN_PAGE_MAX_AGE: String(MAX_AGE) } });
  worker = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { COLLECTOR_URL: '' }) });
  catalog = JSON.parse(fs.readFileSync(path.join(root, 'www/catalog.json'), 'utf8')).products;
});
after(async () => {
  await worker?.stop();
  await origin?.stop();
});

/** A persistent profile (disk cache on, as a shopper's), with what a test needs to watch. */
async function shopper(name) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), `vitrine-chromium-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    ...VIEWPORTS[name],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  // Layout shifts of the grid or the hero after load would be flicker: record every one.
  await context.addInitScript(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const nodes = (e.sources ?? []).map((s) => s.node?.closest?.('.hero, .product-grid, .gallery')?.className ?? '');
        window.__shifts.push({ value: e.value, nodes });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const dir = path.join(SHOTS, name);
  fs.mkdirSync(dir, { recursive: true });
  let step = 0;
  return {
    page,
    problems,
    async shot(label) {
      step += 1;
      await page.screenshot({ path: path.join(dir, `${String(step).padStart(2, '0')}-${label}.png`), fullPage: false });
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What the listing shows, read from the live DOM. */
const listing = (page) =>
  page.$$eval('ul[data-grid="category"] > li.product-tile', (tiles) => tiles.map((t) => ({ sku: t.dataset.sku, brand: t.dataset.brand })));
const heroOf = (page) =>
  page.$eval('section.hero', (h) => ({
    headline: h.querySelector('.hero__headline')?.textContent,
    sub: h.querySelector('.hero__sub')?.textContent,
    cta: h.querySelector('.hero__cta')?.textContent,
  }));
const firstOf = (tiles, brand) => tiles.findIndex((t) => t.brand === brand);
const shiftsOf = (page) => page.evaluate(() => window.__shifts.filter((s) => s.nodes.some(Boolean)));

/** Waits for the page to be loaded and idle, then returns its response headers. */
async function visit(page, go) {
  const response = await go();
  await page.waitForLoadState('load');
  return response;
}

for (const name of Object.keys(VIEWPORTS)) {
  test(`a shopper's ${name} browser, cache on: the store follows the visitor`, async () => {
    const s = await shopper(name);
    const { page } = s;
    try {
      const direct = await (await fetch(`${origin.url}/c/knitwear`)).text();
      const originOrder = [...direct.split('data-grid="category"')[1].split('</ul>')[0].matchAll(/data-sku="([^"]+)"/g)].map((m) => m[1]);

      // 1. A first visit to a category.
      await visit(page, () => page.goto(`${worker.url}/c/knitwear`));
      const first = await listing(page);
      assert.ok(first.length > 20, 'the listing shows');
      await s.shot('category-first-visit');
      // The brand to fall for: the one whose first tile is furthest down, with three products on show.
      const counts = {};
      for (const t of first) counts[t.brand] = (counts[t.brand] ?? 0) + 1;
      const brand = Object.keys(counts)
        .filter((b) => counts[b] >= 3)
        .sort((a, b) => firstOf(first, b) - firstOf(first, a))[0];
      const before = firstOf(first, brand);
      assert.ok(before > 2, `${brand} starts down the listing (at ${before})`);

      // 2. Three of its products, by clicking through from the listing.
      const skus = first.filter((t) => t.brand === brand).slice(0, 3).map((t) => t.sku);
      for (const [i, sku] of skus.entries()) {
        const slug = catalog.find((p) => p.sku === sku).slug;
        if (i === 0) await visit(page, () => page.click(`a[href="/p/${slug}"]`));
        else await visit(page, () => page.goto(`${worker.url}/p/${slug}`));
        assert.equal(await page.$eval('article.product', (a) => a.dataset.brand), brand);
        await s.shot(`product-${i + 1}`);
      }

      // 3. Back to the category three ways: back-navigation, a link, a reload. The brand has risen.
      for (let i = 0; i < 3; i++) await visit(page, () => page.goBack());
      assert.equal(new URL(page.url()).pathname, '/c/knitwear');
      const back = await listing(page);
      assert.ok(firstOf(back, brand) < before, `back-navigation shows ${brand} risen: ${firstOf(back, brand)} < ${before}`);
      await s.shot('category-back');
      await visit(page, () => page.click('nav.breadcrumbs a[href="/"]'));
      await visit(page, () => page.locator('a[href="/c/knitwear"]:visible').first().click());
      const linked = await listing(page);
      assert.ok(firstOf(linked, brand) < before, `by link: ${firstOf(linked, brand)} < ${before}`);
      await s.shot('category-by-link');
      const reloaded = await visit(page, () => page.reload());
      assert.equal(reloaded.status(), 200);
      assert.ok(firstOf(await listing(page), brand) < before, 'after a reload');
      assert.equal(reloaded.headers()['cache-control'], 'private, no-store');
      const browse = await heroOf(page);
      assert.match(browse.sub, /picked for you/, 'the browsing hero');

      // 4. Add to bag: the hero turns to buying.
      const product = catalog.find((p) => p.brand === brand && p.category === 'knitwear' && p.stock === 'in_stock');
      await visit(page, () => page.goto(`${worker.url}/p/${product.slug}`));
      await Promise.all([page.waitForResponse((r) => r.url().endsWith('/cart/add')), page.click('form.add-to-cart button')]);
      await page.waitForFunction(() => document.querySelector('form.add-to-cart button')?.textContent.includes('Added'));
      await s.shot('added-to-bag');
      await visit(page, () => page.goto(`${worker.url}/c/knitwear`));
      const buying = await heroOf(page);
      assert.equal(buying.headline, 'Ready when you are');
      assert.match(buying.cta, /Go to your bag/);
      await s.shot('category-buying');

      // 5. Checkout: a customer now, the members' line, and no "go to your bag" beside an empty bag.
      await visit(page, () => page.goto(`${worker.url}/cart`));
      await visit(page, () => page.click('form[action="/checkout/complete"] button'));
      assert.match(await page.textContent('h1'), /Thank you/);
      await visit(page, () => page.goto(`${worker.url}/c/knitwear`));
      const member = await heroOf(page);
      assert.match(member.sub, /Members: free shipping/);
      assert.doesNotMatch(member.cta, /bag/i);
      await s.shot('category-member');

      // 6. The bypass, by query parameter: the origin's order, never stored.
      const bypassed = await visit(page, () => page.goto(`${worker.url}/c/knitwear?vitrine=off`));
      assert.match(bypassed.headers()['x-vitrine'], /why=bypass/);
      assert.equal(bypassed.headers()['cache-control'], 'private, no-store');
      assert.deepEqual((await listing(page)).map((t) => t.sku), originOrder);
      await s.shot('bypass');
      // ...and the personalized page again right after: not the stored bypass.
      await visit(page, () => page.goto(`${worker.url}/c/knitwear`));
      assert.notDeepEqual((await listing(page)).map((t) => t.sku), originOrder);

      // 7. A revisit after the origin's max-age: the current personalization, not a stored one.
      await new Promise((r) => setTimeout(r, (MAX_AGE + 1) * 1000));
      const later = await visit(page, () => page.goto(`${worker.url}/c/knitwear`));
      assert.equal(later.status(), 200);
      assert.match((await heroOf(page)).sub, /Members/);
      assert.ok(firstOf(await listing(page), brand) < before);
      await s.shot('category-later');

      // No flicker: nothing in the hero, grid or gallery moved after it was painted; no errors.
      assert.deepEqual(await shiftsOf(page), []);
      assert.deepEqual(s.problems, []);
    } finally {
      await s.close();
    }
  });
}
