/**
 * Asynchronous invocation (InvocationType Event), as Lambda does it: the event is stored and accepted at once,
 * then run from the queue through the Invoker, one History row per attempt. A function error is retried
 * twice (about 1 then 2 minutes later), throttles and failed starts wait with backoff and do not count, the
 * template's EventInvokeConfig bounds both, and the outcome goes to OnSuccess/OnFailure or the dead-letter
 * queue, recorded locally.
 */
import { randomUUID } from 'node:crypto';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { DestinationCondition } from '../../../shared/api/async';
import type { InvocationResult } from '../../../shared/types';
import type { EventBus } from '../event-bus';
import { isProcessAlive } from '../process-alive';
import type { ProjectCatalog } from '../projects/catalog';
import type { VersionService } from '../versions/version-service';
import type { LoadedFunction } from '../projects/template';
import type { AsyncEventsRepo, AttemptOutcome, QueuedEvent } from '../store/async-events-repo';
import { checkEventJson, type InvokeRequest, type Invoker } from './invoker';
import type { Pool } from './pool';

/** Lambda's limit for an asynchronous request payload (raised from 256 KB to 1 MB in 2025). */
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

export interface AsyncInvokerOptions {
  /** Delay before the first and the second retry after a function error; Lambda's are about 1 and 2 min. */
  retryDelaysMs?: [number, number];
  /** First wait after a throttle or a failed start, doubled each time up to 300× itself (1 s → 5 min). */
  throttleDelayMs?: number;
  /** How often the queue is read for events other processes (the CLI) queued. */
  pollMs?: number;
}

/** LAMBENCH_ASYNC_RETRY_DELAYS_MS="50,100" and LAMBENCH_ASYNC_THROTTLE_DELAY_MS=20 make tests fast. */
export function asyncOptionsFromEnv(env = process.env): AsyncInvokerOptions {
  const options: AsyncInvokerOptions = {};
  const delays = env.LAMBENCH_ASYNC_RETRY_DELAYS_MS?.split(',').map(Number);
  if (delays?.length === 2 && delays.every((n) => Number.isFinite(n) && n >= 0))
    options.retryDelaysMs = [delays[0], delays[1]];
  const throttle = Number(env.LAMBENCH_ASYNC_THROTTLE_DELAY_MS);
  if (env.LAMBENCH_ASYNC_THROTTLE_DELAY_MS && Number.isFinite(throttle) && throttle >= 0)
    options.throttleDelayMs = throttle;
  return options;
}

export interface AsyncRequest {
  projectId: number;
  functionId: string;
  payload: string;
  trigger: InvokeRequest['trigger'];
  /** What caused it, for an event a trigger queued: the schedule rule or the object key. */
  triggerSource?: string;
  qualifier?: string;
  clientContext?: string;
  /** Chosen by the caller (the Invoke API answers with it); a new uuid otherwise. */
  eventId?: string;
  /** The invocation id of the first attempt, chosen by the caller to match its streamed logs. */
  invocationId?: string;
}

type Context = {
  catalog: ProjectCatalog;
  /** Each attempt runs what the qualifier names at that moment ($LATEST, a version, an alias's pick). */
  versions: Pick<VersionService, 'resolve'>;
  invoker: Invoker;
  pool: Pool;
  events: EventBus;
  images: Record<string, string>;
};

export class AsyncInvoker {
  private readonly retryDelaysMs: [number, number];
  private readonly throttleDelayMs: number;
  private readonly pollMs: number;
  /** Attempts running in this process, by event id, and how many per function. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perFunction = new Map<string, number>();
  /** Reserved concurrency per function, as last seen: the queue does not run more than that at once. */
  private readonly limits = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;
  private pumpQueued = false;
  private readonly waiters = new Map<
    string,
    { resolve: (r: InvocationResult) => void; reject: (e: Error) => void }[]
  >();
  /** An invocation id the caller chose for the first attempt (to match its streamed logs). */
  private readonly firstIds = new Map<string, string>();
  private stopped = true;

  constructor(
    private readonly repo: AsyncEventsRepo,
    private readonly ctx: Context,
    options: AsyncInvokerOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? [60_000, 120_000];
    this.throttleDelayMs = options.throttleDelayMs ?? 1000;
    this.pollMs = options.pollMs ?? 2000;
  }

  /** Resumes what a previous engine left: its running events go back to the queue, due ones run now. */
  start(): void {
    this.stopped = false;
    this.repo.resumeOrphans(isProcessAlive);
    this.poller = setInterval(() => this.pumpSoon(), this.pollMs);
    this.poller.unref();
    this.pumpSoon();
  }

  /** Stops taking events; attempts in flight end (the pool is shutting down) and go back to the queue. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.poller);
    await Promise.allSettled([...this.inFlight.values()]);
    this.repo.releaseOwn();
  }

  /** Checks and stores the event; the caller answers 202 as soon as this returns. */
  enqueue(req: AsyncRequest, fn: LoadedFunction): { eventId: string } {
    if (fn.unsupported)
      throw new WorkbenchError('FunctionNotRunnable', fn.unsupported, { functionId: fn.id });
    const bytes = Buffer.byteLength(req.payload);
    if (bytes > MAX_ASYNC_PAYLOAD_BYTES) {
      throw new WorkbenchError(
        'RequestTooLargeException',
        `Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the InvokeAsync operation (the event is ${bytes} bytes)`,
        { bytes, limit: MAX_ASYNC_PAYLOAD_BYTES },
      );
    }
    checkEventJson(req.payload);
    // Known before the first attempt, so a burst is not sent into the function's throttle.
    this.limits.set(`${req.projectId}/${req.functionId}`, fn.reservedConcurrency ?? Infinity);
    const eventId = req.eventId ?? randomUUID();
    const createdAt = Date.now();
    this.repo.add({ ...req, id: eventId, createdAt });
    if (req.invocationId) this.firstIds.set(eventId, req.invocationId);
    // Built here, not read back: accepting an event is the hot path of a burst.
    this.ctx.events.emit('async:changed', {
      eventId,
      projectId: req.projectId,
      functionId: req.functionId,
      status: 'queued',
      attempts: 0,
      throttles: 0,
      redrives: 0,
      createdAt,
      updatedAt: createdAt,
      nextAttemptAt: createdAt,
    });
    this.pumpSoon();
    return { eventId };
  }

  /**
   * The result of the event's next invocation (its first attempt, or a throttle): the UI and the CLI show it
   * while retries go on in the background. Rejects when the event cannot run at all (its function is gone).
   */
  nextResult(eventId: string): Promise<InvocationResult> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiters.get(eventId) ?? [];
      waiters.push({ resolve, reject });
      this.waiters.set(eventId, waiters);
    });
  }

  /** Something was queued from outside (a redrive): look at the queue now. */
  wake(): void {
    this.pumpSoon();
  }

  private pumpSoon(): void {
    if (this.pumpQueued || this.stopped) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Starts every due event there is room for, then sleeps until the next one is due. */
  private pump(): void {
    if (this.stopped) return;
    const room = this.ctx.pool.settings.globalLimit - this.inFlight.size;
    if (room > 0) {
      for (const due of this.repo.dueAt(Date.now(), room * 4)) {
        if (this.inFlight.size >= this.ctx.pool.settings.globalLimit) break;
        const key = `${due.project_id}/${due.function_id}`;
        const busy = this.perFunction.get(key) ?? 0;
        if (busy >= (this.limits.get(key) ?? Infinity) || this.inFlight.has(due.id)) continue;
        if (!this.repo.claim(due.id)) continue;
        const row = this.repo.row(due.id);
        if (!row) continue;
        this.perFunction.set(key, busy + 1);
        const run = this.attempt(row)
          .catch((error) => console.error(`lambench: async event ${row.id}: ${(error as Error).message}`))
          .finally(() => {
            this.inFlight.delete(row.id);
            this.perFunction.set(key, (this.perFunction.get(key) ?? 1) - 1);
            this.pumpSoon();
          });
        this.inFlight.set(row.id, run);
      }
    }
    clearTimeout(this.timer);
    const next = this.repo.nextDueAt();
    if (next !== undefined) {
      this.timer = setTimeout(() => this.pump(), Math.min(Math.max(0, next - Date.now()), this.pollMs));
      this.timer.unref();
    }
  }

  private async attempt(row: QueuedEvent): Promise<void> {
    const attempt = row.attempts + 1;
    let fn: LoadedFunction;
    let result: InvocationResult;
    try {
      const found = await this.ctx.versions.resolve(
        row.project_id!,
        row.function_id,
        row.qualifier ?? undefined,
      );
      // EventInvokeConfig is the template's whichever version runs (SAM applies it to the AutoPublishAlias).
      const latest =
        found.executedVersion === '$LATEST'
          ? found.fn
          : await this.ctx.catalog.find(row.project_id!, row.function_id).catch(() => found.fn);
      fn = { ...found.fn, asyncConfig: latest.asyncConfig };
      this.limits.set(`${row.project_id}/${row.function_id}`, fn.reservedConcurrency ?? Infinity);
      const invocationId = this.firstIds.get(row.id);
      this.firstIds.delete(row.id);
      result = await this.ctx.invoker.invoke({
        ...(invocationId ? { invocationId } : {}),
        projectId: row.project_id!,
        ...found,
        payload: row.payload,
        trigger: row.trigger as InvokeRequest['trigger'],
        ...(row.trigger_source === null ? {} : { triggerSource: row.trigger_source }),
        image: this.ctx.images[fn.runtime] ?? '',
        invocationType: 'Event',
        attempt,
        asyncEventId: row.id,
        requestId: row.id,
        ...(row.client_context ? { clientContext: row.client_context } : {}),
      });
    } catch (error) {
      // The function is gone or cannot run: no attempt can succeed, so the event fails now.
      const e = error as Error;
      this.repo.close(row.id, row.attempts, {
        invocationId: '',
        status: 'error',
        errorType: e.name,
        errorMessage: e.message,
        condition: 'RetriesExhausted',
      });
      this.changed(row.id);
      this.settleWaiters(row.id, (w) => w.reject(e));
      return;
    }
    this.decide(row, fn, attempt, result);
    this.changed(row.id);
    this.settleWaiters(row.id, (w) => w.resolve(result));
  }

  private settleWaiters(
    eventId: string,
    settle: (w: { resolve: (r: InvocationResult) => void; reject: (e: Error) => void }) => void,
  ): void {
    const waiters = this.waiters.get(eventId);
    this.waiters.delete(eventId);
    waiters?.forEach(settle);
  }

  private decide(row: QueuedEvent, fn: LoadedFunction, attempt: number, r: InvocationResult): void {
    const outcome: AttemptOutcome = {
      invocationId: r.invocationId,
      status: r.status,
      errorType: r.error?.type,
      errorMessage: r.error?.message,
    };
    const now = Date.now();
    const { maximumRetryAttempts, maximumEventAgeSeconds } = fn.asyncConfig;
    const expiresAt = row.createdAt + maximumEventAgeSeconds * 1000;
    // Lambda never ran the code (a throttle, an environment that could not start), or the engine is closing.
    const notRun = r.status === 'throttled' || (r.status === 'error' && r.response === undefined);
    if (this.stopped && (notRun || r.status === 'error')) {
      this.repo.retryAt(row.id, now, row.attempts, row.throttles, outcome);
      return;
    }
    if (r.status === 'success') return this.finish(row, fn, attempt, r, 'Success');
    if (notRun) {
      const delay = Math.min(this.throttleDelayMs * 2 ** row.throttles, this.throttleDelayMs * 300);
      if (now + delay > expiresAt) return this.finish(row, fn, row.attempts, r, 'EventAgeExceeded');
      this.repo.retryAt(row.id, now + delay, row.attempts, row.throttles + 1, outcome);
      return;
    }
    if (attempt > maximumRetryAttempts) return this.finish(row, fn, attempt, r, 'RetriesExhausted');
    const delay = this.retryDelaysMs[attempt - 1] ?? this.retryDelaysMs[1];
    if (now + delay > expiresAt) return this.finish(row, fn, attempt, r, 'EventAgeExceeded');
    this.repo.retryAt(row.id, now + delay, attempt, row.throttles, outcome);
  }

  private finish(
    row: QueuedEvent,
    fn: LoadedFunction,
    attempts: number,
    r: InvocationResult,
    condition: DestinationCondition,
  ): void {
    const { onSuccess, onFailure, deadLetter } = fn.asyncConfig;
    const success = condition === 'Success';
    const target = success ? onSuccess : (onFailure ?? deadLetter);
    const destinationType = success
      ? onSuccess && 'OnSuccess'
      : onFailure
        ? 'OnFailure'
        : deadLetter
          ? 'DeadLetterQueue'
          : undefined;
    // The record is kept for every failed event (the Dead letters view), and for a success with OnSuccess.
    const destination =
      success && !onSuccess
        ? undefined
        : destinationType === 'DeadLetterQueue'
          ? deadLetterMessage(row, r)
          : destinationRecord(row, fn, attempts, r, condition);
    this.repo.close(row.id, attempts, {
      invocationId: r.invocationId,
      status: r.status,
      errorType: r.error?.type,
      errorMessage: r.error?.message,
      condition,
      destinationType,
      destinationTarget: target?.target,
      destination,
    });
  }

  private changed(eventId: string): void {
    const summary = this.repo.summary(eventId);
    if (summary) this.ctx.events.emit('async:changed', summary);
  }
}

/** Lambda's destination record: what OnSuccess / OnFailure targets receive. */
function destinationRecord(
  row: QueuedEvent,
  fn: LoadedFunction,
  attempts: number,
  r: InvocationResult,
  condition: DestinationCondition,
): string {
  const ran = r.status !== 'throttled' && r.response !== undefined;
  return JSON.stringify({
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: row.id,
      functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${fn.functionName}:${r.executedVersion ?? '$LATEST'}`,
      condition,
      approximateInvokeCount: Math.max(attempts, 1),
    },
    requestPayload: parseOr(row.payload),
    ...(ran
      ? {
          responseContext: {
            statusCode: 200,
            executedVersion: r.executedVersion ?? '$LATEST',
            ...(r.status === 'success' ? {} : { functionError: 'Unhandled' }),
          },
          responsePayload: parseOr(r.response ?? 'null'),
        }
      : {}),
  });
}

/** What an SQS/SNS dead-letter queue receives: the event itself, with Lambda's message attributes. */
function deadLetterMessage(row: QueuedEvent, r: InvocationResult): string {
  return JSON.stringify({
    body: row.payload,
    messageAttributes: {
      RequestID: row.id,
      ErrorCode: '200',
      ErrorMessage: r.error ? `${r.error.type}: ${r.error.message}` : r.status,
    },
  });
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
