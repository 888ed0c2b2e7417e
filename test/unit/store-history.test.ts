/** History queries on a real SQLite file: filters, keyset pages, detail, metrics, clear, export, retention. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InvocationSummary } from '../../shared/api/history';
import type { InvocationStatus } from '../../shared/types';
import { openDatabase, type Db } from '../../electron/engine/store/database';
import { toCsv, toJson } from '../../electron/engine/store/history-export';
import { HistoryRepo } from '../../electron/engine/store/history-repo';
import { InvocationsRepo } from '../../electron/engine/store/invocations-repo';
import { MetricsQuery } from '../../electron/engine/store/metrics-query';
import { Retention } from '../../electron/engine/store/retention';

let dir: string;
let db: Db;
let records: InvocationsRepo;
let history: HistoryRepo;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambench-store-'));
  db = openDatabase(join(dir, 'lambench.db'));
  db.exec(
    "INSERT INTO projects (id, name, path, opened_at) VALUES (1, 'shop', '/srv/shop', 0), (2, 'jobs', '/srv/jobs', 0)",
  );
  records = new InvocationsRepo(db);
  history = new HistoryRepo(db, () => records.flush());
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Seed {
  projectId?: number;
  functionId?: string;
  status?: Exclude<InvocationStatus, 'running'>;
  startedAt: number;
  durationMs?: number;
  cold?: boolean;
  error?: { type: string; message: string };
  running?: boolean;
  invocationId?: string;
}

/** Records one invocation through the write-ahead path, the way the invoker does. */
function record(s: Seed): string {
  const invocationId = s.invocationId ?? randomUUID();
  const base = {
    invocationId,
    requestId: randomUUID(),
    projectId: s.projectId ?? 1,
    functionId: s.functionId ?? 'Orders',
  };
  records.begin({
    ...base,
    trigger: 'ui',
    event: '{"id":1}',
    startedAt: s.startedAt,
    memorySizeMb: 256,
    architecture: 'x86_64',
  });
  if (s.running) return invocationId;
  const status = s.status ?? 'success';
  const durationMs = status === 'throttled' ? 0 : (s.durationMs ?? 10);
  const billed = status === 'throttled' ? 0 : Math.ceil(durationMs);
  records.finish({
    ...base,
    status,
    startedAt: s.startedAt,
    durationMs,
    billedDurationMs: billed,
    initDurationMs: s.cold ? 150 : undefined,
    coldStart: s.cold ?? false,
    memorySizeMb: 256,
    maxMemoryUsedMb: 64,
    architecture: 'x86_64',
    response: '{"ok":true}',
    error: s.error,
    logs: `START RequestId: ${base.requestId}\nhello\nEND`,
    logsTruncated: false,
    gbSeconds: (billed / 1000) * 0.25,
    costUsd: billed * 0.25 * 1.66667e-8,
  });
  return invocationId;
}

const all = (filter: Parameters<HistoryRepo['list']>[0]): InvocationSummary[] => {
  const rows: InvocationSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = history.list({ ...filter, cursor });
    rows.push(...page.rows);
    cursor = page.nextCursor;
  } while (cursor);
  return rows;
};

describe('history:list', () => {
  it('pages newest first by keyset, with ties on started_at, and never repeats or skips a row', () => {
    const ids = new Set<string>();
    // 120 rows on 40 distinct timestamps: three share each millisecond.
    for (let i = 0; i < 120; i++) ids.add(record({ startedAt: 1_000 + Math.floor(i / 3) }));
    const rows = all({ limit: 7 });
    expect(rows).toHaveLength(120);
    expect(new Set(rows.map((r) => r.invocationId))).toEqual(ids);
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      expect(
        a.startedAt > b.startedAt || (a.startedAt === b.startedAt && a.invocationId > b.invocationId),
      ).toBe(true);
    }
    expect(history.list({ limit: 120 }).nextCursor).toBeUndefined();
  });

  it('filters by function, status, time, cold start and text', () => {
    record({ startedAt: 100, functionId: 'Orders' });
    const err = record({
      startedAt: 200,
      functionId: 'Orders',
      status: 'error',
      error: { type: 'Runtime.UserError', message: 'Order 7 failed 100%_validation' },
    });
    const timeout = record({
      startedAt: 300,
      functionId: 'Cart',
      status: 'timeout',
      error: { type: 'Sandbox.Timedout', message: 'Task timed out after 3.00 seconds' },
    });
    const cold = record({ startedAt: 400, functionId: 'Cart', cold: true });
    const other = record({ startedAt: 500, projectId: 2, functionId: 'Orders' });
    const running = record({ startedAt: 600, running: true });
    const ids = (rows: InvocationSummary[]) => rows.map((r) => r.invocationId);

    expect(ids(all({ limit: 50, projectId: 1, functionId: 'Orders' }))).toHaveLength(3);
    expect(ids(all({ limit: 50, functionId: 'Orders' }))).toHaveLength(4);
    expect(ids(all({ limit: 50, status: ['error'] }))).toEqual([err]);
    expect(ids(all({ limit: 50, status: ['error', 'timeout'] }))).toEqual([timeout, err]);
    expect(ids(all({ limit: 50, status: ['running'] }))).toEqual([running]);
    expect(ids(all({ limit: 50, coldOnly: true }))).toEqual([cold]);
    expect(ids(all({ limit: 50, from: 300, to: 500 }))).toEqual([cold, timeout]);
    expect(ids(all({ limit: 50, text: 'timedout' }))).toEqual([timeout]);
    // LIKE wildcards in the search text are literal.
    expect(ids(all({ limit: 50, text: '100%_valid' }))).toEqual([err]);
    expect(ids(all({ limit: 50, text: '0%x' }))).toEqual([]);
    const requestId = history.get(other).requestId;
    expect(ids(all({ limit: 50, text: requestId.toUpperCase() }))).toEqual([other]);
    expect(ids(all({ limit: 50, text: other }))).toEqual([other]);
    expect(ids(all({ limit: 50, ids: [err, cold, 'nope'] }))).toEqual([cold, err]);
  });

  it('gives summary figures, and refuses a cursor it did not make', () => {
    const id = record({ startedAt: 1234, durationMs: 12.34, cold: true });
    const [row] = history.list({ limit: 1 }).rows;
    expect(row).toEqual({
      invocationId: id,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      projectId: 1,
      functionId: 'Orders',
      trigger: 'ui',
      status: 'success',
      startedAt: 1234,
      durationMs: 12.34,
      billedDurationMs: 13,
      initDurationMs: 150,
      coldStart: true,
      memorySizeMb: 256,
      maxMemoryUsedMb: 64,
      architecture: 'x86_64',
      gbSeconds: 0.00325,
      costUsd: 13 * 0.25 * 1.66667e-8,
      qualifier: '$LATEST',
      executedVersion: '$LATEST',
      invocationType: 'RequestResponse',
    });
    expect(() => history.list({ limit: 5, cursor: 'garbage' })).toThrow(
      expect.objectContaining({ name: 'InvalidCursor' }),
    );
  });
});

describe('history:get', () => {
  it('returns the event, response, logs and phases; a missing id is a clear error', () => {
    const id = record({ startedAt: 5000, durationMs: 20, cold: true });
    const detail = history.get(id);
    expect(detail).toMatchObject({
      invocationId: id,
      event: '{"id":1}',
      eventTruncated: false,
      response: '{"ok":true}',
      responseTruncated: false,
      logs: expect.stringContaining('hello'),
      logsTruncated: false,
      qualifier: '$LATEST',
      endedAt: 5000 + 150 + 20,
      phases: { initMs: 150, invokeMs: 20 },
    });
    expect(() => history.get('missing')).toThrow(expect.objectContaining({ name: 'InvocationNotFound' }));
  });
});

describe('history:functions', () => {
  it('lists each function once, newest first, with invocations outside any project too', () => {
    for (let i = 0; i < 30; i++) record({ startedAt: 100 + i, functionId: 'Orders' });
    record({ startedAt: 500, functionId: 'Cart' });
    record({ startedAt: 300, projectId: 2, functionId: 'Nightly' });
    // Invocations whose project was removed keep their rows with no project (ON DELETE SET NULL).
    record({ startedAt: 50, projectId: 2, functionId: 'Cart' });
    record({ startedAt: 700, projectId: 2, functionId: 'Adhoc' });
    records.flush();
    db.prepare('UPDATE invocations SET project_id = NULL WHERE started_at IN (50, 700)').run();
    expect(history.functions()).toEqual([
      { projectId: null, functionId: 'Adhoc', lastStartedAt: 700 },
      { projectId: 1, functionId: 'Cart', lastStartedAt: 500 },
      { projectId: 2, functionId: 'Nightly', lastStartedAt: 300 },
      { projectId: 1, functionId: 'Orders', lastStartedAt: 129 },
      { projectId: null, functionId: 'Cart', lastStartedAt: 50 },
    ]);
    expect(history.functions(2).map((f) => f.functionId)).toEqual(['Nightly']);
  });
});

describe('history:clear and the write-ahead record', () => {
  it('deletes a function’s finished rows with their logs, keeps running ones, and a late finish is harmless', () => {
    record({ startedAt: 1 });
    record({ startedAt: 2, functionId: 'Cart' });
    const running = record({ startedAt: 3, running: true });
    expect(history.clear(1, 'Orders')).toBe(1);
    expect(all({ limit: 50 }).map((r) => r.functionId)).toEqual(['Orders', 'Cart']);
    expect(db.prepare('SELECT count(logs) AS n FROM invocations').get()).toEqual({ n: 1 });
    // The running row is cleared by hand (as another process might); its finish must not fail the batch.
    db.prepare('DELETE FROM invocations WHERE id = ?').run(running);
    record({ startedAt: 3, invocationId: running });
    const later = record({ startedAt: 4 });
    records.flush();
    expect(records.writeError).toBeUndefined();
    expect(history.get(later).status).toBe('success');
  });
});

describe('history:metrics', () => {
  it('buckets counts, errors, throttles, cold starts and nearest-rank percentiles', () => {
    const durations = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms
    durations.forEach((d, i) => record({ startedAt: 10_000 + i, durationMs: d, cold: i < 10 }));
    record({ startedAt: 20_500, status: 'throttled' });
    record({
      startedAt: 20_600,
      status: 'error',
      durationMs: 500,
      error: { type: 'E', message: 'm' },
    });
    const m = new MetricsQuery(db, () => records.flush()).metrics({
      projectId: 1,
      functionId: 'Orders',
      from: 10_000,
      to: 30_000,
      bucketMs: 10_000,
    });
    expect(m.buckets.map((b) => b.start)).toEqual([10_000, 20_000]);
    expect(m.buckets[0]).toMatchObject({ count: 100, errors: 0, coldStarts: 10, coldStartPct: 10 });
    expect([m.buckets[0].p50, m.buckets[0].p95, m.buckets[0].p99]).toEqual([50, 95, 99]);
    // The throttle has no duration, so the error's 500 ms is the only one in the second bucket.
    expect(m.buckets[1]).toMatchObject({ count: 2, errors: 1, throttles: 1, p50: 500, p99: 500 });
    expect(m.totals).toMatchObject({ count: 102, errors: 1, throttles: 1 });
    // Totals come from the duration histograms: within 1% of the exact 51 and 100.
    expect(Math.abs(m.totals.p50! - 51) / 51).toBeLessThan(0.01);
    expect(Math.abs(m.totals.p99! - 100) / 100).toBeLessThan(0.01);
    expect(m.totals.maxMemoryUsedMb).toBe(64);
    expect(m.totals.memorySizeMb).toBe(256);
    expect(m.totals.gbSeconds).toBeCloseTo(((5050 + 500) / 1000) * 0.25, 9);
  });

  it('gives percentiles over the whole history within 1% of a nearest-rank sort', () => {
    const durations = Array.from({ length: 257 }, (_, i) => ((i * 7919) % 1000) / 10 + 1);
    const start = Date.now() - 300_000;
    durations.forEach((d, i) => record({ startedAt: start + i * 1000, durationMs: d }));
    record({ startedAt: start + 290_000, status: 'throttled' });
    const sorted = [...durations].sort((a, b) => a - b);
    const nearest = (p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1];
    const query = new MetricsQuery(db, () => records.flush());
    const expected = { p50: nearest(50), p95: nearest(95), p99: nearest(99) };
    const within = (got: { p50?: number; p95?: number; p99?: number }) => {
      for (const k of ['p50', 'p95', 'p99'] as const)
        expect(Math.abs(got[k]! - expected[k]) / expected[k], k).toBeLessThan(0.01);
    };
    within(query.percentiles(1, 'Orders'));
    const whole = query.metrics({ projectId: 1, functionId: 'Orders', bucketMs: 3_600_000 });
    expect(whole.totals).toMatchObject({ count: 258, throttles: 1 });
    within(whole.totals);
    expect(whole.from).toBe(Math.floor(start / 3_600_000) * 3_600_000);
    expect(query.percentiles(1, 'Nothing')).toEqual({});
  });

  it('keeps empty buckets and refuses more than it can draw', () => {
    record({ startedAt: 65_000 });
    const query = new MetricsQuery(db, () => records.flush());
    const m = query.metrics({ projectId: 1, functionId: 'Orders', from: 0, to: 180_000, bucketMs: 60_000 });
    expect(m.buckets.map((b) => b.count)).toEqual([0, 1, 0]);
    expect(m.buckets[0].p50).toBeUndefined();
    expect(() =>
      query.metrics({ projectId: 1, functionId: 'Orders', from: 0, to: 10_000_000, bucketMs: 1000 }),
    ).toThrow(expect.objectContaining({ name: 'TooManyBuckets' }));
  });
});

describe('export', () => {
  it('writes CSV that quotes, escapes and defuses formulas, and JSON summaries', () => {
    record({
      startedAt: Date.UTC(2024, 0, 2, 3, 4, 5),
      status: 'error',
      error: { type: 'E', message: '=1+1, "x"\nnext' },
    });
    const rows = history.exportRows({}, 10);
    const csv = toCsv(rows);
    const [header, line] = csv.split('\r\n');
    expect(header.split(',')).toContain('request_id');
    expect(line).toContain(`2024-01-02T03:04:05.000Z,${rows[0].invocationId},`);
    expect(line).toContain(`"'=1+1, ""x""\nnext"`);
    const json = toJson(rows);
    expect(JSON.parse(json)).toEqual(rows);
    expect(json.split('\n')).toHaveLength(4);
    expect(toJson([])).toBe('[]\n');
  });
});

describe('retention', () => {
  it('deletes rows older than the days and beyond the count, with their logs, never running ones', async () => {
    const now = Date.now();
    const day = 86_400_000;
    for (let i = 0; i < 10; i++) record({ startedAt: now - 40 * day + i });
    const oldRunning = record({ startedAt: now - 50 * day, running: true });
    for (let i = 0; i < 3000; i++) record({ startedAt: now - day + i });
    records.flush();
    const settings = { retentionDays: 30, retentionRows: 0 };
    const retention = new Retention(
      db,
      () => settings,
      () => records.flush(),
    );
    expect(await retention.apply()).toBe(10);
    settings.retentionRows = 2500;
    // The newest 2,500 stay; of the older ones only the running invocation is spared.
    expect(await retention.apply()).toBe(500);
    const left = all({ limit: 500 });
    expect(left).toHaveLength(2501);
    expect(left.some((r) => r.invocationId === oldRunning)).toBe(true);
    expect(Math.min(...left.filter((r) => r.status !== 'running').map((r) => r.startedAt))).toBe(
      now - day + 500,
    );
    expect(db.prepare('SELECT count(logs) AS n FROM invocations').get()).toEqual({ n: 2500 });
  });

  it('deletes asynchronous events done before the days, and never queued or running ones', async () => {
    const now = Date.now();
    const day = 86_400_000;
    const event = db.prepare(
      `INSERT INTO async_events (id, function_id, trigger, payload, status, created_at, updated_at, next_attempt_at)
       VALUES (?, 'Orders', 'api', '{}', ?, ?, ?, ?)`,
    );
    const events: [string, string, number][] = [
      ['old-succeeded', 'succeeded', now - 40 * day],
      ['old-failed', 'failed', now - 40 * day],
      ['old-queued', 'queued', now - 40 * day],
      ['old-running', 'running', now - 40 * day],
      ['new-failed', 'failed', now - day],
    ];
    for (const [id, status, at] of events) event.run(id, status, at, at, at);
    const retention = new Retention(db, () => ({ retentionDays: 30, retentionRows: 0 }));
    await retention.apply();
    const left = db.prepare<[], { id: string }>('SELECT id FROM async_events ORDER BY id').all();
    expect(left.map((e) => e.id)).toEqual(['new-failed', 'old-queued', 'old-running']);
  });
});
