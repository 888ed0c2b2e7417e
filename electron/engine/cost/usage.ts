/**
 * What a function measured: billed-duration p50 and mean over its latest successful invocations, the
 * projection's default duration. Memory-sweep runs are left out: they ran at sizes the function is not
 * configured with.
 */
import type { Architecture, FunctionInfo, FunctionUsage } from '../../../shared/types';
import type { Db } from '../store/database';

/** Recent behaviour is what a projection should assume; older runs may predate code changes. */
export const USAGE_WINDOW = 1000;

type Fn = Pick<
  FunctionInfo,
  'id' | 'memorySize' | 'architecture' | 'ephemeralStorage' | 'provisionedConcurrency'
>;

interface Row {
  billed: number;
  memory: number;
  architecture: Architecture;
  startedAt: number;
}

export function functionUsage(db: Db, projectId: number, fn: Fn): FunctionUsage {
  const rows = db
    .prepare<[number, string, number], Row>(
      `SELECT billed_duration_ms AS billed, memory_size_mb AS memory, architecture, started_at AS startedAt
       FROM invocations
       WHERE project_id = ? AND function_id = ? AND status = 'success' AND sweep_id IS NULL
         AND billed_duration_ms > 0
       ORDER BY started_at DESC, id DESC LIMIT ?`,
    )
    .all(projectId, fn.id, USAGE_WINDOW);
  const failed =
    db
      .prepare<[number, string], { n: number }>(
        `SELECT COUNT(*) AS n FROM invocations WHERE project_id = ? AND function_id = ?
           AND status NOT IN ('success', 'running') AND sweep_id IS NULL`,
      )
      .get(projectId, fn.id)?.n ?? 0;

  // Durations depend on memory: prefer those measured at the size the function is configured with now.
  const atConfigured = rows.filter((r) => r.memory === fn.memorySize);
  const basis = atConfigured.length > 0 ? atConfigured : rows;
  const billed = basis.map((r) => r.billed);
  const p50 = percentile(billed, 0.5);
  const sizes = new Map<number, number>();
  for (const r of rows) sizes.set(r.memory, (sizes.get(r.memory) ?? 0) + 1);

  return {
    projectId,
    functionId: fn.id,
    configured: {
      memoryMb: fn.memorySize,
      architecture: fn.architecture,
      ephemeralMb: fn.ephemeralStorage,
      ...(fn.provisionedConcurrency ? { provisionedConcurrency: fn.provisionedConcurrency } : {}),
    },
    statistic: 'p50',
    durationMs: p50,
    p50BilledMs: p50,
    meanBilledMs: billed.length ? round2(billed.reduce((a, b) => a + b, 0) / billed.length) : null,
    count: basis.length,
    basisMemoryMb: atConfigured.length > 0 ? fn.memorySize : sizes.size === 1 ? rows[0].memory : null,
    failed,
    memorySizes: [...sizes]
      .map(([memoryMb, count]) => ({ memoryMb, count }))
      .sort((a, b) => a.memoryMb - b.memoryMb),
    architectures: [...new Set(rows.map((r) => r.architecture))],
    lastInvokedAt: rows[0]?.startedAt ?? null,
  };
}

/** Nearest-rank percentile: always a value that was measured. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

const round2 = (n: number) => Math.round(n * 100) / 100;
