/**
 * Write-ahead invocation records: a `running` row when an invocation starts, completed when it ends.
 * Writes are queued and flushed together on the next turn of the event loop, so the invoke path never
 * waits on SQLite, and a burst of invocations costs one transaction.
 */
import type { InvocationResult, InvocationStatus } from '../../../shared/types';
import type { Db } from './database';

/** Event and response bodies above this are cut, with a flag; logs have their own cap upstream. */
export const BODY_CAP_BYTES = 256 * 1024;

export interface InvocationStart {
  invocationId: string;
  requestId: string;
  projectId: number | null;
  functionId: string;
  trigger: string;
  event: string;
  startedAt: number;
  memorySizeMb: number;
  architecture: string;
}

export interface InvocationFinish extends InvocationResult {
  gbSeconds: number;
  costUsd: number;
}

type Write = { kind: 'start'; row: InvocationStart } | { kind: 'finish'; row: InvocationFinish };

export class InvocationsRepo {
  private queue: Write[] = [];
  private scheduled = false;
  private readonly insert;
  private readonly complete;
  private readonly saveLogs;
  private readonly flushAll;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO invocations (id, request_id, project_id, function_id, trigger, status, event, event_truncated,
         started_at, memory_size_mb, architecture, pid)
       VALUES (@invocationId, @requestId, @projectId, @functionId, @trigger, 'running', @event, @eventTruncated,
         @startedAt, @memorySizeMb, @architecture, ${process.pid})`,
    );
    this.complete = db.prepare(
      `UPDATE invocations SET status = @status, error_type = @errorType, error_message = @errorMessage,
         response = @response, response_truncated = @responseTruncated, ended_at = @endedAt,
         duration_ms = @durationMs, billed_duration_ms = @billedDurationMs, init_duration_ms = @initDurationMs,
         cold_start = @coldStart, memory_size_mb = @memorySizeMb, max_memory_used_mb = @maxMemoryUsedMb,
         gb_seconds = @gbSeconds, cost_usd = @costUsd, environment_id = @environmentId
       WHERE id = @invocationId`,
    );
    this.saveLogs = db.prepare(
      'INSERT OR REPLACE INTO invocation_logs (invocation_id, text, truncated) VALUES (?, ?, ?)',
    );
    this.flushAll = db.transaction((writes: Write[]) => {
      for (const w of writes) {
        if (w.kind === 'start') this.insert.run({ ...w.row, ...capped('event', w.row.event) });
        else this.writeFinish(w.row);
      }
    });
  }

  begin(row: InvocationStart): void {
    this.enqueue({ kind: 'start', row });
  }

  finish(row: InvocationFinish): void {
    this.enqueue({ kind: 'finish', row });
  }

  /** Writes everything queued now (at shutdown, and by readers that must see their own writes). */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const writes = this.queue;
    this.queue = [];
    this.flushAll(writes);
  }

  /** Rows left `running` by a process that no longer exists were cut short: mark them interrupted. */
  markInterrupted(isAlive: (pid: number) => boolean): number {
    const running = this.db
      .prepare<[], { id: string; pid: number }>("SELECT id, pid FROM invocations WHERE status = 'running'")
      .all();
    const dead = running.filter((r) => r.pid !== process.pid && !isAlive(r.pid));
    const mark = this.db.prepare(
      `UPDATE invocations SET status = 'interrupted', error_type = 'Lambench.Interrupted',
         error_message = 'Lambench stopped before this invocation finished', ended_at = ? WHERE id = ?`,
    );
    this.db.transaction(() => dead.forEach((r) => mark.run(Date.now(), r.id)))();
    return dead.length;
  }

  status(invocationId: string): InvocationStatus | undefined {
    this.flush();
    return this.db
      .prepare<[string], { status: InvocationStatus }>('SELECT status FROM invocations WHERE id = ?')
      .get(invocationId)?.status;
  }

  private enqueue(write: Write): void {
    this.queue.push(write);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private writeFinish(r: InvocationFinish): void {
    this.complete.run({
      invocationId: r.invocationId,
      status: r.status,
      errorType: r.error?.type ?? null,
      errorMessage: r.error?.message ?? null,
      ...capped('response', r.response ?? null),
      endedAt: r.startedAt + Math.round(r.durationMs + (r.initDurationMs ?? 0)),
      durationMs: r.durationMs,
      billedDurationMs: r.billedDurationMs,
      initDurationMs: r.initDurationMs ?? null,
      coldStart: r.coldStart ? 1 : 0,
      memorySizeMb: r.memorySizeMb,
      maxMemoryUsedMb: r.maxMemoryUsedMb,
      gbSeconds: r.gbSeconds,
      costUsd: r.costUsd,
      environmentId: r.environmentId ?? null,
    });
    this.saveLogs.run(r.invocationId, r.logs, r.logsTruncated ? 1 : 0);
  }
}

function capped<K extends string>(key: K, text: string | null) {
  const truncated = text !== null && text.length > BODY_CAP_BYTES;
  return {
    [key]: truncated ? text.slice(0, BODY_CAP_BYTES) : text,
    [`${key}Truncated`]: truncated ? 1 : 0,
  } as Record<K | `${K}Truncated`, string | number | null>;
}
