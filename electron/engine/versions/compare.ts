/**
 * One side of a version comparison, from History: a version's figures are the invocations it executed
 * (whatever was named), an alias's the invocations made through it. Percentiles by nearest rank.
 */
import type { VersionFigures } from '../../../shared/api/versions';
import type { Db } from '../store/database';

export interface CompareSide {
  projectId: number;
  functionId: string;
  qualifier: string;
  /** For a version or $LATEST. */
  executedVersion?: string;
  /** For an alias: the versions it routes to now. */
  alias?: string[];
}

interface Totals {
  n: number;
  errors: number | null;
  max_used: number | null;
  memory: number | null;
  gbs: number | null;
  cost: number | null;
}

export function compareFigures(db: Db, side: CompareSide): VersionFigures {
  const [column, value] =
    side.executedVersion !== undefined
      ? ['executed_version', side.executedVersion]
      : ['qualifier', side.qualifier];
  const where = `FROM invocations WHERE project_id = ? AND function_id = ? AND ${column} = ?`;
  const params = [side.projectId, side.functionId, value];
  const t = db
    .prepare<unknown[], Totals>(
      `SELECT count(*) AS n, sum(status IN ('error', 'timeout')) AS errors, max(max_memory_used_mb) AS max_used,
         max(memory_size_mb) AS memory, avg(gb_seconds) AS gbs, avg(cost_usd) AS cost
       ${where} AND status != 'running'`,
    )
    .get(...params)!;
  const ran = db
    .prepare<unknown[], number>(`SELECT count(*) ${where} AND billed_duration_ms > 0`)
    .pluck()
    .get(...params)!;
  const nth = db
    .prepare<unknown[], number>(
      `SELECT duration_ms ${where} AND billed_duration_ms > 0 ORDER BY duration_ms LIMIT 1 OFFSET ?`,
    )
    .pluck();
  const at = (p: number) => (ran ? nth.get(...params, Math.ceil((p * ran) / 100) - 1) : undefined);
  return {
    qualifier: side.qualifier,
    versions: side.alias ?? [side.qualifier],
    count: t.n,
    errors: t.errors ?? 0,
    p50: at(50),
    p95: at(95),
    ...(t.max_used === null ? {} : { maxMemoryUsedMb: t.max_used }),
    ...(t.memory === null ? {} : { memorySizeMb: t.memory }),
    avgGbSeconds: t.gbs ?? 0,
    costPerMillionUsd: (t.cost ?? 0) * 1_000_000,
  };
}
