// The merchandiser's console in a real Chromium, end to end against the demo store through the
// worker: sign in; preview /c/outerwear as a brand fan and see the brand rise, with images; pin a
// product by dragging it and see it at its slot; push with a note; see it live in a second browser;
// the diff in history; roll back; a QA link opened in a fresh browser shows the draft with its
// badge while the live store without it is unchanged; an invalid edit shows its message on the
// field. Screenshots of each step go to target/browser/console/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startOrigin, startWorker, demoVars, root, TEST_KEYS } from '../e2e/harness.mjs';

const CHROMIUM = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));
const SHOTS = path.join(root, 'target/browser/console');
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0.0.0 Safari/537.36';
const demo = JSON.parse(fs.readFileSync(path.join(root, 'www/vitrine.config.json'), 'utf8'));
demo.debug.outcome = false;

let origin;
let worker;
let browser;
before(async () => {
  if (!CHROMIUM) throw new Error('no Chromium found: `make setup` installs it, or set CHROMIUM');
  origin = await startOrigin();
  worker = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { VITRINE_CONFIG: '' }) });
  // The store's live config, pushed as a merchandiser would have before.
  const seeded = await fetch(`${worker.url}/__vitrine/config`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TEST_KEYS.ADMIN_TOKEN}`, 'x-vitrine-author': 'seed', 'x-vitrine-note': 'the demo config' },
    body: JSON.stringify(demo, null, 2),
  });
  assert.equal(seeded.status, 201);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await worker?.stop();
  await origin?.stop();
});

let step = 0;
const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: false });

/** A fresh browser (its own cookies and cache), as another person. */
async function person() {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, userAgent: UA });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { context, page, problems };
}

/** The product keys of the listing's grid, in page order, as a shopper's browser shows them. */
const shopperOrder = (page) => page.$$eval('section.listing ul.product-grid > li.product-tile', (tiles) => tiles.map((t) => t.dataset.sku));
const afterKeys = (page) => page.$$eval('#grids section:first-child ol.after > li', (cards) => cards.map((c) => c.dataset.key));
const beforeKeys = (page) => page.$$eval('#grids section:first-child ol.before > li', (cards) => cards.map((c) => c.dataset.key));

test('a merchandiser previews, pins by dragging, pushes, compares, rolls back and shares a QA link', async () => {
  const m = await person();
  const { page } = m;
  await page.goto(`${worker.url}/__vitrine/console`);
  await shot(page, 'sign-in');
  // Keyboard only: the token field is focusable, Enter submits.
  await page.focus('#token');
  await page.keyboard.type(TEST_KEYS.ADMIN_TOKEN);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#grids ol.after > li');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('vitrine-token')), TEST_KEYS.ADMIN_TOKEN, 'kept in session storage');
  assert.ok(!page.url().includes(TEST_KEYS.ADMIN_TOKEN), 'never in a URL');

  // As a fan of the brand of the origin's last tile on /c/outerwear: it rises.
  const before = await beforeKeys(page);
  const brandOf = async (key) => page.$eval(`#grids ol.before > li[data-key="${key}"] .meta`, (e) => e.textContent.split(' · ')[1]);
  const last = before[before.length - 1];
  const brand = await brandOf(last);
  await page.selectOption('#shopper', 'brand');
  await page.fill('#fan', brand);
  await page.click('#preview-form button[type=submit]');
  await page.waitForFunction((b) => document.querySelector('#preview-status').textContent.includes('Fan of a brand'), brand);
  const fanAfter = await afterKeys(page);
  const firstOfBrand = (keys, brands) => keys.findIndex((k) => brands.get(k) === brand);
  const brands = new Map(await page.$$eval('#grids ol.before > li', (cards) => cards.map((c) => [c.dataset.key, c.querySelector('.meta').textContent.split(' · ')[1]])));
  assert.ok(firstOfBrand(fanAfter, brands) < firstOfBrand(before, brands), `${brand} rises for its fan: ${firstOfBrand(before, brands)} → ${firstOfBrand(fanAfter, brands)}`);
  // The hero as the origin has it beside the one this shopper gets.
  assert.match(await page.textContent('#hero-compare'), /Hero, origin.*Hero, vitrine/s);
  assert.ok((await page.$$eval('#hero-compare .headline', (h) => h.map((x) => x.textContent.trim()))).every(Boolean));
  const images = await page.$$eval('#grids ol.after > li img', (imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length);
  assert.ok(images >= fanAfter.length / 2, `product images shown (${images} loaded)`);
  await shot(page, 'preview-brand-fan');

  // Drag the origin's last product onto slot 1: a pin in the draft, the preview shows it there.
  await page.selectOption('#shopper', 'new');
  await page.click('#preview-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#preview-status').textContent.includes('New visitor'));
  // A product of the second row: it and slot 1 are both on screen, as a person would drag.
  const dragged = (await afterKeys(page))[7];
  await page.dragAndDrop(`#grids ol.after > li[data-key="${dragged}"]`, '#grids ol.after > li:first-child');
  await page.waitForFunction((k) => document.querySelector('#grids ol.after > li')?.dataset.key === k, dragged);
  assert.match(await page.textContent('#grids ol.after > li:first-child .badges'), /pinned: pin-/);
  assert.match(await page.textContent('#draft-state'), /unsaved changes/);
  await shot(page, 'dragged-pin');

  // Push with a note; a second person sees it live.
  await page.fill('#note', `Pin ${dragged} first`);
  await page.fill('#author', 'Mia Merch');
  await page.click('#push');
  await page.waitForFunction(() => /Pushed: version [0-9a-f]{12} is live/.test(document.querySelector('#push-result').textContent));
  const shopper = await person();
  const live = async () => {
    await shopper.page.goto(`${worker.url}/c/outerwear`);
    return shopperOrder(shopper.page);
  };
  let order = await live();
  for (let i = 0; i < 20 && order[0] !== dragged; i++) {
    await new Promise((r) => setTimeout(r, 250));
    order = await live();
  }
  assert.equal(order[0], dragged, 'the pin is live for a shopper');
  await shot(shopper.page, 'live-for-a-shopper');

  // History: who, the note, and the diff between the two versions.
  await page.click('#tab-history');
  await page.waitForSelector('#history-list tr');
  const rows = await page.$$eval('#history-list tr', (trs) => trs.map((tr) => tr.textContent));
  assert.match(rows[0], /Mia Merch/);
  assert.match(rows[0], new RegExp(`Pin ${dragged} first`));
  assert.match(rows[1], /seed/);
  const picks = await page.$$('#history-list input.pick');
  await picks[0].check();
  await picks[1].check();
  await page.click('#compare');
  await page.waitForSelector('#diff li.added');
  assert.match(await page.textContent('#diff'), new RegExp(`added pin-${dragged.toLowerCase()}`));
  await shot(page, 'history-diff');

  // Roll back in one click: the shopper sees the origin's order again.
  await page.click('#history-list tr:nth-child(2) button.rollback');
  await page.waitForFunction(() => /Rolled back/.test(document.querySelector('#diff').textContent));
  order = await live();
  for (let i = 0; i < 20 && order[0] === dragged; i++) {
    await new Promise((r) => setTimeout(r, 250));
    order = await live();
  }
  assert.notEqual(order[0], dragged, 'rolled back');
  await shot(page, 'rolled-back');

  // A QA link for a draft (not pushed), as a returning buyer.
  await page.click('#tab-preview');
  const second = (await afterKeys(page))[8];
  await page.dragAndDrop(`#grids ol.after > li[data-key="${second}"]`, '#grids ol.after > li:first-child');
  await page.waitForFunction((k) => document.querySelector('#grids ol.after > li')?.dataset.key === k, second);
  await page.selectOption('#shopper', 'buyer');
  await page.fill('#note', 'holiday draft');
  await page.click('#share');
  await page.waitForFunction(() => document.querySelector('#share-result').textContent.length > 0);
  assert.match(await page.textContent('#share-result'), /QA link/);
  const link = await page.getAttribute('#share-link', 'href');
  assert.match(link, /\/c\/outerwear\?__vitrine_preview=/);
  await shot(page, 'share-link');
  const qa = await person();
  const res = await qa.page.goto(link);
  assert.equal(new URL(qa.page.url()).search, '', 'the token left the address bar');
  assert.match(res.headers()['cache-control'] ?? '', /no-store/);
  const badge = await qa.page.textContent('#vitrine-qa-badge');
  assert.match(badge, /vitrine preview: draft holiday draft, as returning buyer/);
  assert.equal((await shopperOrder(qa.page))[0], second, 'the draft\'s pin');
  await shot(qa.page, 'qa-link-with-badge');
  // Browsing on keeps the session; the live store without the link is unchanged.
  await qa.page.goto(`${worker.url}/c/outerwear`);
  assert.equal((await shopperOrder(qa.page))[0], second);
  const fresh = await person();
  await fresh.page.goto(`${worker.url}/c/outerwear`);
  assert.equal(await fresh.page.$('#vitrine-qa-badge'), null, 'no badge without the link');
  assert.notEqual((await shopperOrder(fresh.page))[0], second, 'the live store does not show the draft');
  // Exit ends the session.
  await qa.page.click('#vitrine-qa-badge a');
  await qa.page.waitForLoadState();
  assert.equal(await qa.page.$('#vitrine-qa-badge'), null);

  // Someone else pushes meanwhile: the push is refused (412), and a rebase keeps this draft's pin.
  const other = await fetch(`${worker.url}/__vitrine/config`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TEST_KEYS.ADMIN_TOKEN}`, 'x-vitrine-author': 'Sam' },
    body: JSON.stringify({ ...demo, personalization: { strength: 0.5, holdout: 0.05 } }),
  });
  assert.equal(other.status, 201);
  await page.fill('#note', 'holiday pins');
  await page.click('#push');
  await page.waitForSelector('#rebase');
  assert.match(await page.textContent('#push-result'), /Someone else pushed version [0-9a-f]{12}/);
  await shot(page, 'conflict');
  await page.click('#rebase');
  await page.waitForFunction(() => /Rebased onto/.test(document.querySelector('#push-result').textContent));
  await page.click('#push');
  await page.waitForFunction(() => /Pushed: version/.test(document.querySelector('#push-result').textContent));
  const pushedDoc = await (await fetch(`${worker.url}/__vitrine/config`, { headers: { authorization: `Bearer ${TEST_KEYS.ADMIN_TOKEN}` } })).json();
  assert.equal(pushedDoc.personalization.strength, 0.5, 'their change kept');
  assert.ok(pushedDoc.rules.some((r) => r.pin?.product === second), 'our pin kept');

  // An invalid edit: the message is on the field it concerns.
  await page.click('#tab-rules');
  const ids = await page.$$eval('#rule-list tr td:first-child code', (cs) => cs.map((c) => c.textContent));
  const at = ids.indexOf(`pin-${second.toLowerCase()}`);
  assert.ok(at >= 0, `the pin is in the rule list: ${ids}`);
  assert.equal(ids.filter((id) => id === ids[at]).length, 1, `one rule per id: ${ids}`);
  await page.locator('#rule-list tr').nth(at).getByRole('button', { name: 'Edit' }).click();
  await page.fill('#f-pin-position', '0');
  await page.waitForFunction(() => document.querySelector('#msg-f-pin-position').textContent.length > 0);
  assert.match(await page.textContent('#msg-f-pin-position'), /must be at least 1/);
  assert.equal(await page.getAttribute('#f-pin-position', 'aria-invalid'), 'true');
  assert.ok(await page.isDisabled('#push'), 'an invalid draft cannot be pushed');
  await shot(page, 'invalid-edit');

  for (const p of [m, shopper, qa, fresh]) assert.deepEqual(p.problems, []);
  for (const p of [m, shopper, qa, fresh]) await p.context.close();
});

test('without the admin token the console does not exist: the path is the store\'s', async () => {
  const bare = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { ADMIN_TOKEN: '' }) });
  try {
    const res = await fetch(`${bare.url}/__vitrine/console`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-origin'), null);
    assert.doesNotMatch(await res.text(), /vitrine console/);
  } finally {
    await bare.stop();
  }
});
