/**
 * Invocations started from this window (and any others the engine reports), kept per function across tab and page
 * changes. Log lines live in a plain array with a reactive count: a reactive array of 100k strings would make
 * every streamed line cost a proxy write.
 */
import type {
  FunctionInfo,
  InvocationFinished,
  InvocationResult,
  InvocationType,
} from '../../../shared/types';
import { api } from './api';
import { newInvocationId } from '../../../shared/invocation-id';

export type RunStatus = 'running' | InvocationResult['status'] | 'failed';

/** Enough to compare recent runs; older ones are in History. */
const KEEP_PER_FUNCTION = 25;

export class InvocationRun {
  /** Appended to in place as lines stream (the count moves); replaced whole when completed from History. */
  lines = $state.raw<string[]>([]);
  status = $state<RunStatus>('running');
  requestId = $state('');
  startedAt = $state(Date.now());
  result = $state.raw<InvocationFinished | undefined>();
  /** The engine refused or failed the call itself (as opposed to the function failing). */
  failure = $state.raw<{ name: string; message: string } | undefined>();
  lineCount = $state(0);
  stopping = $state(false);
  /** A streamed response so far (awslambda.streamifyResponse), while the invocation runs. */
  streamed = $state('');
  /** An async event's attempt, known from the start for attempts the engine began itself (retries). */
  attempt = $state<number | undefined>();

  constructor(
    readonly id: string,
    readonly projectId: number,
    readonly functionId: string,
    /** The function's configuration when it was invoked: costs use it, even after a later edit. */
    readonly config: FunctionInfo | undefined,
    readonly eventName: string,
    /** What Invoke named: $LATEST, a version or an alias. */
    readonly qualifier = '$LATEST',
    /** Asked for asynchronously: the card shows the event's first attempt; retries arrive as cards of their own. */
    readonly invocationType: InvocationType = 'RequestResponse',
  ) {}

  /**
   * A streamed batch lands in the plain array at once; the count the UI watches moves at most once a frame.
   * The engine caps a batch at 1,000 lines, far below the argument limit of a spread.
   */
  push(lines: string[]): void {
    this.lines.push(...lines);
    scheduleCount(this);
  }

  finish(result: InvocationFinished): void {
    // A log that streamed in part (this window opened mid-run) is completed from History.
    if (this.lines.length < result.logLines) void this.completeLogs();
    this.lineCount = this.lines.length;
    this.requestId = result.requestId;
    this.result = result;
    this.status = result.status;
    this.stopping = false;
  }

  private async completeLogs(): Promise<void> {
    const recorded = (await api.call('history:get', { invocationId: this.id })).logs.split('\n');
    if (recorded.length <= this.lines.length) return;
    // A new array, not the old one refilled: rows already on screen show what the array held when drawn.
    this.lines = recorded;
    this.lineCount = recorded.length;
  }
}

export const runs = $state<InvocationRun[]>([]);
/** Lookup for streamed events, outside reactivity: a flood of log lines must not walk a proxied array. */
const byId: Record<string, InvocationRun> = {};

/** Runs with lines not yet counted; a handful at most. */
const dirty: InvocationRun[] = [];
let pending = 0;
let lastFlush = 0;
/**
 * A log flood arrives as many batches a second. The count (and so the log pane's layout and paint) moves on
 * the next frame, but at most every COUNT_EVERY_MS: a repaint per frame took the CPU the lines needed.
 */
const COUNT_EVERY_MS = 100;
function scheduleCount(run: InvocationRun): void {
  if (!dirty.includes(run)) dirty.push(run);
  if (pending) return;
  const flush = () => {
    pending = 0;
    lastFlush = performance.now();
    for (const r of dirty.splice(0)) r.lineCount = r.lines.length;
  };
  const wait = lastFlush + COUNT_EVERY_MS - performance.now();
  // A hidden page gets no animation frames; a timer still keeps the count moving.
  if (document.hidden) pending = window.setTimeout(flush, 250);
  else if (wait > 0) pending = window.setTimeout(() => requestAnimationFrame(flush), wait);
  else pending = requestAnimationFrame(flush);
}

export function runsFor(projectId: number, functionId: string): InvocationRun[] {
  return runs.filter((r) => r.projectId === projectId && r.functionId === functionId);
}

export function isRunning(projectId: number, functionId: string): boolean {
  return runs.some((r) => r.projectId === projectId && r.functionId === functionId && r.status === 'running');
}

function find(id: string): InvocationRun | undefined {
  return byId[id];
}

function add(run: InvocationRun): void {
  runs.unshift(run);
  byId[run.id] = run;
  const mine = runsFor(run.projectId, run.functionId);
  for (const old of mine.slice(KEEP_PER_FUNCTION)) {
    if (old.status !== 'running') {
      runs.splice(runs.indexOf(old), 1);
      delete byId[old.id];
    }
  }
}

/** Starts an invocation and resolves when it ends; failures land on the run, never as a rejection. */
export async function invoke(
  fn: FunctionInfo,
  payload: string,
  eventName: string,
  qualifier = '$LATEST',
  invocationType: InvocationType = 'RequestResponse',
): Promise<InvocationRun> {
  const run = new InvocationRun(
    newInvocationId(),
    fn.projectId,
    fn.id,
    $state.snapshot(fn),
    eventName,
    qualifier,
    invocationType,
  );
  add(run);
  try {
    const result = await api.call('functions:invoke', {
      projectId: fn.projectId,
      functionId: fn.id,
      payload,
      invocationId: run.id,
      trigger: 'ui',
      ...(qualifier === '$LATEST' ? {} : { qualifier }),
      invocationType,
      // Every line arrives as invocation:log: the text need not cross the transport again.
      streamedLogs: true,
    });
    run.finish(result);
  } catch (error) {
    const e = error as Error;
    run.failure = { name: e.name, message: e.message };
    run.status = 'failed';
    run.stopping = false;
  }
  return run;
}

/** Asks the engine to kill the environment running it; the run then finishes as Lambench.Stopped. */
export async function stop(run: InvocationRun): Promise<void> {
  if (run.status !== 'running') return;
  run.stopping = true;
  try {
    await api.call('functions:stop', { invocationId: run.id });
  } catch (error) {
    run.stopping = false;
    // It finished on its own in the meantime: nothing to report.
    if ((error as Error).name !== 'InvocationNotRunning') throw error;
  }
}

api.on('invocation:started', (started) => {
  const run = find(started.invocationId);
  if (run) {
    run.requestId = started.requestId;
    run.startedAt = started.startedAt;
    return;
  }
  // Started elsewhere (the CLI, an HTTP trigger): shown too, so the workspace is a live view of the function.
  const external = new InvocationRun(
    started.invocationId,
    started.projectId,
    started.functionId,
    undefined,
    '',
    '$LATEST',
    started.invocationType,
  );
  external.attempt = started.attempt;
  external.requestId = started.requestId;
  external.startedAt = started.startedAt;
  add(external);
});
api.on('invocation:log', ({ invocationId, lines }) => find(invocationId)?.push(lines));
api.on('invocation:chunk', ({ invocationId, text }) => {
  const run = find(invocationId);
  // Capped like History's response: a huge stream must not grow the page without bound.
  if (run && run.streamed.length < 256 * 1024) run.streamed += text;
});
api.on('invocation:finished', (result) => find(result.invocationId)?.finish(result));
