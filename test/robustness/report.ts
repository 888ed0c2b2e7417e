/**
 * The soak's one table: every robustness and security check adds a row (case, expected, got, pass).
 * Each test file prints its own rows; under `npm run soak` they are also appended to the file named by
 * LAMBENCH_SOAK_REPORT, and the global teardown prints the whole run as one table.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface SoakRow {
  /** e.g. 'R1 memory-bomb'. */
  case: string;
  expected: string;
  got: string;
  pass: boolean;
}

/** Extra lines printed under the table (totals, figures). */
export interface SoakNote {
  note: string;
}

export function report(rows: SoakRow[], notes: string[] = []): void {
  const file = process.env.LAMBENCH_SOAK_REPORT;
  // Under the soak, the global teardown prints one table for the whole run.
  if (!file) return console.log(formatTable(rows, notes));
  const lines = [...rows.map((r) => JSON.stringify(r)), ...notes.map((note) => JSON.stringify({ note }))];
  appendFileSync(file, lines.map((l) => l + '\n').join(''));
}

export function readReport(file: string): { rows: SoakRow[]; notes: string[] } {
  const rows: SoakRow[] = [];
  const notes: string[] = [];
  if (!existsSync(file)) return { rows, notes };
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const item = JSON.parse(line) as SoakRow | SoakNote;
    if ('note' in item) notes.push(item.note);
    else rows.push(item);
  }
  return { rows, notes };
}

const WIDTH = { case: 34, expected: 58, got: 90 };

export function formatTable(rows: SoakRow[], notes: string[] = []): string {
  const cell = (text: string, width: number) => {
    const flat = text.replace(/\s+/g, ' ');
    return (flat.length > width ? flat.slice(0, width - 1) + '…' : flat).padEnd(width);
  };
  const line = (c: string, e: string, g: string, p: string) =>
    `${cell(c, WIDTH.case)} | ${cell(e, WIDTH.expected)} | ${cell(g, WIDTH.got)} | ${p}`;
  const out = [
    line('case', 'expected', 'got', 'pass'),
    '-'.repeat(WIDTH.case + WIDTH.expected + WIDTH.got + 13),
    ...rows.map((r) => line(r.case, r.expected, r.got, r.pass ? 'PASS' : 'FAIL')),
  ];
  const passed = rows.filter((r) => r.pass).length;
  out.push('', `${passed}/${rows.length} passed`, ...notes);
  return out.join('\n');
}
