/** The `sweeps` table (schema v2): one row per sweep, its raw runs as JSON in `result`. */
import type { SweepStatus } from '../../../shared/types';
import type { Db } from '../store/database';
import type { SweepData, SweepRecord } from './sweep-stats';

interface Row {
  id: number;
  project_id: number;
  function_id: string;
  event: string;
  memory_sizes: string;
  runs_per_size: number;
  status: SweepStatus;
  started_at: number;
  ended_at: number | null;
  result: string | null;
}

export type NewSweep = Pick<
  SweepRecord,
  'projectId' | 'functionId' | 'event' | 'memorySizes' | 'runsPerSize' | 'data'
>;

export class SweepsRepo {
  constructor(private readonly db: Db) {}

  create(s: NewSweep): number {
    const info = this.db
      .prepare(
        `INSERT INTO sweeps (project_id, function_id, event, memory_sizes, runs_per_size, status, started_at, result)
         VALUES (?, ?, ?, ?, ?, 'running', ?, ?)`,
      )
      .run(
        s.projectId,
        s.functionId,
        s.event,
        JSON.stringify(s.memorySizes),
        s.runsPerSize,
        Date.now(),
        JSON.stringify(s.data),
      );
    return Number(info.lastInsertRowid);
  }

  save(id: number, data: SweepData): void {
    this.db.prepare('UPDATE sweeps SET result = ? WHERE id = ?').run(JSON.stringify(data), id);
  }

  finish(id: number, status: Exclude<SweepStatus, 'running'>, data: SweepData): void {
    const { pid: _pid, ...kept } = data;
    this.db
      .prepare('UPDATE sweeps SET status = ?, ended_at = ?, result = ? WHERE id = ?')
      .run(status, Date.now(), JSON.stringify(kept), id);
  }

  get(id: number): SweepRecord | undefined {
    const row = this.db.prepare<[number], Row>('SELECT * FROM sweeps WHERE id = ?').get(id);
    return row && toRecord(row);
  }

  list(projectId: number, functionId: string, limit = 50): SweepRecord[] {
    return this.db
      .prepare<[number, string, number], Row>(
        'SELECT * FROM sweeps WHERE project_id = ? AND function_id = ? ORDER BY started_at DESC, id DESC LIMIT ?',
      )
      .all(projectId, functionId, limit)
      .map(toRecord);
  }

  /** Links an invocation's history row to its sweep (the invoker does not know about sweeps). */
  tagInvocation(invocationId: string, sweepId: number): void {
    this.db.prepare('UPDATE invocations SET sweep_id = ? WHERE id = ?').run(sweepId, invocationId);
  }

  /** Sweeps left `running` by a process that is gone were cut short. */
  markInterrupted(isAlive: (pid: number) => boolean): number {
    const running = this.db
      .prepare<[], Row>("SELECT * FROM sweeps WHERE status = 'running'")
      .all()
      .map(toRecord)
      .filter((r) => r.data.pid !== process.pid && !(r.data.pid && isAlive(r.data.pid)));
    for (const r of running) {
      const note = 'Lambench stopped before the sweep finished; the figures cover the runs that did.';
      this.finish(r.id, 'interrupted', { ...r.data, note });
    }
    return running.length;
  }
}

function toRecord(row: Row): SweepRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    functionId: row.function_id,
    event: row.event,
    memorySizes: JSON.parse(row.memory_sizes) as number[],
    runsPerSize: row.runs_per_size,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    data: row.result
      ? (JSON.parse(row.result) as SweepData)
      : { architecture: 'x86_64', ephemeralMb: 512, runs: [] },
  };
}
