/**
 * Write-ahead invocation records: a `running` row when an invocation starts, completed when it ends.
 * Writes are queued and flushed together FLUSH_DELAY_MS later, so the invoke path never waits on SQLite:
 * a busy engine writes one transaction per few invocations, and a start and finish that fall in the same
 * batch become one INSERT. Readers flush first, so they always see what they were told about.
 */
import type { InvocationResult, InvocationStatus } from '../../../shared/types';
import type { Db } from './database';

/** Event and response bodies above this are cut, with a flag; logs have their own cap upstream. */
export const BODY_CAP_BYTES = 256 * 1024;
const MAX_PENDING_WRITES = 20_000;
const RETRY_MS = 2000;
/**
 * How long a write may wait for company. A commit per start and per finish cost a warm invoke a third of
 * its latency (the commit runs while the runtime's answer waits); 5 ms keeps the write-ahead window short.
 */
const FLUSH_DELAY_MS = 5;

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
  /** The memory sweep this run belongs to. */
  sweepId?: number;
  /** $LATEST when absent. */
  qualifier?: string;
  executedVersion?: string;
  /** What caused a triggered invocation: the route, the schedule rule or the object key. */
  triggerSource?: string;
  /** Absent means RequestResponse; an async event's attempts are 'Event', numbered from 1. */
  invocationType?: string;
  attempt?: number;
  asyncEventId?: string;
}

/** What the store keeps of a result (the count of streamed lines only matters live). */
export interface InvocationFinish extends Omit<InvocationResult, 'logLines'> {
  gbSeconds: number;
  costUsd: number;
  /** Container (or process) create + start, on a cold start: the first bar of the phase timeline. */
  containerStartMs?: number;
  /**
   * Of containerStartMs: the container create and its start (Docker), stored as JSON in `phases`; for a
   * spare taken, both 0 and the runtime boot it did ahead (part of Init Duration, not of this invoke's wait).
   */
  startPhases?: { createMs: number; startMs: number; spareBootMs?: number };
}

type Write = { kind: 'start'; row: InvocationStart } | { kind: 'finish'; row: InvocationFinish };

export class InvocationsRepo {
  private queue: Write[] = [];
  /** The pending batch flush; a reader's flush takes its writes and cancels it. */
  private batchTimer: NodeJS.Timeout | undefined;
  private failure: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private dropped = 0;
  private readonly insert;
  private readonly complete;
  private readonly saveLogs;
  private readonly insertFinished;
  private readonly flushAll;

  constructor(private readonly db: Db) {
    // Positional parameters: binding ~30 named ones from an object costs more than the insert itself.
    const marks = (n: number) => Array(n).fill('?').join(', ');
    this.insert = db.prepare(
      `INSERT INTO invocations (${START_COLUMNS.join(', ')}, status, pid)
       VALUES (${marks(START_COLUMNS.length)}, 'running', ${process.pid})`,
    );
    this.complete = db.prepare(
      `UPDATE invocations SET ${FINISH_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`,
    );
    this.saveLogs = db.prepare(
      'INSERT OR REPLACE INTO invocation_logs (invocation_id, text, truncated) VALUES (?, ?, ?)',
    );
    this.insertFinished = db.prepare(
      `INSERT INTO invocations (${START_COLUMNS.join(', ')}, ${FINISH_COLUMNS.join(', ')}, pid)
       VALUES (${marks(START_COLUMNS.length + FINISH_COLUMNS.length)}, ${process.pid})`,
    );
    this.flushAll = db.transaction((writes: Write[]) => {
      // An invocation that began and ended within one batch (a burst, a throttle) is written once, complete.
      const finishes = new Map<string, InvocationFinish>();
      for (const w of writes) if (w.kind === 'finish') finishes.set(w.row.invocationId, w.row);
      const writtenWhole = new Set<string>();
      for (const w of writes) {
        if (w.kind === 'start') {
          const done = finishes.get(w.row.invocationId);
          if (done) {
            this.insertFinished.run(finishValues(done, startValues(w.row)));
            this.saveLogs.run(done.invocationId, done.logs, done.logsTruncated ? 1 : 0);
            writtenWhole.add(done.invocationId);
          } else this.insert.run(startValues(w.row));
        } else if (!writtenWhole.has(w.row.invocationId)) this.writeFinish(w.row);
      }
    });
  }

  begin(row: InvocationStart): void {
    this.enqueue({ kind: 'start', row });
  }

  finish(row: InvocationFinish): void {
    this.enqueue({ kind: 'finish', row });
  }

  /**
   * Writes everything queued now (at shutdown, and by readers that must see their own writes). Never throws:
   * a busy, full or read-only database keeps the writes queued and retries; a write SQLite rejects outright
   * is dropped alone so it cannot block the others. While a retry is pending only `force` (shutdown) tries
   * before it: each try may wait out the busy timeout, which would stall every invoke and read.
   */
  flush(force = false): void {
    if (this.failure && this.retryTimer && !force) return;
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.queue.length === 0) return;
    const writes = this.queue;
    this.queue = [];
    try {
      this.flushAll(writes);
      this.failure = undefined;
    } catch (error) {
      if (isTransient(error)) this.keepForRetry(writes, error as Error);
      else this.flushOneByOne(writes);
    }
  }

  /** Why the last writes could not be saved, while they wait for a retry; undefined when all is written. */
  get writeError(): string | undefined {
    return this.failure;
  }

  /** Writes waiting for the database. */
  get pending(): number {
    return this.queue.length;
  }

  private keepForRetry(writes: Write[], error: Error): void {
    const all = writes.concat(this.queue);
    // Beyond this, the oldest waiting writes go: memory must not grow without bound while the disk is full.
    const dropped = Math.max(0, all.length - MAX_PENDING_WRITES);
    this.queue = all.slice(dropped);
    this.dropped += dropped;
    this.failure =
      `History could not be saved (${error.message}); ${this.queue.length} write(s) wait and are retried` +
      (this.dropped ? `, ${this.dropped} dropped` : '');
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.flush();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  private flushOneByOne(writes: Write[]): void {
    for (const [i, w] of writes.entries()) {
      try {
        this.flushAll([w]);
      } catch (error) {
        if (isTransient(error)) return this.keepForRetry(writes.slice(i), error as Error);
        console.error(
          `lambench: dropped a History write for ${w.row.invocationId}: ${(error as Error).message}`,
        );
      }
    }
    this.failure = undefined;
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
    // After a failure the retry timer writes the queue; a flush per invoke would only fail again.
    if (this.batchTimer || this.failure) return;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = undefined;
      this.flush();
    }, FLUSH_DELAY_MS);
  }

  private writeFinish(r: InvocationFinish): void {
    // The row is gone if History was cleared while the invocation ran: its logs have nothing to belong to.
    if (this.complete.run(finishValues(r, []), r.invocationId).changes === 0) return;
    this.saveLogs.run(r.invocationId, r.logs, r.logsTruncated ? 1 : 0);
  }
}

const START_COLUMNS = [
  'id',
  'request_id',
  'project_id',
  'function_id',
  'trigger',
  'event',
  'event_truncated',
  'started_at',
  'architecture',
  'sweep_id',
  'memory_size_mb',
  'qualifier',
  'executed_version',
  'trigger_source',
  'invocation_type',
  'attempt',
  'async_event_id',
] as const;

const FINISH_COLUMNS = [
  'status',
  'error_type',
  'error_message',
  'response',
  'response_truncated',
  'ended_at',
  'duration_ms',
  'billed_duration_ms',
  'init_duration_ms',
  'cold_start',
  'max_memory_used_mb',
  'gb_seconds',
  'cost_usd',
  'environment_id',
  'container_start_ms',
  'memory_size_mb',
  'phases',
] as const;

type Value = string | number | null;

/** Values in START_COLUMNS order. */
function startValues(r: InvocationStart): Value[] {
  const [event, eventTruncated] = capped(r.event);
  return [
    r.invocationId,
    r.requestId,
    r.projectId,
    r.functionId,
    r.trigger,
    event,
    eventTruncated,
    r.startedAt,
    r.architecture,
    r.sweepId ?? null,
    r.memorySizeMb,
    r.qualifier ?? '$LATEST',
    r.executedVersion ?? '$LATEST',
    r.triggerSource ?? null,
    r.invocationType ?? 'RequestResponse',
    r.attempt ?? null,
    r.asyncEventId ?? null,
  ];
}

/** Values in FINISH_COLUMNS order, appended to `into` (one array per row: this runs a million times). */
function finishValues(r: InvocationFinish, into: Value[]): Value[] {
  const [response, responseTruncated] = capped(r.response ?? null);
  into.push(
    r.status,
    r.error?.type ?? null,
    r.error?.message ?? null,
    response,
    responseTruncated,
    r.startedAt + Math.round((r.containerStartMs ?? 0) + (r.initDurationMs ?? 0) + r.durationMs),
    r.durationMs,
    r.billedDurationMs,
    r.initDurationMs ?? null,
    r.coldStart ? 1 : 0,
    r.maxMemoryUsedMb,
    r.gbSeconds,
    r.costUsd,
    r.environmentId ?? null,
    r.containerStartMs ?? null,
    r.memorySizeMb,
    r.startPhases ? JSON.stringify(r.startPhases) : null,
  );
  return into;
}

/** Errors that go away by themselves (another writer finishes, space is freed): worth a retry. */
function isTransient(error: unknown): boolean {
  const code = String((error as { code?: unknown }).code ?? '');
  return /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|PROTOCOL)/.test(code);
}

function capped(text: string | null): [string | null, number] {
  const truncated = text !== null && text.length > BODY_CAP_BYTES;
  return [truncated ? text.slice(0, BODY_CAP_BYTES) : text, truncated ? 1 : 0];
}
