/** The soak's global setup: a fresh report file for every file's rows, printed as one table at the end. */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable, readReport } from './report';

export default function setup(): () => void {
  const file = (process.env.LAMBENCH_SOAK_REPORT ??= join(tmpdir(), `lambench-soak-${process.pid}.jsonl`));
  rmSync(file, { force: true });
  return () => {
    const { rows, notes } = readReport(file);
    console.log(`\nLambench soak: robustness and security\n\n${formatTable(rows, notes)}\n`);
    rmSync(file, { force: true });
  };
}
