// The metrics that decide whether personalization pays, on event sets small enough to check by
// hand, and calibrated: A/A runs (both arms served the same) must find a "significant" lift about
// as often as the stated confidence allows, no more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openCollector } from '../../www/lib/collector.mjs';
import { evaluate, ratio, srm, armSums, MIN_VISITORS } from '../../www/lib/metrics.mjs';
import { rng } from '../../www/tools/simulate.mjs';

const hex = (i) => i.toString(16).padStart(24, '0');
/** One batch: a visitor in an arm, in a session, with events. */
const batch = (visitor, arm, session, events, ts) => ({ v: 1, visitor: hex(visitor), ts, path: '/c/x', arms: { holdout: arm }, session, events });

test('per-arm metrics by hand: revenue per session with its delta-method error, conversion, listing add-to-cart', async () => {
  const c = await openCollector(null);
  // Control: visitor 1, one session, a listing view, an add-to-cart, an order of 100; visitor 2,
  // two sessions, a listing view each, no order.
  c.insert(batch(1, 'control', 1, [{ type: 'exposure', page: 'plp' }, { type: 'add_to_cart' }, { type: 'checkout_complete', revenue: 100 }]), 1);
  c.insert(batch(2, 'control', 1, [{ type: 'exposure', page: 'plp' }]), 2);
  c.insert(batch(2, 'control', 2, [{ type: 'exposure', page: 'plp' }]), 3);
  // Treatment: visitors 3 and 4, one session each, orders of 150 and 50; 3 added to cart from a
  // listing, 4 added to cart with no listing seen first (not a listing add-to-cart).
  c.insert(batch(3, 'treatment', 1, [{ type: 'exposure', page: 'plp' }, { type: 'add_to_cart' }, { type: 'checkout_complete', revenue: 150 }]), 4);
  c.insert(batch(4, 'treatment', 1, [{ type: 'add_to_cart' }, { type: 'exposure', page: 'plp' }, { type: 'checkout_complete', revenue: 50 }]), 5);
  const sums = armSums(c.db, 'holdout');
  assert.deepEqual([sums.control.n, sums.control.sessions, sums.control.revenue, sums.control.orders], [2, 3, 100, 1]);
  assert.deepEqual([sums.treatment.n, sums.treatment.sessions, sums.treatment.revenue, sums.treatment.plp_atc], [2, 2, 200, 1]);
  assert.equal(sums.control.plp_views, 3);
  assert.equal(sums.control.plp_atc, 1);
  // Revenue per session, control: 100/3. Delta method by hand: x = [100, 0], y = [1, 2]:
  // var = (2500 − 2·(100/3)·(−25) + (100/3)²·0.25) / (2·1.5²) = 987.65 → se 31.43.
  const r = ratio(sums.control, 'revenue', 'sessions');
  assert.ok(Math.abs(r.value - 100 / 3) < 1e-9);
  assert.ok(Math.abs(r.se - 31.427) < 0.01, String(r.se));
  const v = evaluate(c.db, { id: 'holdout', controlShare: 0.5 });
  assert.equal(v.enough, false);
  assert.match(v.note, new RegExp(`at least ${MIN_VISITORS} visitors per arm`));
  assert.equal(v.metrics.revenue_per_session.lift, null, 'no verdict below the minimum');
  assert.equal(v.metrics.conversion.treatment.value, 1);
  assert.equal(v.metrics.average_order_value.treatment.value, 100);
});

test('sample-ratio mismatch', () => {
  assert.equal(srm(5000, 5000, 0.5).p, 1);
  const off = srm(5200, 4800, 0.5);
  assert.ok(Math.abs(off.chi2 - 16) < 1e-9);
  assert.ok(off.p < 1e-4 && off.mismatch, JSON.stringify(off));
  assert.equal(srm(510, 490, 0.5).mismatch, false);
  assert.equal(srm(95, 905, 0.1).mismatch, false, 'a 10% holdout of the right size');
});

/** One small experiment of `n` visitors whose arms are served alike, or treatment `effect` better. */
async function run(seed, n, effect = 0) {
  const r = rng(seed);
  const c = await openCollector(null);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const arm = r() < 0.5 ? 'control' : 'treatment';
    const sessions = 1 + Math.floor(r() * 3);
    for (let s = 1; s <= sessions; s++) {
      const events = [{ type: 'exposure', page: 'plp' }];
      if (r() < 0.3 * (arm === 'treatment' ? 1 + effect : 1)) {
        events.push({ type: 'add_to_cart' });
        if (r() < 0.5) events.push({ type: 'checkout_complete', revenue: Math.round(20 + 200 * r() * r()) });
      }
      c.insert(batch(i, arm, s, events, ++t), t);
    }
  }
  return evaluate(c.db, { id: 'holdout', controlShare: 0.5 });
}

test('A/A calibration: over 120 small runs the 95% interval excludes no lift about 5% of the time', async () => {
  let runs = 0;
  let falsePositives = 0;
  let srmFlags = 0;
  for (let seed = 1; seed <= 120; seed++) {
    const v = await run(seed, 260);
    assert.ok(v.enough, v.note);
    runs++;
    if (v.metrics.plp_add_to_cart_rate.lift.significant) falsePositives++;
    if (v.srm.mismatch) srmFlags++;
  }
  const rate = falsePositives / runs;
  console.log(`A/A: ${falsePositives} of ${runs} runs significant at 95% (${(rate * 100).toFixed(1)}%), SRM flagged ${srmFlags}`);
  // Binomial(120, 0.05): mean 6, sd 2.4; a miscalibrated interval (e.g. ignoring the per-visitor
  // clustering) lands far outside this band.
  assert.ok(rate <= 0.1, `false-positive rate ${rate}`);
  // At alpha 0.001 about 0.1 of 120 runs; more than 2 would mean the check is miscalibrated.
  assert.ok(srmFlags <= 2, `SRM flagged ${srmFlags}`);
});

test('a real effect is found: treatment adds to cart 40% more often', async () => {
  let found = 0;
  for (let seed = 1000; seed < 1010; seed++) {
    const v = await run(seed, 600, 0.4);
    const l = v.metrics.plp_add_to_cart_rate.lift;
    if (l.significant && l.lift > 0) found++;
    assert.ok(l.low < 0.4 && l.high > 0.4 - 0.35, JSON.stringify(l));
  }
  assert.ok(found >= 8, `found in ${found} of 10 runs`);
});

test('lifecycle triggers and the analytics engine\'s insert format', async () => {
  const { lifecycle, jsonEachRow } = await import('../../www/lib/metrics.mjs');
  const c = await openCollector(null);
  // Visitor 1 browses three pages and leaves; 2 adds to cart and leaves; 3 buys twice, a day apart.
  c.insert(batch(1, 'treatment', 1, [{ type: 'plp_view', category: 'boots' }, { type: 'pdp_view', product: {} }, { type: 'plp_view', category: 'bags' }]), 1);
  c.insert(batch(2, 'treatment', 1, [{ type: 'plp_view', category: 'boots' }, { type: 'add_to_cart' }]), 2);
  c.insert(batch(3, 'control', 1, [{ type: 'add_to_cart' }, { type: 'checkout_complete', revenue: 10 }]), 3);
  c.insert(batch(3, 'control', 2, [{ type: 'add_to_cart' }, { type: 'checkout_complete', revenue: 20 }]), 3 + 86_400_000);
  const l = lifecycle(c.db, { views: 3 });
  assert.deepEqual(l.browse_abandonment.map((r) => [r.visitor, r.views]), [[hex(1), 3]]);
  assert.match(l.browse_abandonment[0].categories, /boots/);
  assert.deepEqual(l.cart_abandonment.map((r) => r.visitor), [hex(2)]);
  assert.deepEqual(l.purchase_intervals, [{ visitor: hex(3), days: 1 }]);
  const rows = jsonEachRow(c.db).trim().split('\n').map((x) => JSON.parse(x));
  assert.equal(rows.length, 9);
  assert.deepEqual(Object.keys(rows[0]), ['id', 'received_at', 'visitor', 'type', 'path', 'country', 'consent', 'customer', 'intent', 'payload', 'arms', 'session']);
  assert.equal(JSON.parse(rows[0].arms).holdout, 'treatment');
  assert.equal(jsonEachRow(c.db, 8).trim().split('\n').length, 1, 'since an id: incremental export');
});

test('listing clicks are attributed to the listing they came from: slot, origin position, moved', async () => {
  const { clicks } = await import('../../www/lib/metrics.mjs');
  const c = await openCollector(null);
  const served = [['B', 2, true], ['A', 1, true], ['C', 3, false]]; // B moved up from 2 to slot 1
  c.insert(batch(1, 'treatment', 1, [{ type: 'exposure', page: 'plp', regions: [{ name: 'g', served }] }, { type: 'pdp_view', product: { key: 'B' } }]), 1);
  c.insert(batch(2, 'control', 1, [{ type: 'exposure', page: 'plp', regions: [{ name: 'g', served: [['A', 1, false], ['B', 2, false], ['C', 3, false]] }] }, { type: 'pdp_view', product: { key: 'C' } }]), 2);
  // A product view with no listing before it in the session is not a listing click.
  c.insert(batch(3, 'control', 1, [{ type: 'pdp_view', product: { key: 'A' } }]), 3);
  assert.deepEqual(clicks(c.db, 'holdout'), {
    control: { clicks: 1, mean_slot: 3, moved_share: 0 },
    treatment: { clicks: 1, mean_slot: 1, moved_share: 1 },
  });
  const s = armSums(c.db, 'holdout');
  assert.deepEqual([s.control.plp_clicks, s.treatment.plp_clicks], [1, 1]);
});

test('per arm and page type: pages served, changed, and the rules that fired', async () => {
  const { pages } = await import('../../www/lib/metrics.mjs');
  const c = await openCollector(null);
  c.insert(batch(1, 'treatment', 1, [{ type: 'exposure', page: 'plp', regions: [{ changed: true }], rules: ['pin-a', 'in-stock'] }]), 1);
  c.insert(batch(2, 'treatment', 1, [{ type: 'exposure', page: 'plp', regions: [{ changed: false }], rules: ['in-stock'] }]), 2);
  c.insert(batch(3, 'control', 1, [{ type: 'exposure', page: 'pdp', regions: [{ changed: false }], rules: [] }]), 3);
  assert.deepEqual(pages(c.db, 'holdout'), {
    control: { pdp: { views: 1, changed: 0, rules: {} } },
    treatment: { plp: { views: 2, changed: 1, rules: { 'in-stock': 2, 'pin-a': 1 } } },
  });
});

test('one copy of each event per page view', async () => {
  const c = await openCollector(null);
  const once = { ...batch(1, 'treatment', 1, [{ type: 'exposure', page: 'plp' }, { type: 'add_to_cart' }]), view: 'ab'.repeat(12) };
  c.insert(once, 1);
  c.insert(once, 2); // retried
  c.insert({ ...once, view: 'cd'.repeat(12) }, 3); // another page view: kept
  c.insert({ ...once, view: undefined }, 4); // no view id: kept as it is
  assert.equal(c.count(), 6);
});
