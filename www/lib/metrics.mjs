// Whether personalization pays: the metrics per experiment arm, computed in SQL over the event
// table (the demo collector's SQLite; the same statements run on ClickHouse, whose JSON functions
// and aggregates the README's "Analytics at scale" maps them to), with honest statistics:
//
// - the unit is the visitor (the arm is assigned per visitor), so every metric is a ratio of
//   per-visitor sums (revenue / sessions, add-to-carts / listing views, …) and its variance comes
//   from the delta method over visitors: Var(R) ≈ (σx² − 2R·σxy + R²·σy²) / (n·ȳ²);
// - the lift of treatment over control is the ratio of the two ratios, its 95% interval from the
//   delta method on the log scale: Var(log Rt − log Rc) ≈ Var(Rt)/Rt² + Var(Rc)/Rc²;
// - a sample-ratio-mismatch check (chi-square, 1 degree of freedom) against the configured share;
// - "not enough data yet" below MIN_VISITORS per arm, or where a metric's denominator is zero.

/** Per-arm minimum before any verdict. */
export const MIN_VISITORS = 100;
const Z95 = 1.959964;
/** An SRM p-value below this means the split is broken, whatever the metrics say. */
export const SRM_ALPHA = 0.001;

/** The metrics: name → [numerator, denominator] per-visitor columns (see PER_VISITOR). */
export const METRICS = {
  revenue_per_session: ['revenue', 'sessions'],
  conversion: ['orders', 'sessions'],
  plp_click_through_rate: ['plp_clicks', 'plp_views'],
  plp_add_to_cart_rate: ['plp_atc', 'plp_views'],
  search_exit_rate: ['search_exits', 'searches'],
  zero_result_rate: ['search_zero', 'searches'],
  average_order_value: ['revenue', 'orders'],
};

/**
 * Per visitor and arm of experiment `:exp`: the sums every metric divides. A visitor's arm is the
 * one its events carry (assigned at the edge, the same on every event). An add-to-cart counts
 * for listings when the visitor saw a listing earlier in the same session (last-touch).
 */
export const PER_VISITOR = `
  select visitor, json_extract(arms, '$.' || :exp) as arm,
    count(distinct coalesce(session, 0)) as sessions,
    sum(type = 'checkout_complete' and json_extract(payload, '$.revenue') is not null) as orders,
    sum(case when type = 'checkout_complete' then coalesce(json_extract(payload, '$.revenue'), 0) else 0 end) as revenue,
    sum(type = 'exposure' and json_extract(payload, '$.page') = 'plp') as plp_views,
    sum(type = 'add_to_cart' and exists (
      select 1 from events l where l.visitor = e.visitor and coalesce(l.session, 0) = coalesce(e.session, 0)
        and l.type = 'exposure' and json_extract(l.payload, '$.page') = 'plp' and l.id < e.id)) as plp_atc,
    sum(type = 'pdp_view' and exists (
      select 1 from events l where l.visitor = e.visitor and coalesce(l.session, 0) = coalesce(e.session, 0)
        and l.type = 'exposure' and json_extract(l.payload, '$.page') = 'plp' and l.id < e.id)) as plp_clicks,
    sum(type = 'search') as searches,
    sum(type = 'search' and json_extract(payload, '$.next') = 'exit') as search_exits,
    sum(type = 'search' and coalesce(json_extract(payload, '$.results'), 1) = 0) as search_zero
  from events e
  where json_extract(arms, '$.' || :exp) is not null and received_at <= :until and received_at >= :since
  group by visitor, arm`;

/** Per arm: visitors and, for every column, its sum and sum of squares, and the cross sums. */
export function armSums(db, experiment, until = Number.MAX_SAFE_INTEGER, since = 0) {
  const cols = [...new Set(Object.values(METRICS).flat())];
  const pairs = Object.values(METRICS).map(([x, y]) => `sum(${x} * ${y}) as "${x}*${y}"`);
  const sql = `with v as (${PER_VISITOR}) select arm, count(*) as n, ${cols.map((c) => `sum(${c}) as "${c}", sum(${c} * ${c}) as "${c}^2"`).join(', ')}, ${[...new Set(pairs)].join(', ')} from v group by arm order by arm`;
  const res = db.exec(sql, { ':exp': experiment, ':until': until, ':since': since })[0];
  if (!res) return {};
  return Object.fromEntries(res.values.map((row) => {
    const o = Object.fromEntries(res.columns.map((c, i) => [c, row[i] ?? 0]));
    return [o.arm, o];
  }));
}

/** A ratio of per-visitor sums, with its delta-method variance. */
export function ratio(s, x, y) {
  const n = s.n;
  if (!n || !s[y]) return null;
  const mx = s[x] / n;
  const my = s[y] / n;
  const r = s[x] / s[y];
  const vx = s[`${x}^2`] / n - mx * mx;
  const vy = s[`${y}^2`] / n - my * my;
  const cxy = s[`${x}*${y}`] / n - mx * my;
  const variance = Math.max(0, (vx - 2 * r * cxy + r * r * vy) / (n * my * my));
  return { value: r, se: Math.sqrt(variance), n };
}

/** Treatment against control: the relative lift and its 95% interval (log scale, delta method). */
export function lift(control, treatment) {
  if (!control || !treatment || control.value <= 0 || treatment.value <= 0) return null;
  const l = Math.log(treatment.value / control.value);
  const se = Math.sqrt((treatment.se / treatment.value) ** 2 + (control.se / control.value) ** 2);
  return { lift: Math.exp(l) - 1, low: Math.exp(l - Z95 * se) - 1, high: Math.exp(l + Z95 * se) - 1, significant: l - Z95 * se > 0 || l + Z95 * se < 0 };
}

/** erfc for the chi-square tail (1 degree of freedom): Numerical Recipes' erfc, |error| < 1.2e-7. */
function erfc(x) {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? y : 2 - y;
}

/** Sample-ratio mismatch: are the arms' sizes what the share says? */
export function srm(nControl, nTreatment, controlShare) {
  const total = nControl + nTreatment;
  if (!total) return { chi2: 0, p: 1, mismatch: false };
  const ec = total * controlShare;
  const et = total - ec;
  const chi2 = (nControl - ec) ** 2 / ec + (nTreatment - et) ** 2 / et;
  const p = Math.min(1, Math.max(0, erfc(Math.sqrt(chi2 / 2))));
  return { chi2, p, mismatch: p < SRM_ALPHA };
}

/**
 * The verdict for one experiment: per metric, each arm's value with its standard error, the lift
 * with its interval, the SRM check, and whether there is enough data to say anything.
 * `arms` names the control and treatment arm values the events carry.
 */
export function evaluate(db, { id, controlShare, control = 'control', treatment = 'treatment', since = 0 }, until) {
  const sums = armSums(db, id, until, since);
  const c = sums[control] ?? { n: 0 };
  const t = sums[treatment] ?? { n: 0 };
  const enough = c.n >= MIN_VISITORS && t.n >= MIN_VISITORS;
  const metrics = {};
  for (const [name, [x, y]] of Object.entries(METRICS)) {
    const rc = ratio(c, x, y);
    const rt = ratio(t, x, y);
    metrics[name] = { control: rc, treatment: rt, lift: enough ? lift(rc, rt) : null };
  }
  return {
    experiment: id,
    visitors: { [control]: c.n, [treatment]: t.n },
    srm: srm(c.n, t.n, controlShare),
    enough,
    note: enough ? null : `not enough data yet: at least ${MIN_VISITORS} visitors per arm (have ${c.n} and ${t.n})`,
    metrics,
  };
}

/** Lift over time: the verdict on everything received up to each cut-off (cumulative). */
export function overTime(db, experiment, cutoffs) {
  return cutoffs.map((until) => ({ until, ...evaluate(db, experiment, until) }));
}

/**
 * The report: the verdict, lift over time (cumulative, at `points` cut-offs across the events'
 * span), and the funnel per arm (listing views → add-to-carts from listings → orders).
 */
export function report(db, experiment, points = 8) {
  const span = db.exec('select min(received_at), max(received_at) from events where arms is not null')[0]?.values[0] ?? [0, 0];
  const [first, last] = span.map((x) => x ?? 0);
  const cutoffs = Array.from({ length: points }, (_, i) => Math.round(first + ((last - first) * (i + 1)) / points));
  const verdict = evaluate(db, experiment);
  const sums = armSums(db, experiment.id);
  const funnel = Object.fromEntries(Object.entries(sums).map(([arm, s]) => [arm, { visitors: s.n, sessions: s.sessions, listing_views: s.plp_views, add_to_carts: s.plp_atc, orders: s.orders, revenue: s.revenue }]));
  const lifts = overTime(db, experiment, cutoffs).map((v) => ({ until: v.until, visitors: v.visitors, ...Object.fromEntries(Object.entries(v.metrics).map(([k, m]) => [k, m.lift])) }));
  return { experiment: experiment.id, share: experiment.controlShare, running_ms: last - first, verdict, funnel, clicks: clicks(db, experiment.id), pages: pages(db, experiment.id), over_time: lifts };
}

/** The report's metrics as CSV: one row per metric. */
export function csv(r) {
  const rows = [['metric', 'control', 'control_se', 'treatment', 'treatment_se', 'lift', 'lift_low', 'lift_high', 'significant']];
  for (const [name, m] of Object.entries(r.verdict.metrics)) {
    rows.push([name, m.control?.value, m.control?.se, m.treatment?.value, m.treatment?.se, m.lift?.lift, m.lift?.low, m.lift?.high, m.lift?.significant].map((v) => (v === undefined || v === null ? '' : String(v))));
  }
  return `${rows.map((r) => r.join(',')).join('\n')}\n`;
}

/**
 * Lifecycle triggers, for an email or SMS tool (the collector's `/collect/lifecycle` export):
 * browse abandonment (at least `views` listing or product views in a session, no add-to-cart),
 * cart abandonment (an add-to-cart, no order in that session), and purchase intervals (days
 * between a visitor's orders). Only the pseudonymous id and what was seen: the tool matches the id
 * to a person through its own sign-in data, never through vitrine.
 */
export function lifecycle(db, { views = 3 } = {}) {
  const rows = (sql, params) => {
    const r = db.exec(sql, params)[0];
    return r ? r.values.map((v) => Object.fromEntries(r.columns.map((c, i) => [c, v[i]]))) : [];
  };
  const browse = rows(`
    select visitor, coalesce(session, 0) as session, max(received_at) as last_seen,
      sum(type in ('plp_view', 'pdp_view')) as views,
      group_concat(distinct json_extract(payload, '$.category')) as categories
    from events group by visitor, coalesce(session, 0)
    having views >= :views and sum(type = 'add_to_cart') = 0`, { ':views': views });
  const cart = rows(`
    select visitor, coalesce(session, 0) as session, max(received_at) as last_seen, sum(type = 'add_to_cart') as added
    from events group by visitor, coalesce(session, 0)
    having added > 0 and sum(type = 'checkout_complete' and json_extract(payload, '$.revenue') is not null) = 0`);
  const orders = rows(`
    select visitor, received_at from events
    where type = 'checkout_complete' and json_extract(payload, '$.revenue') is not null order by visitor, received_at`);
  const intervals = [];
  for (let i = 1; i < orders.length; i++) {
    if (orders[i].visitor === orders[i - 1].visitor) {
      intervals.push({ visitor: orders[i].visitor, days: (orders[i].received_at - orders[i - 1].received_at) / 86_400_000 });
    }
  }
  return { browse_abandonment: browse, cart_abandonment: cart, purchase_intervals: intervals };
}

/**
 * The events as ClickHouse's native `JSONEachRow` insert format (one JSON object per line), for
 * `INSERT INTO vitrine.events FORMAT JSONEachRow`: the same columns as the SQLite table, payload
 * and arms as JSON strings (ClickHouse's JSONExtract* read them as json_extract does here).
 */
export function jsonEachRow(db, since = 0) {
  const r = db.exec('select id, received_at, visitor, type, path, country, consent, customer, intent, payload, arms, session from events where id > ? order by id', [since])[0];
  if (!r) return '';
  return r.values.map((v) => JSON.stringify(Object.fromEntries(r.columns.map((c, i) => [c, v[i]])))).join('\n') + '\n';
}

/**
 * Where listing clicks came from, per arm: each product view after a listing view in the same
 * session, attributed to the last such listing's served order (`regions[].served`: key, origin
 * position, moved), so its slot and whether vitrine moved it are known.
 */
export function clicks(db, experiment) {
  const r = db.exec(`
    with v as (
      select e.id, json_extract(e.arms, '$.' || :exp) as arm, json_extract(e.payload, '$.product.key') as key,
        (select l.payload from events l where l.visitor = e.visitor and coalesce(l.session, 0) = coalesce(e.session, 0)
           and l.type = 'exposure' and json_extract(l.payload, '$.page') = 'plp' and l.id < e.id order by l.id desc limit 1) as listing
      from events e where e.type = 'pdp_view' and json_extract(e.arms, '$.' || :exp) is not null)
    select arm, count(*) as clicks,
      avg(slot) as mean_slot, avg(moved) as moved_share
    from (
      select v.arm, s.key + 1 as slot, json_extract(s.value, '$[2]') as moved
      from v, json_each(json_extract(v.listing, '$.regions[0].served')) s
      where v.listing is not null and json_extract(s.value, '$[0]') = v.key)
    group by arm order by arm`, { ':exp': experiment })[0];
  return r ? Object.fromEntries(r.values.map((row) => [row[0], { clicks: row[1], mean_slot: row[2], moved_share: row[3] }])) : {};
}

/**
 * Per arm, per page type: how many pages were served, how many vitrine changed, and which rules
 * fired how often (from the exposures): where each arm's difference comes from.
 */
export function pages(db, experiment) {
  const rows = (sql) => {
    const r = db.exec(sql, { ':exp': experiment })[0];
    return r ? r.values.map((v) => Object.fromEntries(r.columns.map((c, i) => [c, v[i]]))) : [];
  };
  const byPage = rows(`
    select json_extract(arms, '$.' || :exp) as arm, json_extract(payload, '$.page') as page, count(*) as views,
      sum(exists (select 1 from json_each(json_extract(payload, '$.regions')) r where json_extract(r.value, '$.changed'))) as changed
    from events where type = 'exposure' and json_extract(arms, '$.' || :exp) is not null
    group by arm, page order by arm, page`);
  const byRule = rows(`
    select json_extract(e.arms, '$.' || :exp) as arm, json_extract(e.payload, '$.page') as page, r.value as rule, count(*) as fired
    from events e, json_each(json_extract(e.payload, '$.rules')) r
    where e.type = 'exposure' and json_extract(e.arms, '$.' || :exp) is not null
    group by arm, page, rule order by arm, page, fired desc`);
  const out = {};
  for (const { arm, page, views, changed } of byPage) {
    ((out[arm] ??= {})[page ?? 'other'] = { views, changed, rules: {} });
  }
  for (const { arm, page, rule, fired } of byRule) {
    const at = out[arm]?.[page ?? 'other'];
    if (at) at.rules[rule] = fired;
  }
  return out;
}

/**
 * The per-visitor sums of PER_VISITOR in ClickHouse's dialect, over the rows `/collect/export`
 * writes (`{table}` a table or a table function such as `file('events.ndjson', JSONEachRow)`).
 * Same columns, same meaning; the listing attribution without a correlated subquery: a listing
 * add-to-cart or click comes after the session's first listing exposure.
 */
export function perVisitorClickHouse(experiment, table) {
  if (!/^[A-Za-z0-9_.:-]+$/.test(experiment)) throw new Error('experiment ids are letters, digits, _ . : -');
  return `
    WITH ev AS (
      SELECT id, visitor, coalesce(session, 0) AS session, type, payload, JSONExtractString(arms, '${experiment}') AS arm
      FROM ${table} WHERE arms IS NOT NULL AND JSONHas(arms, '${experiment}')
    ),
    firsts AS (
      SELECT visitor, session, minIf(id, type = 'exposure' AND JSONExtractString(payload, 'page') = 'plp') AS first_plp
      FROM ev GROUP BY visitor, session
    )
    SELECT e.visitor AS visitor, any(e.arm) AS arm,
      uniqExact(e.session) AS sessions,
      countIf(e.type = 'checkout_complete' AND JSONHas(e.payload, 'revenue')) AS orders,
      sumIf(JSONExtractFloat(e.payload, 'revenue'), e.type = 'checkout_complete') AS revenue,
      countIf(e.type = 'exposure' AND JSONExtractString(e.payload, 'page') = 'plp') AS plp_views,
      countIf(e.type = 'add_to_cart' AND f.first_plp > 0 AND f.first_plp < e.id) AS plp_atc,
      countIf(e.type = 'pdp_view' AND f.first_plp > 0 AND f.first_plp < e.id) AS plp_clicks,
      countIf(e.type = 'search') AS searches,
      countIf(e.type = 'search' AND JSONExtractString(e.payload, 'next') = 'exit') AS search_exits,
      countIf(e.type = 'search' AND JSONHas(e.payload, 'results') AND JSONExtractInt(e.payload, 'results') = 0) AS search_zero
    FROM ev AS e LEFT JOIN firsts AS f ON e.visitor = f.visitor AND e.session = f.session
    GROUP BY e.visitor`;
}
