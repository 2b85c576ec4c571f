// The demo's event collector: what vitrine forwards (off the response path) lands here, in an
// embedded SQLite database (sql.js: SQLite compiled to WebAssembly, no native build), so later
// work can compute metrics (conversion by variant, search exit and zero-result rates).
//
// The database lives in memory and is written to disk (COLLECTOR_DB, default
// .tmp/events.sqlite) after each batch, atomically (write, then rename).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const initSqlJs = require('sql.js');

export async function openCollector(file) {
  const SQL = await initSqlJs();
  let db;
  if (file && fs.existsSync(file)) db = new SQL.Database(fs.readFileSync(file));
  else db = new SQL.Database();
  db.run(`create table if not exists events (
    id integer primary key,
    received_at integer not null,
    visitor text not null,
    type text not null,
    path text,
    country text,
    consent text,
    customer integer,
    intent text,
    payload text not null
  )`);
  db.run('create index if not exists events_visitor on events(visitor)');
  // The experiment arms a batch's visitor is in (assigned at the edge) and its session number:
  // added to databases made before them.
  for (const column of ['arms text', 'session integer', 'view text']) {
    try {
      db.run(`alter table events add column ${column}`);
    } catch {
      // already there
    }
  }
  // One copy of each event per page view (a retried POST, the edge and a page reporting alike).
  db.run('create unique index if not exists events_view on events(view, type, payload) where view is not null');

  // Written at most twice a second, not after every batch: `db.export()` serializes the whole
  // database, which made a busy collector quadratic (a simulation of 800 shoppers took minutes).
  let pending = null;
  function persistSoon() {
    if (!file || pending) return;
    pending = setTimeout(() => {
      pending = null;
      persist();
    }, 500);
    pending.unref?.();
  }
  process.once('exit', () => pending && persist());
  function persist() {
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, Buffer.from(db.export()));
    fs.renameSync(tmp, file);
  }

  return {
    // Validates and stores one batch from vitrine; returns the number of events stored.
    insert(batch, now = Date.now()) {
      if (!batch || batch.v !== 1 || typeof batch.visitor !== 'string' || !Array.isArray(batch.events)) {
        throw new Error('not a vitrine event batch');
      }
      if (!/^[0-9a-f]{24}$/.test(batch.visitor) || batch.events.length > 50) throw new Error('invalid batch');
      const stmt = db.prepare(
        'insert or ignore into events (received_at, visitor, type, path, country, consent, customer, intent, payload, arms, session, view) values (?,?,?,?,?,?,?,?,?,?,?,?)',
      );
      try {
        for (const e of batch.events) {
          stmt.run([now, batch.visitor, String(e.type ?? 'unknown'), batch.path ?? null, batch.country ?? null,
            batch.consent ?? null, batch.customer ? 1 : 0, batch.intent ?? null, JSON.stringify(e),
            batch.arms ? JSON.stringify(batch.arms) : null, Number.isInteger(batch.session) ? batch.session : null,
            typeof batch.view === 'string' && /^[0-9a-f]{24}$/.test(batch.view) ? batch.view : null]);
        }
      } finally {
        stmt.free();
      }
      persistSoon();
      return batch.events.length;
    },
    // Events, newest last, optionally for one visitor.
    list({ visitor, limit = 200 } = {}) {
      const sql = visitor
        ? 'select received_at, visitor, type, path, country, consent, customer, intent, payload, arms, session, view from events where visitor = ? order by id limit ?'
        : 'select received_at, visitor, type, path, country, consent, customer, intent, payload, arms, session, view from events order by id limit ?';
      const res = db.exec(sql, visitor ? [visitor, limit] : [limit])[0];
      if (!res) return [];
      return res.values.map((row) => {
        const o = Object.fromEntries(res.columns.map((c, i) => [c, row[i]]));
        o.payload = JSON.parse(o.payload);
        o.arms = o.arms ? JSON.parse(o.arms) : null;
        return o;
      });
    },
    // The database itself, for the metrics (www/lib/metrics.mjs).
    db,
    count() {
      return db.exec('select count(*) from events')[0].values[0][0];
    },
    // What shadow rules would have changed: per rule, the listing views it would have changed
    // (of all listing views with an exposure event), on how many paths, and the latest example.
    shadowSummary() {
      const views = db.exec("select count(*) from events where type = 'exposure'")[0].values[0][0];
      const res = db.exec("select path, payload from events where type = 'shadow' order by id")[0];
      const rules = new Map();
      for (const [p, payload] of res?.values ?? []) {
        const e = JSON.parse(payload);
        for (const rule of e.rules ?? []) {
          const r = rules.get(rule) ?? { rule, changed: 0, paths: new Set(), example: null };
          r.changed += 1;
          r.paths.add(p);
          r.example = { path: p, grid: e.grid, live: (e.live ?? []).slice(0, 8), shadow: (e.shadow ?? []).slice(0, 8), version: e.version };
          rules.set(rule, r);
        }
      }
      return { listing_views: views, rules: [...rules.values()].map((r) => ({ ...r, paths: r.paths.size })) };
    },
  };
}
