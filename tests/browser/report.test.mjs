// The report a merchandiser reads: simulated shoppers browse the demo store through the worker
// (the holdout at 50%), then the console's Report tab draws the verdict from the collector's
// events in Chromium (420 shoppers: enough that several cut-offs of the lift over time have 100
// visitors per arm): the metrics table with intervals, lift over time with its band, the arms
// side by side, the funnel; the same numbers as JSON and CSV. Screenshot in target/browser/report/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startOrigin, startWorker, demoVars, root, TEST_KEYS } from '../e2e/harness.mjs';
import { simulate } from '../../www/tools/simulate.mjs';

const CHROMIUM = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));
const SHOTS = path.join(root, 'target/browser/report');

let origin;
let worker;
before(async () => {
  origin = await startOrigin();
  const config = JSON.parse(fs.readFileSync(path.join(root, 'www/vitrine.config.json'), 'utf8'));
  config.personalization.holdout = 0.5;
  config.debug.outcome = false;
  worker = await startWorker({ origin: origin.url, vars: demoVars(origin.url, { VITRINE_CONFIG: JSON.stringify(config), CONFIG_TTL_SECONDS: '3600' }) });
});
after(async () => {
  await worker?.stop();
  await origin?.stop();
});

test('simulated traffic, then the report with plots in Chromium', async () => {
  const catalog = JSON.parse(fs.readFileSync(path.join(root, 'www/catalog.json'), 'utf8')).products;
  const run = await simulate(worker.url, {
    shoppers: 420,
    seed: 7,
    brands: [...new Set(catalog.map((p) => p.brand))],
    categories: [...new Set(catalog.map((p) => p.category))],
  });
  assert.equal(run.shoppers, 420);
  await new Promise((r) => setTimeout(r, 1500));
  const json = await (await fetch(`${worker.url}/collect/report?experiment=holdout&share=0.5`)).json();
  assert.ok(json.verdict.enough, json.verdict.note);
  assert.equal(json.verdict.visitors.control + json.verdict.visitors.treatment, 420, 'every shopper in one arm');
  assert.equal(json.verdict.srm.mismatch, false);
  // Listing clicks attributed to the listing they came from: treatment's clicks land on moved items.
  assert.ok(json.clicks.control.clicks > 0 && json.clicks.treatment.clicks > 0, JSON.stringify(json.clicks));
  assert.equal(json.clicks.control.moved_share, 0, 'control is served the origin\'s order');
  assert.ok(json.clicks.treatment.moved_share > 0);
  const csv = await (await fetch(`${worker.url}/collect/report?experiment=holdout&share=0.5&format=csv`)).text();
  assert.match(csv.split('\n')[0], /^metric,control,control_se,treatment,treatment_se,lift,lift_low,lift_high,significant$/);

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 1000 } })).newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${worker.url}/__vitrine/console`);
    await page.fill('#token', TEST_KEYS.ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#app:not([hidden])');
    await page.click('#tab-report');
    await page.click('#report-load');
    await page.waitForSelector('#report svg.plot');
    assert.equal(await page.locator('#report svg.plot').count(), 4, 'lift over time ×2, arms, funnel');
    assert.equal(await page.locator('#report polyline.line').count(), 2, 'lift lines');
    assert.equal(await page.locator('#report polygon.band').count(), 2, 'interval bands');
    assert.ok((await page.locator('#report rect.bar').count()) >= 10, 'bars for the arms and the funnel');
    const row = await page.locator('table.metrics tbody tr', { hasText: 'plp add to cart rate' }).textContent();
    const l = json.verdict.metrics.plp_add_to_cart_rate.lift;
    assert.ok(row.includes(`${(l.lift * 100).toFixed(1)}%`), `the table shows the JSON's lift: ${row}`);
    assert.match(await page.textContent('#report-status'), /sample ratio as configured/);
    // Where the difference comes from: control's listings only ever had the rails applied
    // (in-stock), treatment's were personalized.
    assert.deepEqual(Object.keys(json.pages.control.plp.rules), ['in-stock-listings'], JSON.stringify(json.pages));
    assert.ok(json.pages.treatment.plp.rules.affinity > 0, JSON.stringify(json.pages));
    assert.match(await page.textContent('table.pages'), /treatment\s*plp/);
    fs.rmSync(SHOTS, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'report.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
