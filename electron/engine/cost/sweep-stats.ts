/**
 * A sweep's figures from its raw runs: per memory size, the warm-up and failures left out, the fastest and
 * slowest 20 % dropped, then average duration and cost per invocation; and the cheapest, fastest and
 * balanced sizes. Pure, so the stored runs can be re-read with another weight or region.
 */
import { invocationCost, sumExact, toNumber } from '../../../shared/pricing';
import type { Architecture, InvocationStatus, Sweep, SweepPick, SweepSizeStats } from '../../../shared/types';

export const TRIM_FRACTION = 0.2;

export interface SweepRun {
  memoryMb: number;
  /** The first invoke at each size: a cold start, left out of the figures. */
  warmup: boolean;
  invocationId: string;
  status: Exclude<InvocationStatus, 'running'>;
  durationMs: number;
  billedDurationMs: number;
  initDurationMs?: number;
  error?: string;
}

/** What a sweep row stores as its result. */
export interface SweepData {
  /** The engine process running it, so another process can tell a live sweep from an interrupted one. */
  pid?: number;
  architecture: Architecture;
  ephemeralMb: number;
  runs: SweepRun[];
  /** Why it stopped early, when it did. */
  note?: string;
}

/** A sweep as stored: what was asked and the runs so far; `summarize` derives the rest of a `Sweep`. */
export type SweepRecord = Pick<
  Sweep,
  | 'id'
  | 'projectId'
  | 'functionId'
  | 'event'
  | 'memorySizes'
  | 'runsPerSize'
  | 'status'
  | 'startedAt'
  | 'endedAt'
> & { data: SweepData };

/** Sorted ascending, less ⌊n·20 %⌋ from each end. */
export function trimmed(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const k = Math.floor(sorted.length * TRIM_FRACTION);
  return sorted.slice(k, sorted.length - k);
}

interface Pricing {
  arch: Architecture;
  ephemeralMb: number;
  region: string;
}

export function sizeStats(memoryMb: number, runs: SweepRun[], pricing: Pricing): SweepSizeStats {
  const warm = runs.find((r) => r.warmup);
  const measured = runs.filter((r) => !r.warmup);
  const ok = measured.filter((r) => r.status === 'success');
  const used = trimmed(ok.map((r) => r.durationMs));
  const firstError = measured.find((r) => r.status !== 'success')?.error;
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const costs = used.map((durationMs) => invocationCost({ durationMs, memoryMb, ...pricing }).exact.totalUsd);
  return {
    memoryMb,
    runs: measured.length,
    succeeded: ok.length,
    failed: measured.length - ok.length,
    trimmed: ok.length - used.length,
    avgDurationMs: round2(avg(used)),
    avgBilledMs: round2(avg(used.map((d) => Math.max(1, Math.ceil(d))))),
    avgCostUsd: costs.length ? toNumber(sumExact(costs)) / costs.length : null,
    minDurationMs: used[0] ?? null,
    maxDurationMs: used.at(-1) ?? null,
    ...(warm
      ? {
          warmup: {
            status: warm.status,
            durationMs: warm.durationMs,
            ...(warm.initDurationMs === undefined ? {} : { initDurationMs: warm.initDurationMs }),
          },
        }
      : {}),
    ...(firstError ? { firstError } : {}),
  };
}

/** Figures closer than this are equal: equal bills (128 MB × 4 ms, 512 MB × 1 ms) differ only by float noise. */
const SAME = 1e-12;

/**
 * Cheapest and fastest, ties broken by the other figure; balanced minimises
 * weight·cost + (1 − weight)·duration, each scaled to 0..1 across the sizes (so 0 is the fastest, 1 the cheapest),
 * ties broken as cheapest's are, so weight 1 always picks the cheapest.
 */
export function recommend(sizes: SweepSizeStats[], weight: number): Sweep['recommendations'] {
  const picks: SweepPick[] = sizes
    .filter((s) => s.avgDurationMs !== null && s.avgCostUsd !== null)
    .map((s) => ({ memoryMb: s.memoryMb, avgDurationMs: s.avgDurationMs!, avgCostUsd: s.avgCostUsd! }));
  if (picks.length === 0) return null;
  // Scaling would blow float noise up to a whole 0..1 gap, so figures at the minimum scale to exactly 0.
  const scale = (key: 'avgDurationMs' | 'avgCostUsd') => {
    const values = picks.map((p) => p[key]);
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    return (p: SweepPick) => (p[key] - lo <= SAME ? 0 : (p[key] - lo) / (hi - lo));
  };
  const [cost, time] = [scale('avgCostUsd'), scale('avgDurationMs')];
  const [rawCost, rawTime] = [(p: SweepPick) => p.avgCostUsd, (p: SweepPick) => p.avgDurationMs];
  const best = (...order: ((p: SweepPick) => number)[]) =>
    picks.reduce((a, b) => {
      for (const key of order) {
        const d = key(b) - key(a);
        if (Math.abs(d) > SAME) return d < 0 ? b : a;
      }
      return a;
    });
  return {
    cheapest: best(rawCost, rawTime),
    fastest: best(rawTime, rawCost),
    balanced: best((p) => weight * cost(p) + (1 - weight) * time(p), rawCost, rawTime),
  };
}

export function summarize(record: SweepRecord, weight: number, region: string): Sweep {
  const { data } = record;
  const pricing = { arch: data.architecture, ephemeralMb: data.ephemeralMb, region };
  const sizes = record.memorySizes.map((mb) =>
    sizeStats(
      mb,
      data.runs.filter((r) => r.memoryMb === mb),
      pricing,
    ),
  );
  const recommendations = recommend(sizes, weight);
  const failedRuns = sizes.reduce((n, s) => n + s.failed, 0);
  const message = explain(record, sizes, recommendations !== null);
  return {
    id: record.id,
    projectId: record.projectId,
    functionId: record.functionId,
    event: record.event,
    memorySizes: record.memorySizes,
    runsPerSize: record.runsPerSize,
    architecture: data.architecture,
    region,
    status: record.status,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    done: data.runs.length,
    total: record.memorySizes.length * (record.runsPerSize + 1),
    failedRuns,
    sizes,
    weight,
    recommendations,
    ...(message ? { message } : {}),
  };
}

function explain(record: SweepRecord, sizes: SweepSizeStats[], recommended: boolean): string {
  const parts: string[] = [];
  if (record.data.note) parts.push(record.data.note);
  const runs = sizes.reduce((n, s) => n + s.runs, 0);
  const failed = sizes.reduce((n, s) => n + s.failed, 0);
  const firstError = sizes.find((s) => s.firstError)?.firstError;
  const because = firstError ? ` (first error: ${firstError})` : '';
  if (runs > 0 && failed === runs) {
    const all = runs === 1 ? 'The only measured run' : `All ${runs} measured runs`;
    parts.push(`${all} failed${because}. Failed runs are excluded, so no recommendation is possible.`);
  } else if (failed > 0) {
    const none = sizes.filter((s) => s.runs > 0 && s.succeeded === 0).map((s) => `${s.memoryMb} MB`);
    parts.push(
      `${failed} of ${runs} measured runs failed and were excluded${because}.` +
        (none.length ? ` No successful run at ${none.join(', ')}.` : ''),
    );
  }
  if (!recommended && runs === 0 && record.status !== 'running') {
    parts.push('No measured run finished, so no recommendation is possible.');
  }
  return parts.join(' ');
}

const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
