/**
 * Cost through the whole engine: a memory sweep of a CPU-bound function really runs in Docker containers
 * whose CPU share follows memory, so duration falls as memory grows; every run is in History with its
 * sweep_id; a function that always fails ends with a clear message; measured p50 feeds the projection.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine, type Engine } from '../../electron/engine/engine';
import type { WorkbenchClient } from '../../shared/rpc/client';
import type { Sweep, SweepProgress } from '../../shared/types';

process.env.LAMBENCH_IMAGES = 'test/support/local-images.json';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    MemorySize: 128
    Timeout: 60
    CodeUri: src/
Resources:
  PrimesFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: primes.handler
  FailsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: fails.handler
`;

// About 200 ms of pure CPU on one vCPU (1,769 MB); a 128 MB share is 1/14 of that.
const PRIMES = `export const handler = async (event) => {
  let count = 0;
  for (let n = 2; n < (event.limit ?? 1000000); n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (prime) count++;
  }
  return { count };
};
`;
const FAILS = `export const handler = async () => { throw new Error('always fails'); };\n`;

let dir: string;
let engine: Engine;
let client: WorkbenchClient;
let projectId: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambench-cost-'));
  const project = join(dir, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'template.yaml'), TEMPLATE);
  writeFileSync(join(project, 'src', 'primes.mjs'), PRIMES);
  writeFileSync(join(project, 'src', 'fails.mjs'), FAILS);
  engine = await createEngine({ home: join(dir, 'home') });
  client = createDirectClient(engine);
  projectId = (await client.call('projects:open', { path: project })).id;
});

afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the sweep once its last progress event (status other than running) arrives. */
function finished(sweepId: number, seen: SweepProgress[] = []): Promise<SweepProgress> {
  return new Promise((resolve) => {
    const off = client.on('sweep:progress', (p) => {
      if (p.sweepId !== sweepId) return;
      seen.push(p);
      if (p.status !== 'running') {
        off();
        resolve(p);
      }
    });
  });
}

async function sweep(
  input: Parameters<typeof startSweep>[0],
): Promise<{ sweep: Sweep; seen: SweepProgress[] }> {
  const seen: SweepProgress[] = [];
  const { sweepId } = await startSweep(input);
  await finished(sweepId, seen);
  return { sweep: await client.call('cost:sweep:get', { sweepId }), seen };
}
const startSweep = (input: { functionId: string; memorySizes: number[]; runs: number; payload?: string }) =>
  client.call('cost:sweep:start', { projectId, payload: '{}', ...input });

describe('memory sweep in Docker', () => {
  it('runs every size, duration falls as memory grows, and records every run with its sweep_id', async () => {
    const { sweep: s, seen } = await sweep({
      functionId: 'PrimesFunction',
      memorySizes: [128, 512, 1769],
      runs: 3,
    });
    expect(s.status).toBe('done');
    expect(s).toMatchObject({ done: 12, total: 12, failedRuns: 0, architecture: 'x86_64' });
    expect(s.sizes.map((z) => [z.memoryMb, z.runs, z.succeeded, z.trimmed])).toEqual([
      [128, 3, 3, 0],
      [512, 3, 3, 0],
      [1769, 3, 3, 0],
    ]);
    const [small, mid, big] = s.sizes.map((z) => z.avgDurationMs!);
    console.log(`sweep durations: 128 MB ${small} ms, 512 MB ${mid} ms, 1769 MB ${big} ms`);
    expect(small).toBeGreaterThan(mid);
    expect(mid).toBeGreaterThan(big);
    expect(s.sizes.every((z) => z.warmup?.status === 'success' && z.avgCostUsd! > 0)).toBe(true);
    expect(s.recommendations!.fastest.memoryMb).toBe(1769);
    expect(s.message).toBeUndefined();

    // Progress: one event before the first run, one per run, then the end.
    expect(seen.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12]);
    expect(seen.at(-1)).toMatchObject({ status: 'done', total: 12, failed: 0 });

    const rows = engine.services.db
      .prepare<[number], { memory: number; trigger: string; status: string; n: number }>(
        `SELECT memory_size_mb AS memory, trigger, status, COUNT(*) AS n FROM invocations
         WHERE sweep_id = ? GROUP BY memory_size_mb, trigger, status ORDER BY memory_size_mb`,
      )
      .all(s.id);
    expect(rows).toEqual([
      { memory: 128, trigger: 'sweep', status: 'success', n: 4 },
      { memory: 512, trigger: 'sweep', status: 'success', n: 4 },
      { memory: 1769, trigger: 'sweep', status: 'success', n: 4 },
    ]);

    const list = await client.call('cost:sweep:list', { projectId, functionId: 'PrimesFunction' });
    expect(list[0]).toMatchObject({
      id: s.id,
      status: 'done',
      fastestMb: 1769,
      memorySizes: [128, 512, 1769],
    });
    // Reopened with another weight: the same runs, a different balance.
    const costFirst = await client.call('cost:sweep:get', { sweepId: s.id, weight: 1 });
    expect(costFirst.recommendations!.balanced.memoryMb).toBe(costFirst.recommendations!.cheapest.memoryMb);
    const speedFirst = await client.call('cost:sweep:get', { sweepId: s.id, weight: 0 });
    expect(speedFirst.recommendations!.balanced.memoryMb).toBe(1769);
  });

  it('excludes the failures of a function that always fails and says no recommendation is possible', async () => {
    const { sweep: s } = await sweep({ functionId: 'FailsFunction', memorySizes: [128, 256], runs: 2 });
    expect(s.status).toBe('done');
    expect(s.failedRuns).toBe(4);
    expect(s.recommendations).toBeNull();
    expect(s.sizes.map((z) => [z.succeeded, z.failed, z.avgDurationMs])).toEqual([
      [0, 2, null],
      [0, 2, null],
    ]);
    expect(s.message).toBe(
      'All 4 measured runs failed (first error: Error: always fails). Failed runs are excluded, so no recommendation is possible.',
    );
    const n = engine.services.db
      .prepare<[number], { n: number }>(
        "SELECT COUNT(*) AS n FROM invocations WHERE sweep_id = ? AND status = 'error'",
      )
      .get(s.id)!.n;
    expect(n).toBe(6);
  });

  it('cancels after the run in flight and refuses a second sweep meanwhile', async () => {
    const { sweepId } = await startSweep({ functionId: 'PrimesFunction', memorySizes: [128, 256], runs: 5 });
    const ended = finished(sweepId);
    await expect(
      startSweep({ functionId: 'PrimesFunction', memorySizes: [128], runs: 1 }),
    ).rejects.toMatchObject({
      name: 'SweepAlreadyRunning',
    });
    const s = await client.call('cost:sweep:cancel', { sweepId });
    expect((await ended).status).toBe('cancelled');
    expect(s.status).toBe('cancelled');
    expect(s.done).toBeLessThan(s.total);
    expect(s.message).toMatch(new RegExp(`^Cancelled after ${s.done} of 12 invocations; the figures cover`));
  });

  it('refuses bad sweep input clearly', async () => {
    await expect(
      startSweep({ functionId: 'PrimesFunction', memorySizes: [64], runs: 1 }),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('Lambda memory is 128–10,240 MB'),
    });
    await expect(
      startSweep({ functionId: 'PrimesFunction', memorySizes: [128], runs: 0 }),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('At least 1 run per size'),
    });
    await expect(
      startSweep({ functionId: 'PrimesFunction', memorySizes: [128], runs: 1, payload: '{nope' }),
    ).rejects.toMatchObject({ name: 'InvalidRequestContentException' });
    await expect(startSweep({ functionId: 'Nope', memorySizes: [128], runs: 1 })).rejects.toMatchObject({
      name: 'FunctionNotFound',
    });
    await expect(client.call('cost:sweep:get', { sweepId: 999 })).rejects.toMatchObject({
      name: 'SweepNotFound',
    });
  });
});

describe('sweeps and engine restarts', () => {
  it('ends a sweep as cancelled when the engine stops, and marks one left by a dead process interrupted', async () => {
    const { sweepId } = await startSweep({ functionId: 'PrimesFunction', memorySizes: [128], runs: 3 });
    await new Promise<void>((resolve) => {
      const off = client.on('sweep:progress', (p) => {
        if (p.sweepId === sweepId && p.done >= 1) {
          off();
          resolve();
        }
      });
    });
    // A sweep row as a crashed process would leave it: running, owned by a pid that no longer exists.
    const orphan = engine.services.db
      .prepare(
        `INSERT INTO sweeps (project_id, function_id, event, memory_sizes, runs_per_size, status, started_at, result)
         VALUES (?, 'PrimesFunction', '{}', '[128]', 1, 'running', 1, ?)`,
      )
      .run(
        projectId,
        JSON.stringify({ pid: 2 ** 22 + 7, architecture: 'x86_64', ephemeralMb: 512, runs: [] }),
      );
    await engine.close(); // kills the environment of the run in flight
    engine = await createEngine({ home: join(dir, 'home') });
    client = createDirectClient(engine);

    const s = await client.call('cost:sweep:get', { sweepId });
    expect(s.status).toBe('cancelled');
    expect(s.failedRuns).toBe(0); // the run cut short by the shutdown is not the function's failure
    expect(s.message).toMatch(
      /^Lambench stopped after \d of 4 invocations; the figures cover the runs that finished\.$/,
    );
    const left = await client.call('cost:sweep:get', { sweepId: Number(orphan.lastInsertRowid) });
    expect(left.status).toBe('interrupted');
    expect(left.message).toMatch(/^Lambench stopped before the sweep finished/);
  });
});

describe('measured cost', () => {
  it('projects from the p50 of ordinary invocations, leaving sweep runs out', async () => {
    const billed: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await client.call('functions:invoke', {
        projectId,
        functionId: 'PrimesFunction',
        payload: '{"limit":20000}',
      });
      expect(r.status).toBe('success');
      billed.push(r.billedDurationMs);
    }
    const usage = await client.call('cost:function', { projectId, functionId: 'PrimesFunction' });
    expect(usage).toMatchObject({ statistic: 'p50', count: 3, basisMemoryMb: 128, failed: 0 });
    expect(usage.p50BilledMs).toBe([...billed].sort((a, b) => a - b)[1]);
    expect(usage.durationMs).toBe(usage.p50BilledMs);
    expect(usage.meanBilledMs).toBeCloseTo(billed.reduce((a, b) => a + b) / 3, 2);
    expect(usage.memorySizes).toEqual([{ memoryMb: 128, count: 3 }]);

    const project = await client.call('cost:project', { projectId, requests: 5e6, per: 'month' });
    const primes = project.functions.find((f) => f.functionId === 'PrimesFunction')!;
    const monthly = await client.call('cost:monthly', {
      requests: 5e6,
      durationMs: usage.durationMs!,
      memoryMb: 128,
      freeTier: false,
    });
    expect(primes.cost!.totalUsd).toBe(monthly.totalUsd);
    // The always-failing function has no successful invocation outside sweeps: no price, not a guess.
    expect(project.functions.find((f) => f.functionId === 'FailsFunction')).toMatchObject({
      durationMs: null,
      cost: null,
    });
    expect(project.totalUsd).toBe(monthly.totalUsd);
  });

  it('refuses negative, zero and absurd volumes and memory out of range, naming the field', async () => {
    const base = { requests: 5e6, durationMs: 100, memoryMb: 128 };
    const cases: [object, string][] = [
      [{ ...base, requests: -5 }, 'requests: Requests must be more than 0'],
      [{ ...base, requests: 0 }, 'requests: Requests must be more than 0'],
      [
        { ...base, requests: 1e7, per: 'second' },
        'requests: 10,000,000 a second is 26,280,000,000,000 requests a month',
      ],
      [{ ...base, memoryMb: 64 }, 'memoryMb: Lambda memory is 128–10,240 MB'],
      [{ ...base, memoryMb: 20_000 }, 'memoryMb: Lambda memory is 128–10,240 MB'],
      [{ ...base, durationMs: 0 }, 'durationMs: Duration must be more than 0 ms'],
      [{ ...base, region: 'mars-1' }, 'region: Unknown region'],
    ];
    for (const [input, message] of cases) {
      await expect(client.call('cost:monthly', input as never)).rejects.toMatchObject({
        name: 'ValidationError',
        message: expect.stringContaining(message),
      });
    }
  });
});
