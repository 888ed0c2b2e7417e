/**
 * Percentiles from maintained duration histograms (migration 5): per function, per minute, hour and day, a
 * count per log bucket of ratio 1.02. A range is covered by the fewest whole days, hours and minutes, and
 * its partial minutes at either end are counted from the invocations themselves, so the answer is for
 * exactly the range asked. Reading a month is a few thousand small rows instead of a sort of every duration.
 *
 * Invocations reach the histograms in batches: a fold adds every finished row above a rowid watermark with
 * one GROUP BY (a trigger per insert cost 40% of the insert rate; a fold costs a few µs a row). Rows at or
 * below the watermark are kept by triggers when they finish late or are deleted. Readers fold first and also
 * count any rows still above the watermark, so an answer never lags, even on a read-only connection.
 *
 * Error: the estimate is the bucket's geometric middle, 1.02^(k + ½), so it is within √1.02 − 1 < 1% of the
 * exact nearest-rank percentile (durations below 0.01 ms share one bucket).
 */
import type { Db } from './database';

/** Ratio between bucket edges. Fixed: changing it needs a migration that rebuilds every histogram. */
export const HISTOGRAM_RATIO = 1.02;
export const HISTOGRAM_MAX_ERROR = Math.sqrt(HISTOGRAM_RATIO) - 1;
const SCALE = 1 / Math.log(HISTOGRAM_RATIO);
/** Histogram spans, largest first. */
const SPANS = [86_400_000, 3_600_000, 60_000];
const MINUTE = 60_000;

/** The bucket of a duration in SQL; the same expression the triggers use, so edges and aggregates agree. */
export const HISTOGRAM_BUCKET_SQL = (duration: string) =>
  `CAST(floor(ln(max(${duration}, 0.01)) * ${SCALE}) AS INTEGER)`;

/** A bucket's estimate: its geometric middle, within HISTOGRAM_MAX_ERROR of any duration in it. */
export const bucketValue = (bucket: number) => Math.round(Math.exp((bucket + 0.5) / SCALE) * 1000) / 1000;

const FOLDED = '(SELECT upto FROM duration_histogram_folded)';
/** Rows whose duration the percentiles count: ended, ran code, belong to a project. */
const COUNTED = (row: string) =>
  `${row}project_id IS NOT NULL AND ${row}status != 'running' AND ${row}billed_duration_ms > 0`;

/** Adds the finished rows above the watermark and moves it to the newest row (frozen with migration 5). */
export const HISTOGRAM_FOLD_SQL = `
  INSERT INTO duration_histogram (project_id, function_id, span, start, bucket, count)
    SELECT project_id, function_id, span, CAST(started_at / span AS INTEGER) * span AS start,
      ${HISTOGRAM_BUCKET_SQL('duration_ms')} AS bucket, count(*)
    FROM invocations NOT INDEXED, (${SPANS.map((span, i) => `SELECT ${span}${i ? '' : ' AS span'}`).join(' UNION ALL ')})
    WHERE rowid > ${FOLDED} AND ${COUNTED('')}
    GROUP BY project_id, function_id, span, start, bucket
    ON CONFLICT DO UPDATE SET count = count + excluded.count;
  UPDATE duration_histogram_folded SET upto = coalesce((SELECT max(rowid) FROM invocations), 0);`;

/**
 * The triggers of migration 5 (frozen with it): rows at or below the watermark count when they finish and stop
 * counting when deleted (retention, clearing a History). No insert trigger: its mere WHEN check cost a third
 * of the insert rate. New rows get rowids above the watermark because it drops to the newest remaining row
 * when its own row is deleted (SQLite reuses rowids only above the largest one left).
 */
export function histogramTriggers(): string {
  const add = SPANS.map(
    (span) =>
      `(NEW.project_id, NEW.function_id, ${span}, CAST(NEW.started_at / ${span} AS INTEGER) * ${span}, ${HISTOGRAM_BUCKET_SQL('NEW.duration_ms')}, 1)`,
  ).join(',\n      ');
  const upsert = `INSERT INTO duration_histogram (project_id, function_id, span, start, bucket, count)
      VALUES ${add}
      ON CONFLICT DO UPDATE SET count = count + 1;`;
  const key = (span: number) =>
    `project_id = OLD.project_id AND function_id = OLD.function_id AND span = ${span}
      AND start = CAST(OLD.started_at / ${span} AS INTEGER) * ${span}
      AND bucket = ${HISTOGRAM_BUCKET_SQL('OLD.duration_ms')}`;
  const remove = SPANS.map(
    (span) => `DELETE FROM duration_histogram WHERE ${key(span)} AND count <= 1;
    UPDATE duration_histogram SET count = count - 1 WHERE ${key(span)};`,
  ).join('\n    ');
  // In the same body as the decrement (triggers on one event fire in no documented order).
  const lower = `UPDATE duration_histogram_folded
      SET upto = coalesce((SELECT max(rowid) FROM invocations WHERE rowid < OLD.rowid), 0)
      WHERE upto = OLD.rowid;`;
  return `
  CREATE TRIGGER duration_histogram_finish AFTER UPDATE OF status ON invocations
    WHEN OLD.status = 'running' AND ${COUNTED('NEW.')} AND NEW.rowid <= ${FOLDED}
  BEGIN
    ${upsert}
  END;
  CREATE TRIGGER duration_histogram_delete AFTER DELETE ON invocations
    WHEN ${COUNTED('OLD.')} AND OLD.rowid <= ${FOLDED}
  BEGIN
    ${remove}
    ${lower}
  END;
  CREATE TRIGGER duration_histogram_watermark AFTER DELETE ON invocations
    WHEN NOT (${COUNTED('OLD.')}) AND OLD.rowid = ${FOLDED}
  BEGIN
    ${lower}
  END;
  CREATE TRIGGER duration_histogram_project_delete AFTER DELETE ON projects
  BEGIN
    DELETE FROM duration_histogram WHERE project_id = OLD.id;
  END;`;
}

export interface Percentiles {
  p50?: number;
  p95?: number;
  p99?: number;
}

/** One piece of a range: whole spans [from, to) of the histogram, or (span 0) raw invocations for a partial minute. */
interface Piece {
  span: number;
  from: number;
  to: number;
}

export class DurationHistogram {
  private readonly fold;
  private readonly spans;
  private readonly raw;
  private readonly unfolded;

  constructor(db: Db) {
    const statements = HISTOGRAM_FOLD_SQL.split(';')
      .map((sql) => sql.trim())
      .filter(Boolean)
      .map((sql) => db.prepare(sql));
    this.fold = db.transaction(() => statements.forEach((st) => st.run()));
    const fn = 'project_id = ? AND function_id = ?';
    this.spans = db
      .prepare<[number, string, number, number, number], [number, number]>(
        `SELECT bucket, sum(count) FROM duration_histogram
         WHERE ${fn} AND span = ? AND start >= ? AND start < ? GROUP BY bucket`,
      )
      .raw();
    const bucketed = (from: string, where: string) =>
      `SELECT ${HISTOGRAM_BUCKET_SQL('duration_ms')} AS bucket, count(*) FROM ${from}
       WHERE ${fn} AND started_at >= ? AND started_at < ? AND ${COUNTED('')} ${where} GROUP BY bucket`;
    this.raw = db
      .prepare<[number, string, number, number], [number, number]>(bucketed('invocations', ''))
      .raw();
    // By rowid, not the function's index: above the watermark there are few rows, in a function's index many.
    this.unfolded = db
      .prepare<[number, string, number, number], [number, number]>(
        bucketed('invocations NOT INDEXED', `AND rowid > ${FOLDED}`),
      )
      .raw();
  }

  /**
   * Folds new rows in. Never throws: a busy or read-only database leaves them above the watermark, where
   * readers count them one by one.
   */
  update(): void {
    try {
      this.fold();
    } catch {
      // Counted raw until a later fold succeeds.
    }
  }

  /** p50/p95/p99 of the function's invocations that ran, over [from, to) or its whole history. */
  percentiles(projectId: number, functionId: string, from?: number, to?: number): Percentiles {
    this.update();
    const counts = new Map<number, number>();
    const add = (rows: [number, number][]) => {
      for (const [bucket, n] of rows) counts.set(bucket, (counts.get(bucket) ?? 0) + n);
    };
    const lo = from ?? -Number.MAX_SAFE_INTEGER;
    const hi = to ?? Number.MAX_SAFE_INTEGER;
    const whole = from === undefined && to === undefined;
    const pieces = whole ? [{ span: SPANS[0], from: lo, to: hi }] : cover(lo, hi);
    for (const piece of pieces) {
      if (piece.span) add(this.spans.all(projectId, functionId, piece.span, piece.from, piece.to));
      else add(this.raw.all(projectId, functionId, piece.from, piece.to));
    }
    // Rows above the watermark (a fold failed, or another process wrote since), except in the raw pieces,
    // which counted theirs already.
    add(this.unfolded.all(projectId, functionId, lo, hi));
    for (const piece of pieces.filter((p) => !p.span)) {
      for (const [bucket, n] of this.unfolded.all(projectId, functionId, piece.from, piece.to))
        counts.set(bucket, (counts.get(bucket) ?? 0) - n);
    }
    return nearestRanks(counts);
  }
}

/** Nearest-rank percentiles (rank ⌈p × n / 100⌉) of a histogram. */
export function nearestRanks(counts: Map<number, number>): Percentiles {
  const buckets = [...counts.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return {};
  const result: Percentiles = {};
  const ranks = [50, 95, 99] as const;
  let seen = 0;
  let next = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    while (next < ranks.length && seen >= Math.ceil((ranks[next] * total) / 100)) {
      result[`p${ranks[next]}`] = bucketValue(bucket);
      next++;
    }
  }
  return result;
}

/** [from, to) as raw partial minutes at the ends and the fewest whole days, hours and minutes between. */
export function cover(from: number, to: number): Piece[] {
  if (to <= from) return [];
  const a = Math.ceil(from / MINUTE) * MINUTE;
  const b = Math.floor(to / MINUTE) * MINUTE;
  if (a >= b) return [{ span: 0, from, to }];
  const pieces: Piece[] = [];
  if (from < a) pieces.push({ span: 0, from, to: a });
  const whole = (lo: number, hi: number, level: number) => {
    if (lo >= hi) return;
    const span = SPANS[level];
    const first = Math.ceil(lo / span) * span;
    const last = Math.floor(hi / span) * span;
    if (first >= last) return whole(lo, hi, level + 1);
    whole(lo, first, level + 1);
    pieces.push({ span, from: first, to: last });
    whole(last, hi, level + 1);
  };
  whole(a, b, 0);
  if (b < to) pieces.push({ span: 0, from: b, to });
  return pieces;
}
