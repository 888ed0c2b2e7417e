/**
 * Percentiles from the maintained duration histograms agree with exact nearest-rank percentiles (sorting every
 * duration) within the stated error, over the whole history and over ranges with ragged edges; rows count once
 * they finish, stop counting when deleted, and a database from before the histograms is backfilled.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/engine/store/database';
import {
  cover,
  DurationHistogram,
  HISTOGRAM_MAX_ERROR,
  type Percentiles,
} from '../../electron/engine/store/duration-histogram';
import { InvocationsRepo } from '../../electron/engine/store/invocations-repo';
import { MetricsQuery } from '../../electron/engine/store/metrics-query';
import { migrations } from '../../electron/engine/store/migrations';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 7, 13, 21, 377);
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lambench-histogram-'));
  dirs.push(dir);
  return join(dir, 'lambench.db');
}

/** mulberry32, so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sortedCache = new WeakMap<Db, Map<string, { d: number; s: number }[]>>();
function sorted(db: Db, functionId: string): { d: number; s: number }[] {
  const byFunction = sortedCache.get(db) ?? new Map<string, { d: number; s: number }[]>();
  sortedCache.set(db, byFunction);
  const rows =
    byFunction.get(functionId) ??
    db
      .prepare<[string], { d: number; s: number }>(
        "SELECT duration_ms AS d, started_at AS s FROM invocations WHERE function_id = ? AND status != 'running' AND billed_duration_ms > 0",
      )
      .all(functionId)
      .sort((a, b) => a.d - b.d);
  byFunction.set(functionId, rows);
  return rows;
}

/** `count` invocations over 3 days through the real write path; durations log-uniform from 0.05 ms to 20 s. */
function record(db: Db, count: number, seed: number, functionId = 'Orders'): void {
  const repo = new InvocationsRepo(db);
  const rnd = random(seed);
  const rows = Array.from({ length: count }, () => {
    const startedAt = T0 + Math.floor(rnd() * 3 * DAY);
    const throttled = rnd() < 0.02;
    const durationMs = throttled ? 0 : Math.round(0.05 * Math.exp(rnd() * Math.log(400_000)) * 100) / 100;
    const base = { invocationId: randomUUID(), requestId: randomUUID(), projectId: 1, functionId };
    const start = {
      ...base,
      trigger: 'ui',
      event: '{}',
      startedAt,
      memorySizeMb: 128,
      architecture: 'x86_64',
    };
    const finish = {
      ...base,
      status: throttled ? ('throttled' as const) : ('success' as const),
      startedAt,
      durationMs,
      billedDurationMs: throttled ? 0 : Math.max(1, Math.ceil(durationMs)),
      coldStart: false,
      memorySizeMb: 128,
      maxMemoryUsedMb: 60,
      architecture: 'x86_64' as const,
      environmentId: 'test',
      logs: '',
      logsTruncated: false,
      gbSeconds: 0,
      costUsd: 0,
    };
    return { start, finish };
  });
  // A third are written 'running' first and completed by an UPDATE, as a slow invocation is; the rest are
  // written finished in one INSERT, as a fast one is.
  rows.forEach((r, i) => i % 3 === 0 && repo.begin(r.start));
  repo.flush();
  // Folded while running: their finish is counted by the trigger, the others by the next fold.
  new DurationHistogram(db).update();
  rows.forEach((r, i) => i % 3 !== 0 && repo.begin(r.start));
  for (const r of rows) repo.finish(r.finish);
  repo.flush();
  sortedCache.delete(db);
}

/** Nearest-rank percentiles by sorting every duration, as SQL would without aggregates. */
function exact(db: Db, functionId: string, from = -Infinity, to = Infinity): Percentiles {
  const xs = sorted(db, functionId)
    .filter((r) => r.s >= from && r.s < to)
    .map((r) => r.d);
  if (xs.length === 0) return {};
  const at = (p: number) => xs[Math.ceil((p * xs.length) / 100) - 1];
  return { p50: at(50), p95: at(95), p99: at(99) };
}

function expectWithin(estimate: Percentiles, truth: Percentiles): void {
  expect(Object.keys(estimate).sort()).toEqual(Object.keys(truth).sort());
  for (const key of ['p50', 'p95', 'p99'] as const) {
    if (truth[key] === undefined) continue;
    const error = Math.abs(estimate[key]! - truth[key]) / truth[key];
    expect(error, `${key}: ${estimate[key]} vs exact ${truth[key]}`).toBeLessThanOrEqual(HISTOGRAM_MAX_ERROR);
  }
}

function withProject(db: Db): void {
  db.exec("INSERT INTO projects (id, name, path, opened_at) VALUES (1, 'shop', '/srv/shop', 0)");
}

describe('duration histograms', () => {
  it('cover a range with raw partial minutes and the fewest whole days, hours and minutes', () => {
    const from = Date.UTC(2026, 0, 1, 22, 58, 30, 5);
    const to = Date.UTC(2026, 0, 4, 1, 2, 10);
    const pieces = cover(from, to);
    expect(pieces.map((p) => p.span)).toEqual([0, 60_000, 3_600_000, DAY, 3_600_000, 60_000, 0]);
    // Contiguous, and exactly the range.
    expect(pieces[0].from).toBe(from);
    expect(pieces.at(-1)!.to).toBe(to);
    for (let i = 1; i < pieces.length; i++) expect(pieces[i].from).toBe(pieces[i - 1].to);
    expect(cover(from, from + 10)).toEqual([{ span: 0, from, to: from + 10 }]);
    expect(cover(to, from)).toEqual([]);
  });

  it('match exact percentiles within 1% over the whole history and ragged ranges', () => {
    const file = tempFile();
    const db = openDatabase(file);
    withProject(db);
    record(db, 30_000, 1);
    record(db, 3_000, 2, 'Cart');
    const histogram = new DurationHistogram(db);
    expect(HISTOGRAM_MAX_ERROR).toBeLessThan(0.01);
    expectWithin(histogram.percentiles(1, 'Orders'), exact(db, 'Orders'));
    expectWithin(histogram.percentiles(1, 'Cart'), exact(db, 'Cart'));
    const rnd = random(9);
    for (let i = 0; i < 25; i++) {
      const a = T0 - DAY / 2 + Math.floor(rnd() * 4 * DAY);
      const b = a + Math.floor(rnd() * rnd() * 3 * DAY);
      expectWithin(histogram.percentiles(1, 'Orders', a, b), exact(db, 'Orders', a, b));
    }
    expect(histogram.percentiles(1, 'Nobody')).toEqual({});
    // Rows another process wrote since the last fold count too, on a connection that cannot fold them.
    record(db, 2_000, 7);
    const reader = new Database(file, { readonly: true });
    const readOnly = new DurationHistogram(reader);
    expectWithin(readOnly.percentiles(1, 'Orders'), exact(db, 'Orders'));
    expectWithin(
      readOnly.percentiles(1, 'Orders', T0 + 7_777, T0 + DAY),
      exact(db, 'Orders', T0 + 7_777, T0 + DAY),
    );
    reader.close();
    // MetricsQuery's totals read the same histograms.
    const metrics = new MetricsQuery(db).metrics({
      projectId: 1,
      functionId: 'Orders',
      from: T0,
      to: T0 + DAY,
      bucketMs: 3_600_000,
    });
    expectWithin(
      {
        p50: metrics.totals.p50,
        p95: metrics.totals.p95,
        p99: metrics.totals.p99,
      },
      exact(db, 'Orders', metrics.from, metrics.to),
    );
    db.close();
  });

  it('stop counting deleted rows, and drop a deleted project', () => {
    const db = openDatabase(tempFile());
    withProject(db);
    record(db, 5_000, 3);
    const histogram = new DurationHistogram(db);
    histogram.update();
    db.prepare('DELETE FROM invocations WHERE started_at < ?').run(T0 + DAY);
    expectWithin(histogram.percentiles(1, 'Orders'), exact(db, 'Orders'));
    const left = db
      .prepare<[], number>('SELECT sum(count) FROM duration_histogram WHERE span = 60000')
      .pluck();
    const ran = db
      .prepare<[], number>(
        "SELECT count(*) FROM invocations WHERE status != 'running' AND billed_duration_ms > 0",
      )
      .pluck();
    expect(left.get()).toBe(ran.get());
    expect(db.prepare('SELECT count(*) FROM duration_histogram WHERE count <= 0').pluck().get()).toBe(0);
    // The newest rows go (clearing History): SQLite then reuses their rowids, which must still be folded in.
    histogram.update();
    db.prepare('DELETE FROM invocations WHERE rowid > (SELECT max(rowid) - 500 FROM invocations)').run();
    record(db, 700, 8);
    expectWithin(histogram.percentiles(1, 'Orders'), exact(db, 'Orders'));
    expect(left.get()).toBe(ran.get());
    db.prepare("DELETE FROM invocations WHERE function_id = 'Orders'").run();
    expect(histogram.percentiles(1, 'Orders')).toEqual({});
    record(db, 100, 4);
    db.prepare('DELETE FROM projects WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM duration_histogram').pluck().get()).toBe(0);
    db.close();
  });

  it('are backfilled from the rows of a database that had none', () => {
    const file = tempFile();
    const old = new Database(file);
    for (const sql of migrations.slice(0, 4)) old.exec(sql);
    old.pragma('user_version = 4');
    withProject(old);
    // Rows as schema 4 held them, written straight in (today's write path knows newer columns).
    const insert =
      old.prepare(`INSERT INTO invocations (id, request_id, project_id, function_id, trigger, status,
      started_at, duration_ms, billed_duration_ms, memory_size_mb, architecture, pid)
      VALUES (?, ?, 1, 'Orders', 'ui', ?, ?, ?, ?, 128, 'x86_64', 1)`);
    const rnd = random(5);
    old.transaction(() => {
      for (let i = 0; i < 4_000; i++) {
        const d = Math.round(Math.exp(rnd() * 9) * 100) / 100;
        const status = i % 50 === 0 ? 'running' : 'success';
        insert.run(randomUUID(), randomUUID(), status, T0 + i * 60_123, d, Math.ceil(d));
      }
    })();
    old.close();
    const db = openDatabase(file);
    expectWithin(new DurationHistogram(db).percentiles(1, 'Orders'), exact(db, 'Orders'));
    db.close();
  });
});
