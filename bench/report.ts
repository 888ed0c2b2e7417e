/** One measured figure, printed beside the baseline measured in the same run and the goal it must meet. */
export interface BenchRow {
  id: string;
  what: string;
  value: number;
  unit: string;
  /** The baseline measured in the same run, when the goal is a ratio. */
  baseline?: { what: string; value: number };
  /** A ratio or absolute figure the issue asks for, e.g. '≤ 1.5×' or '≤ 20 ms'. */
  goal: string;
  pass: boolean;
}

export interface BenchSuite {
  name: string;
  run(): Promise<BenchRow[]>;
}

export function printRows(rows: BenchRow[]): void {
  for (const r of rows) {
    const ratio = r.baseline
      ? ` = ${(r.value / r.baseline.value).toFixed(2)}× ${r.baseline.what} (${fmt(r.baseline.value)} ${r.unit})`
      : '';
    console.log(
      `${r.pass ? 'PASS' : 'MISS'} ${r.id.padEnd(4)} ${r.what}: ${fmt(r.value)} ${r.unit}${ratio}  [goal ${r.goal}]`,
    );
  }
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
