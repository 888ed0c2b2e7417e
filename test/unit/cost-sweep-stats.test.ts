import { describe, expect, it } from 'vitest';
import {
  recommend,
  sizeStats,
  summarize,
  trimmed,
  type SweepRecord,
  type SweepRun,
} from '../../electron/engine/cost/sweep-stats';
import { invocationCost } from '../../shared/pricing';
import type { SweepSizeStats } from '../../shared/types';

const pricing = { arch: 'x86_64', ephemeralMb: 512, region: 'us-east-1' } as const;
let seq = 0;
const run = (memoryMb: number, durationMs: number, extra: Partial<SweepRun> = {}): SweepRun => ({
  memoryMb,
  warmup: false,
  invocationId: `inv-${++seq}`,
  status: 'success',
  durationMs,
  billedDurationMs: Math.ceil(durationMs),
  ...extra,
});

describe('trimming', () => {
  it('drops the fastest and slowest 20 % (rounded down) from each end', () => {
    expect(trimmed([10, 1, 9, 2, 8, 3, 7, 4, 6, 5])).toEqual([3, 4, 5, 6, 7, 8]);
    expect(trimmed([50, 10, 30, 20, 40])).toEqual([20, 30, 40]);
    expect(trimmed([3, 1, 2])).toEqual([1, 2, 3]); // ⌊0.6⌋ = 0: too few to trim
    expect(trimmed([])).toEqual([]);
  });
});

describe('one memory size', () => {
  it('leaves out the warm-up and failed runs, then averages what the trim keeps', () => {
    const runs = [
      run(512, 900, { warmup: true, initDurationMs: 250 }),
      ...[100, 110, 120, 130, 140, 150, 160, 170, 180, 1000].map((d) => run(512, d)),
      run(512, 5, { status: 'error', error: 'Error: flaky' }),
    ];
    const s = sizeStats(512, runs, pricing);
    expect(s).toMatchObject({
      memoryMb: 512,
      runs: 11,
      succeeded: 10,
      failed: 1,
      trimmed: 4,
      avgDurationMs: 145, // mean of 120…170
      avgBilledMs: 145,
      minDurationMs: 120,
      maxDurationMs: 170,
      warmup: { status: 'success', durationMs: 900, initDurationMs: 250 },
      firstError: 'Error: flaky',
    });
    // Cost per invocation: the exact per-run costs (duration + request) averaged.
    const each = [120, 130, 140, 150, 160, 170].map(
      (d) => invocationCost({ durationMs: d, memoryMb: 512, arch: 'x86_64' }).totalUsd,
    );
    expect(s.avgCostUsd).toBeCloseTo(each.reduce((a, b) => a + b) / 6, 15);
    // By hand: 145 ms × 0.5 GB × $0.0000166667 + $0.0000002
    expect(s.avgCostUsd).toBeCloseTo(0.145 * 0.5 * 0.0000166667 + 0.0000002, 15);
  });

  it('has no figures when nothing succeeded', () => {
    const s = sizeStats(128, [run(128, 3, { status: 'error', error: 'Error: x' })], pricing);
    expect(s).toMatchObject({ succeeded: 0, failed: 1, avgDurationMs: null, avgCostUsd: null });
  });
});

describe('recommendations', () => {
  const size = (memoryMb: number, avgDurationMs: number, avgCostUsd: number): SweepSizeStats => ({
    memoryMb,
    runs: 5,
    succeeded: 5,
    failed: 0,
    trimmed: 2,
    avgDurationMs,
    avgBilledMs: avgDurationMs,
    avgCostUsd,
    minDurationMs: avgDurationMs,
    maxDurationMs: avgDurationMs,
  });
  // A CPU-bound shape: faster with memory, cheapest in the middle.
  const sizes = [
    size(128, 2000, 4.3e-6),
    size(512, 480, 4.1e-6),
    size(1024, 250, 4.4e-6),
    size(3008, 200, 1.0e-5),
  ];

  it('picks the cheapest, the fastest, and a balance that the weight moves between them', () => {
    const r = recommend(sizes, 0.5)!;
    expect(r.cheapest.memoryMb).toBe(512);
    expect(r.fastest.memoryMb).toBe(3008);
    // Scaled 0..1: 512 → 0.5·0 + 0.5·(280/1800) = 0.078; 1024 → 0.5·(0.3/5.9) + 0.5·(50/1800) = 0.039.
    expect(r.balanced.memoryMb).toBe(1024);
    expect(recommend(sizes, 0)!.balanced.memoryMb).toBe(3008);
    expect(recommend(sizes, 1)!.balanced.memoryMb).toBe(512);
    expect(r.cheapest).toEqual({ memoryMb: 512, avgDurationMs: 480, avgCostUsd: 4.1e-6 });
  });

  it('breaks ties by the other figure and ignores sizes without figures', () => {
    const tie = [
      size(256, 300, 2e-6),
      size(512, 150, 2e-6),
      { ...size(1024, 1, 1e-9), avgDurationMs: null, avgCostUsd: null },
    ];
    const r = recommend(tie, 0.5)!;
    expect(r.cheapest.memoryMb).toBe(512);
    expect(r.fastest.memoryMb).toBe(512);
    expect(recommend([], 0.5)).toBeNull();
  });

  it('treats bills equal but for float noise as equal, so weight 1 picks the cheapest', () => {
    // 128 MB × 4 ms and 512 MB × 1 ms bill the same; summed and averaged, the two figures differ in the last bits.
    const same = 2.0833e-7;
    const sizes = [size(128, 4, same), size(256, 2.5, 2.5e-7), size(512, 1, same + 1e-22)];
    const r = recommend(sizes, 1)!;
    expect(r.cheapest.memoryMb).toBe(512);
    expect(r.balanced.memoryMb).toBe(r.cheapest.memoryMb);
    expect(recommend(sizes.slice().reverse(), 1)!.balanced.memoryMb).toBe(512);
  });
});

describe('a whole sweep', () => {
  const record = (runs: SweepRun[], extra: Partial<SweepRecord> = {}): SweepRecord => ({
    id: 7,
    projectId: 1,
    functionId: 'Fn',
    event: '{}',
    memorySizes: [128, 256],
    runsPerSize: 2,
    status: 'done',
    startedAt: 1,
    endedAt: 2,
    data: { architecture: 'arm64', ephemeralMb: 512, runs },
    ...extra,
  });

  it('on an always-failing function: no recommendation, and says why', () => {
    const fail = (mb: number, warmup = false) =>
      run(mb, 2, { warmup, status: 'error', error: 'Error: always fails' });
    const s = summarize(
      record([fail(128, true), fail(128), fail(128), fail(256, true), fail(256), fail(256)]),
      0.5,
      'us-east-1',
    );
    expect(s.recommendations).toBeNull();
    expect(s).toMatchObject({ failedRuns: 4, done: 6, total: 6, architecture: 'arm64' });
    expect(s.message).toBe(
      'All 4 measured runs failed (first error: Error: always fails). Failed runs are excluded, so no recommendation is possible.',
    );
  });

  it('counts partial failures and names sizes that never succeeded', () => {
    const s = summarize(
      record([
        run(128, 9, { status: 'error', error: 'Runtime.OutOfMemory: killed' }),
        run(128, 9, { status: 'error', error: 'Runtime.OutOfMemory: killed' }),
        run(256, 40),
        run(256, 50),
      ]),
      0.5,
      'us-east-1',
    );
    expect(s.recommendations!.cheapest.memoryMb).toBe(256);
    expect(s.message).toBe(
      '2 of 4 measured runs failed and were excluded (first error: Runtime.OutOfMemory: killed). No successful run at 128 MB.',
    );
  });

  it('prices arm64 and another region when asked', () => {
    const runs = [run(256, 100), run(256, 100)];
    const us = summarize(record(runs, { memorySizes: [256] }), 0.5, 'us-east-1');
    const cape = summarize(record(runs, { memorySizes: [256] }), 0.5, 'af-south-1');
    expect(us.sizes[0].avgCostUsd).toBeCloseTo(0.1 * 0.25 * 0.0000133334 + 0.0000002, 15);
    expect(cape.sizes[0].avgCostUsd!).toBeGreaterThan(us.sizes[0].avgCostUsd!);
    expect(cape.region).toBe('af-south-1');
  });
});
