/**
 * The asynchronous event queue in SQLite: an event is written before its 202 is sent, claimed by one engine
 * (a conditional UPDATE, so two processes on one home never run it twice), and kept with its outcome.
 */
import type {
  AsyncAttempt,
  AsyncEventDetail,
  AsyncEventStatus,
  AsyncEventSummary,
  DestinationCondition,
} from '../../../shared/api/async';
import type { InvocationStatus } from '../../../shared/types';
import type { Db } from './database';
import { StatementCache } from './statement-cache';

export interface NewAsyncEvent {
  id: string;
  projectId: number;
  functionId: string;
  qualifier?: string;
  trigger: string;
  triggerSource?: string;
  payload: string;
  clientContext?: string;
  createdAt: number;
}

interface EventRow {
  id: string;
  project_id: number | null;
  function_id: string;
  qualifier: string | null;
  trigger: string;
  trigger_source: string | null;
  payload: string;
  client_context: string | null;
  status: AsyncEventStatus;
  attempts: number;
  throttles: number;
  redrives: number;
  created_at: number;
  updated_at: number;
  next_attempt_at: number;
  owner_pid: number | null;
  last_invocation_id: string | null;
  last_status: Exclude<InvocationStatus, 'running'> | null;
  last_error_type: string | null;
  last_error_message: string | null;
  condition: DestinationCondition | null;
  destination_type: AsyncEventSummary['destinationType'] | null;
  destination_target: string | null;
  destination: string | null;
}

/** What the queue needs to run an event. */
export type QueuedEvent = Pick<
  EventRow,
  | 'id'
  | 'project_id'
  | 'function_id'
  | 'qualifier'
  | 'trigger'
  | 'trigger_source'
  | 'payload'
  | 'client_context'
> & { attempts: number; throttles: number; createdAt: number };

export type DueEvent = Pick<EventRow, 'id' | 'project_id' | 'function_id'>;

export interface AttemptOutcome {
  invocationId: string;
  status: Exclude<InvocationStatus, 'running'>;
  errorType?: string;
  errorMessage?: string;
}

export interface Finished extends AttemptOutcome {
  status: Exclude<InvocationStatus, 'running'>;
  condition: DestinationCondition;
  destinationType?: AsyncEventSummary['destinationType'];
  destinationTarget?: string;
  destination?: string;
}

export class AsyncEventsRepo {
  private readonly statements;
  private readonly insert;
  private readonly due;
  private readonly nextDue;
  private readonly claimOne;
  private readonly requeue;
  private readonly finish;
  private readonly one;
  private readonly attemptsOf;

  /** `beforeRead` flushes queued History writes, so an event's attempts include its last one. */
  constructor(
    private readonly db: Db,
    private readonly beforeRead: () => void = () => {},
  ) {
    this.statements = new StatementCache(db);
    this.insert = db.prepare(
      `INSERT INTO async_events (id, project_id, function_id, qualifier, trigger, trigger_source, payload,
         client_context, status, created_at, updated_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
    );
    this.due = db.prepare<[number, number], DueEvent>(
      `SELECT id, project_id, function_id FROM async_events INDEXED BY async_events_due
       WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`,
    );
    this.nextDue = db
      .prepare<[], number | null>(
        "SELECT min(next_attempt_at) FROM async_events INDEXED BY async_events_due WHERE status = 'queued'",
      )
      .pluck();
    this.claimOne = db.prepare<[number, number, string]>(
      `UPDATE async_events SET status = 'running', owner_pid = ?, updated_at = ?
       WHERE id = ? AND status = 'queued'`,
    );
    this.requeue = db.prepare(
      `UPDATE async_events SET status = 'queued', attempts = ?, throttles = ?, next_attempt_at = ?,
         updated_at = ?, owner_pid = NULL, last_invocation_id = ?, last_status = ?, last_error_type = ?,
         last_error_message = ?
       WHERE id = ?`,
    );
    this.finish = db.prepare(
      `UPDATE async_events SET status = ?, attempts = ?, updated_at = ?, owner_pid = NULL,
         last_invocation_id = ?, last_status = ?, last_error_type = ?, last_error_message = ?,
         condition = ?, destination_type = ?, destination_target = ?, destination = ?
       WHERE id = ?`,
    );
    this.one = db.prepare<[string], EventRow>('SELECT * FROM async_events WHERE id = ?');
    this.attemptsOf = db.prepare<
      [string],
      {
        id: string;
        attempt: number | null;
        status: InvocationStatus;
        started_at: number;
        duration_ms: number | null;
        error_type: string | null;
        error_message: string | null;
      }
    >(
      `SELECT id, attempt, status, started_at, duration_ms, error_type, error_message FROM invocations
       INDEXED BY invocations_by_async_event WHERE async_event_id = ? ORDER BY started_at, attempt`,
    );
  }

  add(e: NewAsyncEvent): void {
    this.insert.run(
      e.id,
      e.projectId,
      e.functionId,
      e.qualifier ?? null,
      e.trigger,
      e.triggerSource ?? null,
      e.payload,
      e.clientContext ?? null,
      e.createdAt,
      e.createdAt,
      e.createdAt,
    );
  }

  /** Due events, oldest due first: just what picking them needs (the payload is read once claimed). */
  dueAt(now: number, limit: number): DueEvent[] {
    return this.due.all(now, limit);
  }

  /** When the earliest queued event is due, or undefined when none waits. */
  nextDueAt(): number | undefined {
    return this.nextDue.get() ?? undefined;
  }

  /** Takes a queued event for this process; false when another engine took it first. */
  claim(id: string): boolean {
    return this.claimOne.run(process.pid, Date.now(), id).changes === 1;
  }

  /** Back in the queue for another try at `at`. */
  retryAt(id: string, at: number, attempts: number, throttles: number, last: AttemptOutcome): void {
    this.requeue.run(
      attempts,
      throttles,
      at,
      Date.now(),
      last.invocationId,
      last.status,
      last.errorType ?? null,
      last.errorMessage ?? null,
      id,
    );
  }

  /** Done for good: succeeded, or failed with its dead-letter / destination record. */
  close(id: string, attempts: number, f: Finished): void {
    this.finish.run(
      f.condition === 'Success' ? 'succeeded' : 'failed',
      attempts,
      Date.now(),
      f.invocationId,
      f.status,
      f.errorType ?? null,
      f.errorMessage ?? null,
      f.condition,
      f.destinationType ?? null,
      f.destinationTarget ?? null,
      f.destination ?? null,
      id,
    );
  }

  /** Events claimed by processes that are gone (a crash, a restart mid-attempt) go back to the queue. */
  resumeOrphans(isAlive: (pid: number) => boolean): number {
    const running = this.db
      .prepare<[], { id: string; owner_pid: number | null }>(
        "SELECT id, owner_pid FROM async_events WHERE status = 'running'",
      )
      .all();
    const orphans = running.filter(
      (r) => r.owner_pid === null || (r.owner_pid !== process.pid && !isAlive(r.owner_pid)),
    );
    const back = this.db.prepare(
      "UPDATE async_events SET status = 'queued', owner_pid = NULL, next_attempt_at = ? WHERE id = ?",
    );
    this.db.transaction(() => orphans.forEach((r) => back.run(Date.now(), r.id)))();
    return orphans.length;
  }

  /** At shutdown: this process's running events go back to the queue for the next engine. */
  releaseOwn(): void {
    this.db
      .prepare(
        "UPDATE async_events SET status = 'queued', owner_pid = NULL WHERE status = 'running' AND owner_pid = ?",
      )
      .run(process.pid);
  }

  list(filter: {
    projectId?: number;
    functionId?: string;
    status?: AsyncEventStatus[];
    limit: number;
  }): AsyncEventSummary[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.projectId !== undefined) {
      where.push('project_id = ?');
      params.push(filter.projectId);
    }
    if (filter.functionId !== undefined) {
      where.push('function_id = ?');
      params.push(filter.functionId);
    }
    if (filter.status) {
      where.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
      params.push(...filter.status);
    }
    const sql =
      `SELECT * FROM async_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      'ORDER BY updated_at DESC, id DESC LIMIT ?';
    return this.statements
      .get<EventRow>(sql)
      .all(...params, filter.limit)
      .map(toSummary);
  }

  /** The event without its payload and attempts: what `async:changed` carries. */
  summary(id: string): AsyncEventSummary | undefined {
    const row = this.one.get(id);
    return row && toSummary(row);
  }

  get(id: string): AsyncEventDetail | undefined {
    this.beforeRead();
    const row = this.one.get(id);
    if (!row) return undefined;
    const attemptsRun: AsyncAttempt[] = this.attemptsOf.all(id).map((a) => ({
      invocationId: a.id,
      attempt: a.attempt,
      status: a.status,
      startedAt: a.started_at,
      ...(a.duration_ms === null ? {} : { durationMs: a.duration_ms }),
      ...(a.error_type === null ? {} : { errorType: a.error_type }),
      ...(a.error_message === null ? {} : { errorMessage: a.error_message }),
    }));
    return {
      ...toSummary(row),
      payload: row.payload,
      attemptsRun,
      ...(row.destination === null ? {} : { destination: row.destination }),
    };
  }

  /** The raw row, for the queue (qualifier, client context). */
  row(id: string): QueuedEvent | undefined {
    const r = this.one.get(id);
    return r && { ...r, createdAt: r.created_at };
  }

  /** A failed event, queued afresh: its attempts and its age start over. */
  redrive(id: string): boolean {
    const now = Date.now();
    return (
      this.db
        .prepare(
          `UPDATE async_events SET status = 'queued', attempts = 0, throttles = 0, redrives = redrives + 1,
             created_at = ?, updated_at = ?, next_attempt_at = ?, condition = NULL, destination_type = NULL,
             destination_target = NULL, destination = NULL
           WHERE id = ? AND status = 'failed'`,
        )
        .run(now, now, now, id).changes === 1
    );
  }

  /** Deletes a finished (or queued) event; a running one stays until its attempt ends. */
  delete(id: string): boolean {
    return (
      this.db.prepare("DELETE FROM async_events WHERE id = ? AND status != 'running'").run(id).changes === 1
    );
  }
}

function toSummary(r: EventRow): AsyncEventSummary {
  return {
    eventId: r.id,
    projectId: r.project_id,
    functionId: r.function_id,
    status: r.status,
    attempts: r.attempts,
    throttles: r.throttles,
    redrives: r.redrives,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.status === 'queued' ? { nextAttemptAt: r.next_attempt_at } : {}),
    ...(r.last_invocation_id === null ? {} : { lastInvocationId: r.last_invocation_id }),
    ...(r.last_status === null ? {} : { lastStatus: r.last_status }),
    ...(r.last_error_type === null ? {} : { lastErrorType: r.last_error_type }),
    ...(r.last_error_message === null ? {} : { lastErrorMessage: r.last_error_message }),
    ...(r.destination_type === null ? {} : { destinationType: r.destination_type }),
    ...(r.destination_target === null ? {} : { destinationTarget: r.destination_target }),
    ...(r.condition === null ? {} : { condition: r.condition }),
  };
}
