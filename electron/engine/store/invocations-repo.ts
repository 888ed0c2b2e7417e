/**
 * Write-ahead invocation records: a `running` row when an invocation starts, completed when it ends.
 * Writes are queued and flushed together FLUSH_DELAY_MS later, so the invoke path never waits on SQLite:
 * a busy engine writes one transaction per few invocations, and a start and finish that fall in the same
 * batch become one INSERT. Readers flush first, so they always see what they were told about.
 */
import type { InvocationResult, InvocationStatus } from '../../../shared/types';
import type { Db } from './database';
import { DurationHistogram } from './duration-histogram';

/** Event and response bodies above this are cut, with a flag; logs have their own cap upstream. */
export const BODY_CAP_BYTES = 256 * 1024;
const MAX_PENDING_WRITES = 20_000;
const RETRY_MS = 2000;
/**
 * How long a write may wait for company. A commit per start and per finish cost a warm invoke a third of
 * its latency (the commit runs while the runtime's answer waits); 5 ms keeps the write-ahead window short.
 */
const FLUSH_DELAY_MS = 5;
/**
 * New rows fold into the duration histograms every this many writes (a start and a finish each): folds of a
 * few thousand rows cost about half of one fold of a million (a sort that spills to disk), and no first read
 * waits for a whole history's fold.
 */
const FOLD_EVERY_WRITES = 10_000;

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
  private readonly insertFinished;
  private readonly flushAll;
  private readonly histogram;
  private unfolded = 0;

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
    this.insertFinished = db.prepare(
      `INSERT INTO invocations (${START_COLUMNS.join(', ')}, ${FINISH_COLUMNS.join(', ')}, pid)
       VALUES (${marks(START_COLUMNS.length + FINISH_COLUMNS.length)}, ${process.pid})`,
    );
    this.histogram = new DurationHistogram(db);
    // One array per statement, refilled for every row (the statements copy the values): a million rows make
    // no garbage here. Emptied after each batch, so an idle engine holds no copy of a 10 MB log.
    const startRow: Value[] = Array(START_COLUMNS.length).fill(null);
    const wholeRow: Value[] = Array(START_COLUMNS.length + FINISH_COLUMNS.length).fill(null);
    const finishRow: Value[] = Array(FINISH_COLUMNS.length + 1).fill(null);
    const writeAll = db.transaction((writes: Write[]) => {
      // An invocation that began and ended within one batch (a burst, a throttle) is written once, complete:
      // its finish is taken (set to null) when its start is written.
      const finishes = new Map<string, InvocationFinish | null>();
      for (const w of writes) if (w.kind === 'finish') finishes.set(w.row.invocationId, w.row);
      for (const w of writes) {
        const id = w.row.invocationId;
        if (w.kind === 'start') {
          const done = finishes.get(id);
          if (done) {
            fillStart(w.row, wholeRow);
            fillFinish(done, wholeRow, START_COLUMNS.length);
            this.insertFinished.run(wholeRow);
            finishes.set(id, null);
          } else this.insert.run(fillStart(w.row, startRow));
        } else if (finishes.get(id) !== null) {
          // No row if History was cleared while the invocation ran: the finish has nothing to complete.
          fillFinish(w.row, finishRow);
          finishRow[FINISH_COLUMNS.length] = id;
          this.complete.run(finishRow);
        }
      }
    });
    this.flushAll = (writes: Write[]) => {
      try {
        writeAll(writes);
      } finally {
        for (const row of [startRow, wholeRow, finishRow]) row.fill(null);
      }
    };
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
      this.unfolded += writes.length;
      if (this.unfolded >= FOLD_EVERY_WRITES) {
        this.unfolded = 0;
        this.histogram.update();
      }
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
  'logs',
  'logs_truncated',
] as const;

type Value = string | number | null;

/** Puts the values in START_COLUMNS order into `into`. */
function fillStart(r: InvocationStart, into: Value[]): Value[] {
  into[0] = r.invocationId;
  into[1] = r.requestId;
  into[2] = r.projectId;
  into[3] = r.functionId;
  into[4] = r.trigger;
  into[5] = capped(r.event);
  into[6] = r.event.length > BODY_CAP_BYTES ? 1 : 0;
  into[7] = r.startedAt;
  into[8] = r.architecture;
  into[9] = r.sweepId ?? null;
  into[10] = r.memorySizeMb;
  into[11] = r.qualifier ?? '$LATEST';
  into[12] = r.executedVersion ?? '$LATEST';
  into[13] = r.triggerSource ?? null;
  into[14] = r.invocationType ?? 'RequestResponse';
  into[15] = r.attempt ?? null;
  into[16] = r.asyncEventId ?? null;
  return into;
}

/** Puts the values in FINISH_COLUMNS order into `into` from index `at`. */
function fillFinish(r: InvocationFinish, into: Value[], at = 0): Value[] {
  const response = r.response ?? null;
  into[at] = r.status;
  into[at + 1] = r.error?.type ?? null;
  into[at + 2] = r.error?.message ?? null;
  into[at + 3] = response === null ? null : capped(response);
  into[at + 4] = response !== null && response.length > BODY_CAP_BYTES ? 1 : 0;
  into[at + 5] = r.startedAt + Math.round((r.containerStartMs ?? 0) + (r.initDurationMs ?? 0) + r.durationMs);
  into[at + 6] = r.durationMs;
  into[at + 7] = r.billedDurationMs;
  into[at + 8] = r.initDurationMs ?? null;
  into[at + 9] = r.coldStart ? 1 : 0;
  into[at + 10] = r.maxMemoryUsedMb;
  into[at + 11] = r.gbSeconds;
  into[at + 12] = r.costUsd;
  into[at + 13] = r.environmentId ?? null;
  into[at + 14] = r.containerStartMs ?? null;
  into[at + 15] = r.memorySizeMb;
  into[at + 16] = r.startPhases ? JSON.stringify(r.startPhases) : null;
  into[at + 17] = r.logs;
  into[at + 18] = r.logsTruncated ? 1 : 0;
  return into;
}

/** Errors that go away by themselves (another writer finishes, space is freed): worth a retry. */
function isTransient(error: unknown): boolean {
  const code = String((error as { code?: unknown }).code ?? '');
  return /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|PROTOCOL)/.test(code);
}

/** The text, or its first BODY_CAP_BYTES. */
function capped(text: string): string {
  return text.length > BODY_CAP_BYTES ? text.slice(0, BODY_CAP_BYTES) : text;
}
