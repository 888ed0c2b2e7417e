/**
 * R2: load through the engine's handlers. 10,000 invokes at client concurrency 50 against a function with
 * ReservedConcurrentExecutions 10: every one is a success or a TooManyRequestsException throttle, each
 * has its History row, the engine's memory stays flat, and no container is left after stopping them.
 * Then 20 projects × 5 functions open and warm: cheap handler calls stay fast.
 * (The 429 from the Invoke API endpoint is covered once that endpoint is merged.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCESS_OWNER } from '../../electron/engine/docker/docker-executor';
import { percentile } from '../../bench/report';
import { report, type SoakRow } from './report';
import { containersOf, startWorkload, type Workload } from './workload';

const TOTAL = 10_000;
const CLIENTS = 50;
const RESERVED = 10;
const PROJECTS = 20;
const FIVE_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), '../fixtures/robustness/five');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** The engine's memory after a full collection: RSS, and the JS heap inside it, in MB. */
const memory = () => {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss / 1024 / 1024, heap: m.heapUsed / 1024 / 1024 };
};
/** The store's page cache (cache_size in database.ts): RSS may grow this much as History fills it. */
const SQLITE_CACHE_MB = 64;

const rows: SoakRow[] = [];
const notes: string[] = [];
let w: Workload;

beforeAll(async () => {
  // The machine-wide limit above the function's, so the function's own limit is what throttles.
  w = await startWorkload({ concurrencyLimit: 100 });
});

afterAll(async () => {
  report(rows, notes);
  await w?.close();
});

describe('R2 load', () => {
  it(`${TOTAL} invokes at concurrency ${CLIENTS} against reserved concurrency ${RESERVED}`, async () => {
    // Warm up, so the RSS figure before is the engine at work rather than the engine just started.
    await Promise.all(Array.from({ length: RESERVED }, () => w.invoke('Limited', { ms: 200 })));
    const before = memory();
    let next = 0;
    let limit = TOTAL / 2;
    const statuses = new Map<string, number>();
    const throttleTypes = new Set<string>();
    let thrown = 0;
    const t0 = performance.now();
    const client = async () => {
      while (next < limit) {
        next++;
        // A turn of the event loop per call, as a real transport has: a direct client that throttles
        // in a loop of resolved promises would otherwise starve timers and I/O (the engine's included).
        await setImmediate();
        try {
          const r = await w.invoke('Limited', { ms: 20 });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status === 'throttled') throttleTypes.add(r.error!.type);
        } catch {
          thrown++;
        }
      }
    };
    // Two halves: a leak would keep growing in the second, where caches and the heap have settled.
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const half = memory();
    limit = TOTAL;
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const seconds = (performance.now() - t0) / 1000;
    const after = memory();

    w.engine.services.records.flush(true);
    const db = w.engine.services.db;
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const fn = `function_id = 'Limited'`;
    const rowsTotal = count(`SELECT COUNT(*) AS n FROM invocations WHERE ${fn}`) - RESERVED;
    const throttleRows = count(
      `SELECT COUNT(*) AS n FROM invocations WHERE ${fn} AND status = 'throttled' AND error_type = 'TooManyRequestsException'`,
    );
    const successes = statuses.get('success') ?? 0;
    const throttles = statuses.get('throttled') ?? 0;
    await w.client.call('environments:stopAll');
    const left = (await containersOf(PROCESS_OWNER)).length;

    const accounted = successes + throttles === TOTAL && thrown === 0;
    rows.push(
      {
        case: 'R2 10k invokes accounted for',
        expected: `successes + throttles = ${TOTAL}`,
        got: `${successes} + ${throttles} = ${successes + throttles}; ${thrown} thrown; other ${JSON.stringify(Object.fromEntries([...statuses].filter(([s]) => s !== 'success' && s !== 'throttled')))}`,
        pass: accounted,
      },
      {
        case: 'R2 throttles named as Lambda does',
        expected: 'TooManyRequestsException, a History row each',
        got: `${[...throttleTypes].join(', ')}; ${throttleRows} throttle rows`,
        pass: [...throttleTypes].join() === 'TooManyRequestsException' && throttleRows === throttles,
      },
      {
        case: 'R2 History rows',
        expected: `exactly ${TOTAL}`,
        got: `${rowsTotal}`,
        pass: rowsTotal === TOTAL,
      },
      {
        case: 'R2 engine memory before/after',
        expected: `flat heap; RSS within the ${SQLITE_CACHE_MB} MB SQLite page cache`,
        got:
          `heap ${before.heap.toFixed(1)} → ${half.heap.toFixed(1)} → ${after.heap.toFixed(1)} MB; ` +
          `RSS ${before.rss.toFixed(0)} → ${half.rss.toFixed(0)} → ${after.rss.toFixed(0)} MB (start, 5,000, 10,000)`,
        pass: after.heap - half.heap < 5 && after.rss - before.rss < SQLITE_CACHE_MB + 16,
      },
      {
        case: 'R2 containers after environments:stopAll',
        expected: '0',
        got: `${left}`,
        pass: left === 0,
      },
    );
    notes.push(
      `R2 load: ${TOTAL} invokes in ${seconds.toFixed(1)} s (${(TOTAL / seconds).toFixed(0)}/s) at client concurrency ${CLIENTS}, ` +
        `${successes} successes, ${throttles} throttles, engine RSS ${before.rss.toFixed(0)} → ${after.rss.toFixed(0)} MB, JS heap ${before.heap.toFixed(1)} → ${after.heap.toFixed(1)} MB`,
    );
    expect(accounted).toBe(true);
    expect(rowsTotal).toBe(TOTAL);
    expect(throttleRows).toBe(throttles);
    expect(after.heap - half.heap).toBeLessThan(5);
    expect(left).toBe(0);
  }, 900_000);

  it(`${PROJECTS} projects × 5 functions open and warm: the engine stays responsive`, async () => {
    const idle = await latencies(200);
    const ids: number[] = [];
    for (let i = 0; i < PROJECTS; i++) {
      const dir = path.join(w.root, `five-${i}`);
      fs.cpSync(FIVE_DIR, dir, { recursive: true });
      ids.push((await w.client.call('projects:open', { path: dir })).id);
    }
    const functions = ['Orders', 'Payments', 'Invoices', 'Shipping', 'Notify'];
    const t0 = performance.now();
    const warm = await Promise.all(
      ids.flatMap((projectId) =>
        functions.map((functionId) =>
          w.client.call('functions:invoke', { projectId, functionId, payload: '{}' }),
        ),
      ),
    );
    const warmSeconds = (performance.now() - t0) / 1000;
    const ok = warm.filter((r) => r.status === 'success').length;
    const running = (await containersOf(PROCESS_OWNER)).length;
    const busy = await latencies(200);
    // Warm invokes of all 100, while the cheap calls are timed.
    const during = latencies(200);
    const again = await Promise.all(
      ids.flatMap((projectId) =>
        functions.map((functionId) =>
          w.client.call('functions:invoke', { projectId, functionId, payload: '{}' }),
        ),
      ),
    );
    const duringInvokes = await during;
    const warmHits = again.filter((r) => r.status === 'success' && !r.coldStart).length;

    rows.push(
      {
        case: 'R2 100 functions warm',
        expected: '100 successes, 100 containers',
        got: `${ok} successes in ${warmSeconds.toFixed(1)} s, ${running} containers, ${warmHits} warm re-invokes`,
        pass: ok === 100 && running >= 100 && warmHits === 100,
      },
      {
        case: 'R2 projects:list latency',
        expected: 'stays in ms with 100 warm',
        got: `p50/p99/max idle ${fmt(idle)}; warm ${fmt(busy)}; during 100 invokes ${fmt(duringInvokes)}`,
        pass: percentile(busy, 99) < 50 && percentile(duringInvokes, 99) < 250,
      },
    );
    await w.client.call('environments:stopAll');
    expect(ok).toBe(100);
    expect(warmHits).toBe(100);
  }, 600_000);
});

/** `projects:list` and `projects:functions` timed `n` times in turn, sorted, in ms. */
async function latencies(n: number): Promise<number[]> {
  const projects = await w.client.call('projects:list');
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    if (i % 2) await w.client.call('projects:list');
    else await w.client.call('projects:functions', { projectId: projects[i % projects.length].id });
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  return times.sort((a, b) => a - b);
}

const fmt = (sorted: number[]) =>
  [50, 99, 100].map((p) => percentile(sorted, p).toFixed(1)).join('/') + ' ms';
