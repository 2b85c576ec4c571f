// The metrics' SQL in ClickHouse's dialect, run in chDB (ClickHouse embedded) on the rows the
// collector exports (JSONEachRow), must give the per-arm sums SQLite gives. chDB is a 180 MB
// download: `make clickhouse` installs it (pinned, in target/chdb) and runs this test; elsewhere
// it skips and says so (set CHDB_PYTHON to a Python that imports chdb).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { openCollector } from '../../www/lib/collector.mjs';
import { armSums, jsonEachRow, perVisitorClickHouse } from '../../www/lib/metrics.mjs';

const PY = process.env.CHDB_PYTHON;

function clickhouse(sql) {
  const script = 'import chdb, sys\nprint(chdb.query(sys.stdin.read(), "JSONEachRow"))';
  const r = spawnSync(PY, ['-c', script], { input: sql, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const hex = (i) => i.toString(16).padStart(24, '0');
const batch = (visitor, arm, session, events) => ({ v: 1, visitor: hex(visitor), path: '/c/x', arms: { holdout: arm }, session, events });

test('ClickHouse and SQLite agree on every per-arm sum', { skip: !PY && 'chDB not installed: make clickhouse' }, async () => {
  const c = await openCollector(null);
  let t = 0;
  // A day's worth of varied visitors: listings, clicks, add-to-carts before and after a listing,
  // orders with and without revenue, searches that exit or find nothing, two sessions.
  for (let i = 0; i < 60; i++) {
    const arm = i % 3 ? 'treatment' : 'control';
    for (let s = 1; s <= 1 + (i % 2); s++) {
      const events = [];
      if (i % 5 === 0) events.push({ type: 'add_to_cart' });
      events.push({ type: 'exposure', page: i % 7 ? 'plp' : 'pdp' });
      if (i % 2) events.push({ type: 'pdp_view', product: { key: `K${i}` } });
      if (i % 4 === 1) events.push({ type: 'add_to_cart' }, { type: 'checkout_complete', revenue: 10 + i });
      if (i % 6 === 0) events.push({ type: 'checkout_complete' });
      if (i % 3 === 2) events.push({ type: 'search', query: 'x', results: i % 2 ? 0 : 4, next: i % 2 ? 'exit' : 'click' });
      c.insert(batch(i, arm, s, events), ++t);
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-ch-'));
  const file = path.join(dir, 'events.ndjson');
  fs.writeFileSync(file, jsonEachRow(c.db));
  const cols = ['sessions', 'orders', 'revenue', 'plp_views', 'plp_atc', 'plp_clicks', 'searches', 'search_exits', 'search_zero'];
  const rows = clickhouse(`SELECT arm, count() AS n, ${cols.map((k) => `sum(${k}) AS ${k}`).join(', ')} FROM (${perVisitorClickHouse('holdout', `file('${file}', JSONEachRow)`)}) GROUP BY arm ORDER BY arm`);
  const sqlite = armSums(c.db, 'holdout');
  assert.equal(rows.length, 2);
  // Every column has something to agree on.
  for (const k of cols) assert.ok(sqlite.control[k] + sqlite.treatment[k] > 0, `${k} is exercised`);
  for (const r of rows) {
    for (const k of ['n', ...cols]) assert.equal(Number(r[k]), sqlite[r.arm][k], `${r.arm} ${k}`);
  }
});
