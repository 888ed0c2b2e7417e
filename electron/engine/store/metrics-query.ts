/**
 * A function's metrics over time: counts and sums per bucket in SQL, and duration percentiles from the
 * durations of the range read in time order (the function's time index) and sorted per bucket here.
 * Percentiles count only invocations that ran code (billed > 0): throttles and failed starts have no duration.
 */
import { METRICS_MAX_BUCKETS, type FunctionMetrics, type MetricsFigures } from '../../../shared/api/history';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { Db } from './database';

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

export class MetricsQuery {
  private readonly first;
  private readonly aggregates;
  private readonly durations;

  constructor(
    db: Db,
    private readonly beforeRead: () => void = () => {},
  ) {
    this.first = db.prepare<[number, string], { started_at: number }>(
      'SELECT min(started_at) AS started_at FROM invocations WHERE project_id = ? AND function_id = ?',
    );
    const range = `FROM invocations WHERE project_id = ? AND function_id = ? AND started_at >= ? AND started_at < ?`;
    this.aggregates = db.prepare<[number, number, number, string, number, number], AggregateRow>(
      `SELECT CAST((started_at - ?) / ? AS INTEGER) AS bucket, count(*) AS count,
         sum(status IN ('error', 'timeout')) AS errors, sum(status = 'throttled') AS throttles,
         sum(cold_start = 1) AS cold, max(max_memory_used_mb) AS max_used, max(memory_size_mb) AS memory_size,
         total(gb_seconds) AS gb_seconds, total(cost_usd) AS cost_usd
       ${range} AND status != 'running' GROUP BY bucket`,
    );
    this.durations = db
      .prepare<[number, string, number, number], [number, number]>(
        `SELECT started_at, duration_ms ${range} AND billed_duration_ms > 0`,
      )
      .raw(true);
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

    const rows = this.aggregates.all(from, bucketMs, projectId, functionId, from, to);
    const perBucket: number[][] = Array.from({ length: count }, () => []);
    const all: number[] = [];
    for (const [startedAt, duration] of this.durations.iterate(projectId, functionId, from, to)) {
      perBucket[Math.floor((startedAt - from) / bucketMs)].push(duration);
      all.push(duration);
    }
    const byBucket = new Map(rows.map((r) => [r.bucket, r]));
    const buckets = perBucket.map((durations, i) => ({
      start: from + i * bucketMs,
      ...figures(byBucket.get(i), durations),
    }));
    return { projectId, functionId, from, to, bucketMs, buckets, totals: figures(sum(rows), all) };
  }
}

function figures(row: AggregateRow | undefined, durations: number[]): MetricsFigures {
  const sorted = Float64Array.from(durations).sort();
  const count = row?.count ?? 0;
  return {
    count,
    errors: row?.errors ?? 0,
    throttles: row?.throttles ?? 0,
    coldStarts: row?.cold ?? 0,
    coldStartPct: count ? ((row?.cold ?? 0) / count) * 100 : 0,
    ...(sorted.length
      ? { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) }
      : {}),
    ...(row?.max_used != null ? { maxMemoryUsedMb: row.max_used } : {}),
    ...(row?.memory_size != null ? { memorySizeMb: row.memory_size } : {}),
    gbSeconds: row?.gb_seconds ?? 0,
    costUsd: row?.cost_usd ?? 0,
  };
}

/** Nearest rank, as CloudWatch reports pNN: the smallest value with at least NN% of values at or below it. */
export function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
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
