/**
 * The invocation store (issue 5), on a real SQLite file in a temp folder:
 *   P4.1 insert rate of the write-ahead path (begin + finish + logs, in batches): ≥ 50,000 rows/s (issue 16), beside a
 *        bare INSERT of the same rows into an index-free table.
 *   P4.2 a filtered History page of 50 rows (p50 over several filters and a deep keyset page): ≤ 20 ms,
 *        beside a full `SELECT count(*)` scan.
 *   P4.3 a function's p50/p95/p99 over 1M rows (the slowest of the functions), from the duration histograms:
 *        ≤ 50 ms, beside the scan. (Issue 16; the fold that keeps the histograms is timed into P4.1.)
 *   P4.4 a month of metrics in daily buckets for a function with ~100k rows: ≤ 1 s.
 *   P4.5 the History view with 100k rows, in Chromium through `lambench serve`: first rows visible ≤ 1 s,
 *        beside the same view over an empty History.
 * LAMBENCH_BENCH_ROWS changes the 1M (for a quick run). Needs `npm run build` for P4.5.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { v7 } from 'uuid';
import { performance } from 'node:perf_hooks';
import type { InvocationStatus } from '../../shared/types';
import { openDatabase, type Db } from '../../electron/engine/store/database';
import { HistoryRepo } from '../../electron/engine/store/history-repo';
import { encodeCursor } from '../../electron/engine/store/history-filter';
import {
  InvocationsRepo,
  type InvocationFinish,
  type InvocationStart,
} from '../../electron/engine/store/invocations-repo';
import { MetricsQuery } from '../../electron/engine/store/metrics-query';
import { DurationHistogram } from '../../electron/engine/store/duration-histogram';
import { launchBrowser } from '../../test/support/browser';
import { startServe } from '../../test/support/serve';
import { percentile, type BenchRow, type BenchSuite } from '../report';

const ROWS = Number(process.env.LAMBENCH_BENCH_ROWS ?? 1_000_000);
const UI_ROWS = 100_000;
const BATCH = 10_000;
const DAY = 86_400_000;

/** Functions and their share of the rows: one hot function, one with about a tenth. */
const FUNCTIONS: [projectId: number, functionId: string, share: number][] = [
  [1, 'OrdersFunction', 0.5],
  [1, 'CartFunction', 0.25],
  [1, 'AuthFunction', 0.15],
  [2, 'NightlyJob', 0.1],
];

/** mulberry32: the same rows on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Row = [InvocationStart, InvocationFinish];

/** `count` invocations spread over the last 30 days, oldest first, as the invoker would record them. */
function* invocations(count: number, seed = 42): Generator<Row> {
  const rnd = random(seed);
  const start = Date.now() - 30 * DAY;
  const step = (30 * DAY) / count;
  for (let i = 0; i < count; i++) {
    let pick = rnd();
    const [projectId, functionId] = FUNCTIONS.find(([, , share]) => (pick -= share) < 0) ?? FUNCTIONS[0];
    const s = rnd();
    const status: Exclude<InvocationStatus, 'running'> =
      s < 0.95 ? 'success' : s < 0.98 ? 'error' : s < 0.99 ? 'timeout' : 'throttled';
    const cold = status !== 'throttled' && rnd() < 0.05;
    const durationMs = status === 'throttled' ? 0 : Math.round((8 + 240 * rnd() ** 3) * 100) / 100;
    const billed = status === 'throttled' ? 0 : Math.max(1, Math.ceil(durationMs));
    const startedAt = Math.round(start + i * step);
    // Invocation ids are time-ordered (UUIDv7) as the invoker makes them; request ids are random, as Lambda's.
    const base = { invocationId: v7({ msecs: startedAt }), requestId: randomUUID(), projectId, functionId };
    const memorySizeMb = functionId === 'NightlyJob' ? 1024 : 256;
    yield [
      {
        ...base,
        trigger: rnd() < 0.8 ? 'ui' : 'cli',
        event: `{"orderId":${i},"items":[1,2,3]}`,
        startedAt,
        memorySizeMb,
        architecture: 'x86_64',
      },
      {
        ...base,
        status,
        startedAt,
        durationMs,
        billedDurationMs: billed,
        initDurationMs: cold ? Math.round((120 + 200 * rnd()) * 100) / 100 : undefined,
        coldStart: cold,
        memorySizeMb,
        maxMemoryUsedMb: Math.round(memorySizeMb * (0.2 + 0.3 * rnd())),
        architecture: 'x86_64',
        environmentId: 'bench',
        response: status === 'success' ? '{"statusCode":200}' : undefined,
        error:
          status === 'error'
            ? { type: 'Runtime.UserError', message: `Order ${i} failed validation` }
            : status === 'timeout'
              ? { type: 'Sandbox.Timedout', message: 'Task timed out after 3.00 seconds' }
              : status === 'throttled'
                ? { type: 'TooManyRequestsException', message: 'Rate exceeded' }
                : undefined,
        logs: `START RequestId: ${base.requestId} Version: $LATEST\nprocessing order ${i}\nEND RequestId: ${base.requestId}`,
        logsTruncated: false,
        gbSeconds: (billed / 1000) * (memorySizeMb / 1024),
        costUsd: (billed / 1000) * (memorySizeMb / 1024) * 0.0000166667 + 0.0000002,
      },
    ];
  }
}

export interface SeedResult {
  rowsPerSecond: number;
  cpuRowsPerSecond: number;
}

/**
 * Seeds History through the real write path in batches. Only the repo calls and the flush are timed (wall and
 * CPU), not making up the rows.
 */
export function seedHistory(file: string, count: number, seed = 42): SeedResult {
  const db = openDatabase(file);
  db.exec(
    "INSERT OR IGNORE INTO projects (id, name, path, opened_at) VALUES (1, 'shop', '/srv/shop', 0), (2, 'jobs', '/srv/jobs', 0)",
  );
  const records = new InvocationsRepo(db);
  let wall = 0;
  let cpu = 0;
  const rows = invocations(count, seed);
  for (let done = 0; done < count; done += BATCH) {
    const batch: Row[] = [];
    for (let i = 0; i < BATCH; i++) {
      const next = rows.next();
      if (next.done) break;
      batch.push(next.value);
    }
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const [start, finish] of batch) {
      records.begin(start);
      records.finish(finish);
    }
    records.flush();
    wall += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
  }
  if (records.writeError) throw new Error(records.writeError);
  // Keeping the histograms is part of the write cost: the writes fold as they go, this folds the rest.
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  new DurationHistogram(db).update();
  wall += performance.now() - t0;
  const c = process.cpuUsage(c0);
  cpu += (c.user + c.system) / 1000;
  db.close();
  return {
    rowsPerSecond: count / (wall / 1000),
    cpuRowsPerSecond: count / (cpu / 1000),
  };
}

/** The same rows into one index-free table with plain INSERTs: what SQLite alone costs. */
function bareInsertRate(file: string, count: number): number {
  const db = openDatabase(file);
  db.exec(
    'CREATE TABLE bare (id TEXT, request_id TEXT, function_id TEXT, started_at INTEGER, status TEXT, body TEXT)',
  );
  const insert = db.prepare('INSERT INTO bare VALUES (?, ?, ?, ?, ?, ?)');
  const rows = invocations(count, 7);
  let wall = 0;
  for (let done = 0; done < count; done += BATCH) {
    const batch: Row[] = [];
    for (let i = 0; i < BATCH; i++) {
      const next = rows.next();
      if (!next.done) batch.push(next.value);
    }
    const t0 = performance.now();
    db.transaction(() => {
      for (const [s, f] of batch)
        insert.run(s.invocationId, s.requestId, s.functionId, s.startedAt, f.status, f.logs);
    })();
    wall += performance.now() - t0;
  }
  db.close();
  return count / (wall / 1000);
}

function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const value = fn();
  return [value, performance.now() - t0];
}

const p50 = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

function queryRows(db: Db): BenchRow[] {
  const history = new HistoryRepo(db);
  const metrics = new MetricsQuery(db);
  const scans = Array.from(
    { length: 3 },
    () => timed(() => db.prepare('SELECT count(*) FROM invocations').get())[1],
  );
  const scan = { what: 'SELECT count(*) scan', value: p50(scans) };

  const deep = db
    .prepare<[number], { started_at: number; id: string }>(
      "SELECT started_at, id FROM invocations WHERE project_id = 1 AND function_id = 'OrdersFunction' ORDER BY started_at DESC, id DESC LIMIT 1 OFFSET ?",
    )
    .get(Math.floor(ROWS * 0.3));
  const now = Date.now();
  const filters = [
    { projectId: 1, functionId: 'CartFunction' },
    { status: ['error' as const] },
    { status: ['error' as const, 'timeout' as const] },
    { projectId: 2, functionId: 'NightlyJob', status: ['throttled' as const] },
    { coldOnly: true },
    { from: now - 10 * DAY, to: now - 9 * DAY },
    { text: 'validation' },
    { projectId: 1, functionId: 'AuthFunction', status: ['interrupted' as const] },
    ...(deep
      ? [
          {
            projectId: 1,
            functionId: 'OrdersFunction',
            cursor: encodeCursor({ startedAt: deep.started_at, id: deep.id }),
          },
        ]
      : []),
  ];
  const pageTimes: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const f of filters) pageTimes.push(timed(() => history.list({ limit: 50, ...f }))[1]);
  }

  const perFunction = FUNCTIONS.map(([projectId, functionId]) => {
    const runs = Array.from({ length: 3 }, () => timed(() => metrics.percentiles(projectId, functionId))[1]);
    return { functionId, ms: p50(runs) };
  });
  const slowest = perFunction.reduce((a, b) => (b.ms > a.ms ? b : a));

  const monthly = Array.from(
    { length: 3 },
    () => timed(() => metrics.metrics({ projectId: 2, functionId: 'NightlyJob', bucketMs: DAY }))[1],
  );
  const nightlyRows = metrics.metrics({ projectId: 2, functionId: 'NightlyJob', bucketMs: DAY }).totals.count;

  return [
    {
      id: 'P4.2',
      what: `filtered History page of 50 (p50 of ${pageTimes.length}: ${filters.length} filters incl. a deep keyset page)`,
      value: p50(pageTimes),
      unit: 'ms',
      baseline: scan,
      goal: '≤ 20 ms',
      pass: p50(pageTimes) <= 20,
    },
    {
      id: 'P4.3',
      what: `p50/p95/p99 of one function over ${ROWS.toLocaleString()} rows (slowest: ${slowest.functionId})`,
      value: slowest.ms,
      unit: 'ms',
      baseline: scan,
      goal: '≤ 50 ms',
      pass: slowest.ms <= 50,
    },
    {
      id: 'P4.4',
      what: `30 days of metrics in daily buckets, NightlyJob (${nightlyRows.toLocaleString()} rows)`,
      value: p50(monthly),
      unit: 'ms',
      baseline: scan,
      goal: '≤ 1000 ms',
      pass: p50(monthly) <= 1000,
    },
  ];
}

/** Opens History in Chromium through the built `lambench serve`; ms until the first row (or empty state) shows. */
async function historyOpenMs(home: string, expectRows: boolean): Promise<number> {
  const served = await startServe({ LAMBENCH_HOME: home });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(served.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'History' }).waitFor();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      // Away and back: each opening mounts the view and loads it from the engine again.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Projects' }).click();
      const t0 = performance.now();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'History' }).click();
      await (expectRows
        ? page.getByTestId('history-row').first().waitFor()
        : page.getByText('No invocations yet').waitFor());
      times.push(performance.now() - t0);
    }
    return p50(times);
  } finally {
    await browser.close();
    await served.stop();
  }
}

export const suite: BenchSuite = {
  name: 'store',
  async run() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-bench-store-'));
    try {
      const seeded = seedHistory(path.join(dir, 'history.db'), ROWS);
      const bare = bareInsertRate(path.join(dir, 'bare.db'), Math.min(ROWS, 200_000));
      const rows: BenchRow[] = [
        {
          id: 'P4.1',
          what: `insert through the write-ahead path, ${ROWS.toLocaleString()} rows, histogram folds included (CPU-time rate ${Math.round(seeded.cpuRowsPerSecond).toLocaleString()}/s; load ${os.loadavg()[0].toFixed(1)})`,
          value: seeded.rowsPerSecond,
          unit: 'rows/s',
          baseline: { what: 'bare INSERT, no indexes', value: bare },
          goal: '≥ 50,000 rows/s',
          pass: seeded.rowsPerSecond >= 50_000,
        },
      ];
      const db = openDatabase(path.join(dir, 'history.db'));
      try {
        rows.push(...queryRows(db));
      } finally {
        db.close();
      }

      const homes = { full: path.join(dir, 'home-full'), empty: path.join(dir, 'home-empty') };
      for (const home of Object.values(homes)) fs.mkdirSync(home);
      seedHistory(path.join(homes.full, 'lambench.db'), UI_ROWS, 9);
      // Keep all of them: the default retention (100,000 rows) would otherwise trim at start-up.
      const settings = openDatabase(path.join(homes.full, 'lambench.db'));
      settings.prepare("INSERT INTO settings (key, value) VALUES ('retentionRows', '0')").run();
      settings.close();
      const empty = await historyOpenMs(homes.empty, false);
      const full = await historyOpenMs(homes.full, true);
      rows.push({
        id: 'P4.5',
        what: `History view opens with ${UI_ROWS.toLocaleString()} rows in Chromium (first rows visible)`,
        value: full,
        unit: 'ms',
        baseline: { what: 'the view over an empty History', value: empty },
        goal: '≤ 1000 ms',
        pass: full <= 1000,
      });
      return rows;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
