import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectCost } from '../../electron/engine/cost/project-cost';
import { monthlyProjection } from '../../electron/engine/cost/projection';
import { functionUsage, percentile } from '../../electron/engine/cost/usage';
import { openDatabase, type Db } from '../../electron/engine/store/database';
import { InvocationsRepo } from '../../electron/engine/store/invocations-repo';
import { monthlyInput } from '../../shared/api/cost';
import { monthlyCost } from '../../shared/pricing';
import type { FunctionInfo, InvocationStatus } from '../../shared/types';

const project = (input: object) => monthlyProjection(monthlyInput.parse(input));

describe('monthly projection', () => {
  it('prices the AWS worked example exactly and reports the tiers', () => {
    const p = project({ requests: 3e6, durationMs: 120, memoryMb: 1536 });
    expect(p).toMatchObject({
      requestsPerMonth: 3e6,
      gbSeconds: 540_000,
      billableGbSeconds: 140_000,
      computeUsd: 2.333338,
      requestUsd: 0.4,
      storageUsd: 0,
      totalUsd: 2.733338,
      billedDurationMs: 120,
    });
    expect(p.tiers.map((t) => t.gbSeconds)).toEqual([140_000, 0, 0]);
  });

  it('scales a rate per second or per day to a 730-hour month', () => {
    expect(project({ requests: 1, per: 'second', durationMs: 10, memoryMb: 128 }).requestsPerMonth).toBe(
      2_628_000,
    );
    expect(project({ requests: 1000, per: 'day', durationMs: 10, memoryMb: 128 }).requestsPerMonth).toBe(
      30_417,
    );
  });

  it('draws a log-spaced curve that includes the chosen volume and marks the free-tier ends', () => {
    const p = project({ requests: 5e6, durationMs: 120, memoryMb: 1536 });
    const xs = p.costCurve.map((c) => c.requests);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(xs[0]).toBe(1000);
    expect(xs.at(-1)).toBe(1e8);
    const here = p.costCurve.find((c) => c.requests === 5e6)!;
    expect(here.totalUsd).toBe(p.totalUsd);
    expect(p.totalUsd).toBe(9.13335); // 500,000 billable GB-s × 0.0000166667 + 4M × $0.20/M
    // Free 1M requests, and 400,000 GB-s ÷ 0.18 GB-s per request.
    expect(p.markers).toEqual([
      { requests: 1_000_000, kind: 'free-requests-end', label: '1M free requests used up' },
      { requests: 2_222_223, kind: 'free-gb-seconds-end', label: '400K free GB-s used up' },
    ]);
    expect(p.costCurve.find((c) => c.requests === 1_000_000)!.totalUsd).toBe(0);
  });

  it('marks where cheaper duration tiers begin when the range reaches them', () => {
    const p = project({ requests: 1000, per: 'second', durationMs: 1000, memoryMb: 10_240, freeTier: false });
    expect(p.markers).toEqual([
      { requests: 600_000_000, kind: 'tier-2-start', label: 'Tier 2 price after 6B GB-s' },
      { requests: 1_500_000_000, kind: 'tier-3-start', label: 'Tier 3 price after 15B GB-s' },
    ]);
  });

  it('charges ephemeral storage above 512 MB', () => {
    const p = project({ requests: 3e6, durationMs: 120, memoryMb: 1536, ephemeralMb: 10_240 });
    expect(p.storageUsd).toBe(0.105678);
  });
});

describe('projection from measured history', () => {
  let db: Db;
  let records: InvocationsRepo;
  let n = 0;
  const fn: FunctionInfo = {
    id: 'Fn',
    projectId: 1,
    runtime: 'nodejs22.x',
    handler: 'app.handler',
    codeUri: '/x',
    memorySize: 256,
    timeout: 3,
    architecture: 'arm64',
    ephemeralStorage: 512,
    environment: {},
  };
  const record = (
    billedMs: number,
    memoryMb = 256,
    status: InvocationStatus = 'success',
    sweepId?: number,
  ) => {
    const id = `inv-${++n}`;
    const base = { invocationId: id, requestId: id, projectId: 1, functionId: 'Fn' };
    records.begin({
      ...base,
      trigger: 'ui',
      event: '{}',
      startedAt: n,
      memorySizeMb: memoryMb,
      architecture: 'arm64',
    });
    records.finish({
      ...base,
      status: status as Exclude<InvocationStatus, 'running'>,
      startedAt: n,
      durationMs: billedMs - 0.5,
      billedDurationMs: billedMs,
      coldStart: false,
      memorySizeMb: memoryMb,
      maxMemoryUsedMb: 50,
      architecture: 'arm64',
      logs: '',
      logsTruncated: false,
      gbSeconds: 0,
      costUsd: 0,
    });
    records.flush();
    if (sweepId) db.prepare('UPDATE invocations SET sweep_id = ? WHERE id = ?').run(sweepId, id);
  };

  beforeEach(() => {
    db = openDatabase(':memory:');
    records = new InvocationsRepo(db);
    db.prepare("INSERT INTO projects (id, name, path, opened_at) VALUES (1, 'p', '/p', 0)").run();
    db.prepare(
      "INSERT INTO sweeps (id, project_id, function_id, event, memory_sizes, runs_per_size, status, started_at) VALUES (9, 1, 'Fn', '{}', '[1024]', 1, 'done', 0)",
    ).run();
  });
  afterEach(() => db.close());

  it('uses the billed-duration p50 at the configured memory, leaving failures and sweep runs out', () => {
    [10, 40, 20, 30, 1000].forEach((ms) => record(ms));
    record(5, 256, 'error');
    record(1, 1024, 'success', 9); // a sweep run
    record(7, 512); // an older memory size
    const usage = functionUsage(db, 1, fn);
    expect(usage).toMatchObject({
      statistic: 'p50',
      durationMs: 30,
      p50BilledMs: 30,
      meanBilledMs: 220,
      count: 5,
      basisMemoryMb: 256,
      failed: 1,
      memorySizes: [
        { memoryMb: 256, count: 5 },
        { memoryMb: 512, count: 1 },
      ],
      architectures: ['arm64'],
      configured: { memoryMb: 256, architecture: 'arm64', ephemeralMb: 512 },
    });

    const cost = projectCost(db, [fn, { ...fn, id: 'Never' }], {
      projectId: 1,
      requestsPerMonth: 5e6,
      region: 'us-east-1',
      freeTier: false,
    });
    const expected = monthlyCost({
      requests: 5e6,
      durationMs: 30,
      memoryMb: 256,
      arch: 'arm64',
      freeTier: false,
    });
    expect(cost.functions[0]).toMatchObject({ functionId: 'Fn', durationMs: 30, count: 5 });
    expect(cost.functions[0].cost!.totalUsd).toBe(expected.totalUsd);
    expect(cost.functions[1]).toMatchObject({ functionId: 'Never', durationMs: null, cost: null });
    expect(cost.totalUsd).toBe(expected.totalUsd);
  });

  it('falls back to other memory sizes, saying so, and is empty before the first invoke', () => {
    expect(functionUsage(db, 1, fn)).toMatchObject({ durationMs: null, count: 0, meanBilledMs: null });
    record(12, 512);
    record(14, 512);
    expect(functionUsage(db, 1, fn)).toMatchObject({ durationMs: 12, count: 2, basisMemoryMb: 512 });
    record(50, 1024);
    expect(functionUsage(db, 1, fn)).toMatchObject({ durationMs: 14, count: 3, basisMemoryMb: null });
  });

  it('p50 is nearest-rank: a value that was measured', () => {
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2);
    expect(percentile([5], 0.5)).toBe(5);
    expect(percentile([], 0.5)).toBeNull();
  });
});
