/**
 * A function's metrics over time, computed inside SQLite so only a few rows per bucket reach JavaScript
 * (turning rows into JS values is what costs most at a million rows): counts and sums by GROUP BY, and
 * nearest-rank percentiles by window functions per chart bucket. The percentiles of a whole range (or the whole
 * history) come from the maintained duration histograms instead (within 1%), not a sort of every row.
 * Percentiles count only invocations that ran code (billed > 0): throttles and failed starts have no duration.
 */
import { METRICS_MAX_BUCKETS, type FunctionMetrics, type MetricsFigures } from '../../../shared/api/history';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { Db } from './database';
import { DurationHistogram, type Percentiles } from './duration-histogram';

export type { Percentiles };

export interface MetricsInput {
  projectId: number;
  functionId: string;
  from?: number;
  to?: number;
  bucketMs: number;
}

interface AggregateRow {
  bucket: number;
  count: number;
  errors: number;
  throttles: number;
  cold: number;
  max_used: number | null;
  memory_size: number | null;
  gb_seconds: number;
  cost_usd: number;
}

const RANKS = [50, 95, 99] as const;
/** Nearest rank as integer arithmetic: ceil(p × n / 100). */
const rank = (p: number, n: string) => `(${n} * ${p} + 99) / 100`;
const ranked = (n: string) => `rn IN (${RANKS.map((p) => rank(p, n)).join(', ')})`;

export class MetricsQuery {
  private readonly first;
  private readonly aggregates;
  private readonly bucketRanks;
  private readonly histogram;

  constructor(
    db: Db,
    private readonly beforeRead: () => void = () => {},
  ) {
    this.first = db.prepare<[number, string], { started_at: number | null }>(
      'SELECT min(started_at) AS started_at FROM invocations WHERE project_id = ? AND function_id = ?',
    );
    const range = `FROM invocations WHERE project_id = @projectId AND function_id = @functionId
      AND started_at >= @from AND started_at < @to`;
    const bucket = 'CAST((started_at - @from) / @bucketMs AS INTEGER)';
    this.aggregates = db.prepare<Record<string, unknown>, AggregateRow>(
      `SELECT ${bucket} AS bucket, count(*) AS count,
         sum(status IN ('error', 'timeout')) AS errors, sum(status = 'throttled') AS throttles,
         sum(cold_start = 1) AS cold, max(max_memory_used_mb) AS max_used, max(memory_size_mb) AS memory_size,
         total(gb_seconds) AS gb_seconds, total(cost_usd) AS cost_usd
       ${range} AND status != 'running' GROUP BY bucket`,
    );
    this.bucketRanks = db.prepare<
      Record<string, unknown>,
      { bucket: number; rn: number; cnt: number; d: number }
    >(
      `SELECT bucket, rn, cnt, d FROM (
         SELECT ${bucket} AS bucket, duration_ms AS d,
           row_number() OVER (PARTITION BY ${bucket} ORDER BY duration_ms) AS rn,
           count(*) OVER (PARTITION BY ${bucket}) AS cnt
         ${range} AND billed_duration_ms > 0)
       WHERE ${ranked('cnt')}`,
    );
    this.histogram = new DurationHistogram(db);
  }

  metrics(input: MetricsInput): FunctionMetrics {
    this.beforeRead();
    const { projectId, functionId, bucketMs } = input;
    const to = input.to ?? Date.now() + 1;
    const earliest = input.from ?? this.first.get(projectId, functionId)?.started_at ?? to - bucketMs;
    // Buckets start on multiples of their size, so the same range always cuts the same way.
    const from = Math.floor(Math.min(earliest, to - 1) / bucketMs) * bucketMs;
    const count = Math.ceil((to - from) / bucketMs);
    if (count > METRICS_MAX_BUCKETS) {
      throw new WorkbenchError(
        'TooManyBuckets',
        `That range needs ${count} buckets of ${bucketMs} ms; at most ${METRICS_MAX_BUCKETS} are drawn. Use larger buckets or a shorter range.`,
        { count, max: METRICS_MAX_BUCKETS },
      );
    }

    const params = { projectId, functionId, from, to, bucketMs };
    const rows = this.aggregates.all(params);
    const percentiles = new Map<number, Percentiles>();
    for (const r of this.bucketRanks.all(params)) {
      const p = percentiles.get(r.bucket) ?? {};
      assignRanks(p, r.rn, r.cnt, r.d);
      percentiles.set(r.bucket, p);
    }
    const byBucket = new Map(rows.map((r) => [r.bucket, r]));
    const buckets = Array.from({ length: count }, (_, i) => ({
      start: from + i * bucketMs,
      ...figures(byBucket.get(i), percentiles.get(i) ?? {}),
    }));
    // No range given: the whole history, read from the daily histograms alone.
    const whole = input.from === undefined && input.to === undefined;
    const totals = whole
      ? this.histogram.percentiles(projectId, functionId)
      : this.histogram.percentiles(projectId, functionId, from, to);
    return { projectId, functionId, from, to, bucketMs, buckets, totals: figures(sum(rows), totals) };
  }

  /** p50/p95/p99 of every invocation of the function that ran (within 1%, from the histograms). */
  percentiles(projectId: number, functionId: string): Percentiles {
    this.beforeRead();
    return this.histogram.percentiles(projectId, functionId);
  }
}

/** A row can hold several ranks at once when there are few durations (one duration is p50, p95 and p99). */
function assignRanks(p: Percentiles, rn: number, cnt: number, duration: number): void {
  for (const q of RANKS) if (rn === Math.ceil((q * cnt) / 100)) p[`p${q}`] = duration;
}

function figures(row: AggregateRow | undefined, percentiles: Percentiles): MetricsFigures {
  const count = row?.count ?? 0;
  return {
    count,
    errors: row?.errors ?? 0,
    throttles: row?.throttles ?? 0,
    coldStarts: row?.cold ?? 0,
    coldStartPct: count ? ((row?.cold ?? 0) / count) * 100 : 0,
    ...percentiles,
    ...(row?.max_used != null ? { maxMemoryUsedMb: row.max_used } : {}),
    ...(row?.memory_size != null ? { memorySizeMb: row.memory_size } : {}),
    gbSeconds: row?.gb_seconds ?? 0,
    costUsd: row?.cost_usd ?? 0,
  };
}

function sum(rows: AggregateRow[]): AggregateRow | undefined {
  if (rows.length === 0) return undefined;
  const total: AggregateRow = {
    bucket: 0,
    count: 0,
    errors: 0,
    throttles: 0,
    cold: 0,
    max_used: null,
    memory_size: null,
    gb_seconds: 0,
    cost_usd: 0,
  };
  for (const r of rows) {
    total.count += r.count;
    total.errors += r.errors;
    total.throttles += r.throttles;
    total.cold += r.cold;
    total.gb_seconds += r.gb_seconds;
    total.cost_usd += r.cost_usd;
    total.max_used = maxOf(total.max_used, r.max_used);
    total.memory_size = maxOf(total.memory_size, r.memory_size);
  }
  return total;
}

const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
