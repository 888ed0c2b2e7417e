/**
 * One execution environment: a Runtime API endpoint plus the container (or process) polling it.
 * States follow Lambda's: starting → ready ⇄ busy → stopped. One invocation at a time.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EnvironmentSpec, Executor, ExitInfo, RunningEnvironment } from './executor';
import { startRuntimeApi, type InitError, type InvokeOutcome, type RuntimeApi } from './runtime-api';

export type EnvironmentState = 'starting' | 'ready' | 'busy' | 'stopped';

/** Lambda gives the init phase 10 seconds. */
export const INIT_TIMEOUT_MS = 10_000;
/** How long to wait for log lines that trail a result, for runtimes that don't say how much they wrote. */
const LOG_QUIET_MS = 15;
const LOG_QUIET_CAP_MS = 150;
/**
 * Runtimes that say how much they wrote: wait for those bytes while they keep coming (Docker's stream
 * can pause for a few hundred ms under a flood), up to the cap.
 */
const LOG_STALL_MS = 1000;
const LOG_WAIT_CAP_MS = 5000;
/** After an init error, how long to wait for the runtime's own account of it (its log lines) and its exit. */
const INIT_LOG_WAIT_MS = 1000;
/** Lines kept from before an invocation took them (init output, timers firing between invocations). */
const BACKLOG_LINES = 10_000;

export interface Phases {
  /** Container (or process) create + start. */
  startMs: number;
  /** Of startMs, the container create (Docker only); the rest is its start, until the runtime process runs. */
  createMs?: number;
  /** From start until the runtime first asked for work: runtime and handler init. */
  initMs: number;
  /** Of initMs, the runtime's boot that a spare did before it was taken: off the invoke's path. */
  spareBootMs?: number;
}

export interface EnvironmentFailure {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

export interface RunResult {
  outcome: InvokeOutcome;
  /** Set when the invocation did not end on its own; the environment is then stopped. */
  failure?: 'timeout' | 'exit' | 'stopped';
  durationMs: number;
  maxMemoryUsedMb: number;
}

/**
 * A spare: a container started ahead with its runtime process booted and held before init (spec.holdInit),
 * so a cold start that takes it skips Docker's create and start. See spares.ts.
 */
export interface PreparedEnvironment {
  spec: EnvironmentSpec;
  api: RuntimeApi;
  running: RunningEnvironment;
  /** performance.now() when its runtime asked to start (booted); its start is `running.startedAt`. */
  bootedAt: number;
  exited: boolean;
}

export class Environment {
  state: EnvironmentState = 'starting';
  phases: Phases = { startMs: 0, initMs: 0 };
  lastUsed = performance.now();
  /** Set when the configuration changed while this environment was busy. */
  retireAfterUse = false;
  /** Kept initialized for provisioned concurrency: never reaped for being idle, billed at provisioned prices. */
  provisioned = false;
  /** Lines written while no invocation was running (init output) go to the next one. */
  private backlog: string[] = [];
  private lineSink: ((line: string) => void) | undefined;
  private logBytes = 0;
  /** Log bytes that belong to invocations already finished: stragglers up to here are not carried over. */
  private attributedBytes = 0;
  private lastLogAt = 0;
  private api!: RuntimeApi;
  private running!: RunningEnvironment;
  private exitInfo: ExitInfo | undefined;
  private stopping: Promise<void> | undefined;
  private currentId = '';
  /** Ends the running invocation early (timeout, exit, the user's Stop); unset while idle. */
  private endCurrent: ((failure: 'exit' | 'stopped', error: EnvironmentFailure) => void) | undefined;

  private constructor(
    readonly spec: EnvironmentSpec,
    readonly key: string,
  ) {}

  /**
   * Starts a spare: the container and its runtime process, held before init. Undefined when it could not
   * start or its runtime exited or never asked to start within the init timeout.
   */
  static async prepare(
    executor: Executor,
    spec: Omit<EnvironmentSpec, 'runtimeApi'>,
  ): Promise<PreparedEnvironment | undefined> {
    const { api, full } = await Environment.openApi(executor, { ...spec, holdInit: true });
    let running: RunningEnvironment;
    try {
      running = await executor.start(full);
    } catch {
      await api.close();
      return undefined;
    }
    api.setCallerCheck((addr) => addr === running.callerAddress);
    const prepared: PreparedEnvironment = {
      spec: full,
      api,
      running,
      bootedAt: 0,
      exited: false,
    };
    void running.exited.then(() => (prepared.exited = true));
    const booted = await Promise.race([
      api.startRequested,
      running.exited.then(() => 0),
      delay(INIT_TIMEOUT_MS).then(() => 0),
    ]);
    if (!booted || prepared.exited) {
      await Promise.allSettled([running.destroy(), api.close()]);
      return undefined;
    }
    prepared.bootedAt = booted;
    return prepared;
  }

  /** The Runtime API for a new environment, and its spec as the executor gets it. */
  private static async openApi(
    executor: Executor,
    spec: Omit<EnvironmentSpec, 'runtimeApi'>,
  ): Promise<{ api: RuntimeApi; full: EnvironmentSpec }> {
    const socketDir = executor.runtimeApiSocketDir?.();
    // Requests wait until the container's address is known: a fast runtime polls before start() returns.
    const api = await startRuntimeApi({
      host: await executor.runtimeApiHost(),
      allowCaller: 'hold',
      ...(socketDir ? { socketPath: join(socketDir, `${spec.id}.sock`) } : {}),
    });
    const full = {
      ...spec,
      runtimeApi: api.address,
      ...(api.socketPath ? { runtimeApiSocket: api.socketPath } : {}),
    };
    return { api, full };
  }

  /**
   * Starts the environment (or takes over `prepared`, a spare of the same configuration, releasing its
   * held runtime) and waits for its runtime to finish init (first /next) or fail.
   */
  static async start(
    executor: Executor,
    spec: Omit<EnvironmentSpec, 'runtimeApi'>,
    key: string,
    prepared?: PreparedEnvironment,
  ): Promise<{ env: Environment; initError?: EnvironmentFailure }> {
    let env: Environment;
    let api: RuntimeApi;
    /** Where init counts from: the container's start, or for a spare its boot, then its release. */
    let initFrom: number;
    let bootMs = 0;
    if (prepared) {
      api = prepared.api;
      env = new Environment(prepared.spec, key);
      env.api = api;
      env.running = prepared.running;
      // The container was started ahead: nothing of its start is on this invoke's path.
      env.phases.startMs = 0;
      // Init Duration still counts the runtime's boot, as Lambda's does, plus the handler's init from now.
      bootMs = prepared.bootedAt - prepared.running.startedAt;
      env.phases.spareBootMs = bootMs;
      initFrom = performance.now();
      api.releaseStart();
      executor.taken?.(prepared.spec);
    } else {
      const opened = await Environment.openApi(executor, spec);
      api = opened.api;
      env = new Environment(opened.full, key);
      env.api = api;
      const t0 = performance.now();
      try {
        env.running = await executor.start(env.spec);
      } catch (error) {
        await api.close();
        env.state = 'stopped';
        throw error;
      }
      const started = env.running.startedAt;
      env.phases.startMs = started - t0;
      if (env.running.createdAt !== undefined)
        env.phases.createMs = Math.min(env.phases.startMs, env.running.createdAt - t0);
      initFrom = started;
    }
    api.setCallerCheck((addr) => addr === env.running.callerAddress);
    api.onRuntimeGone(() => env.onRuntimeGone());
    env.running.onLine((line, bytes) => env.onLine(line, bytes));
    void env.running.exited.then((exit) => env.onExit(exit));

    let initEnd = 0;
    let exitedInInit = false;
    const initFailure = await Promise.race([
      api.firstPoll.then((at) => void (initEnd = at)),
      api.initError,
      env.running.exited.then((exit): InitError => {
        exitedInInit = true;
        return {
          errorType: exitErrorType(exit),
          errorMessage: `Runtime exited without providing a reason: ${describeExit(exit)}`,
        };
      }),
      delay(INIT_TIMEOUT_MS).then((): InitError => ({
        errorType: 'Sandbox.Timedout',
        errorMessage: `Init phase timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds`,
      })),
    ]);
    env.phases.initMs = bootMs + Math.max(0, (initEnd || performance.now()) - initFrom);
    if (initFailure) {
      await env.awaitInitLogs(initFailure.logBytes);
      await env.stop();
      const { logBytes: _logBytes, ...failure } = initFailure;
      // The container's init could not exec the entrypoint and said why as its only output.
      const entrypoint = exitedInInit ? entrypointFailure(env.backlog[0] ?? '') : undefined;
      return { env, initError: entrypoint ?? failure };
    }
    await env.running.endInitBoost();
    if (env.state === 'starting') env.state = 'ready';
    return { env };
  }

  /** ready → busy, for the pool; false when this environment can no longer serve. */
  claim(): boolean {
    if (this.state !== 'ready') return false;
    this.state = 'busy';
    return true;
  }

  /** Lines this environment printed before any invocation took them (init logs). */
  takeBacklog(): string[] {
    const lines = this.backlog;
    this.backlog = [];
    return lines;
  }

  async run(
    request: Parameters<RuntimeApi['invoke']>[0],
    timeoutSec: number,
    onLine: (line: string) => void,
  ): Promise<RunResult> {
    this.state = 'busy';
    this.lineSink = onLine;
    this.currentId = request.requestId;
    let failure: RunResult['failure'];
    const end = (kind: NonNullable<RunResult['failure']>, error: EnvironmentFailure) => {
      failure ??= kind;
      this.api.abort(request.requestId, error);
    };
    this.endCurrent = end;
    const timeout = setTimeout(() => {
      end('timeout', {
        errorType: 'Sandbox.Timedout',
        errorMessage: `Task timed out after ${timeoutSec.toFixed(2)} seconds`,
      });
    }, timeoutSec * 1000);
    const invoked = this.api.invoke(request);
    if (this.exitInfo) this.endOnExit(this.exitInfo);
    const outcome = await invoked;
    clearTimeout(timeout);
    this.endCurrent = undefined;
    // Usually every counted byte is in already: no await, no turn of the event loop lost.
    const logsIn = outcome.logBytes !== undefined && this.logBytes >= outcome.logBytes;
    if (!failure && !logsIn) await this.awaitTrailingLogs(outcome);
    const maxMemoryUsedMb = this.exitInfo?.oomKilled
      ? this.spec.memoryMb
      : await this.running.maxMemoryUsedMb().catch(() => 0);
    this.lineSink = undefined;
    this.attributedBytes = Math.max(this.attributedBytes, this.logBytes, outcome.logBytes ?? 0);
    this.lastUsed = performance.now();
    // A runtime that exited right after answering is as dead as one that exited before.
    if (failure || this.exitInfo) await this.stop();
    else if (this.retireAfterUse) void this.stop();
    else if (this.state === 'busy') this.state = 'ready';
    return { outcome, failure, durationMs: outcome.receivedAt - outcome.startedAt, maxMemoryUsedMb };
  }

  /**
   * Ends the running invocation with `error` and discards the environment (the user's Stop).
   * Returns false when no invocation is running here.
   */
  interrupt(error: EnvironmentFailure): boolean {
    if (!this.endCurrent) return false;
    this.endCurrent('stopped', error);
    return true;
  }

  get handle(): string {
    return this.running?.handle ?? '';
  }

  /** Kills the environment and frees its Runtime API; every caller waits for the same teardown. */
  stop(): Promise<void> {
    this.state = 'stopped';
    this.stopping ??= Promise.allSettled([this.running?.destroy(), this.api.close()]).then(() => {});
    return this.stopping;
  }

  private onLine(line: string, bytes: number): void {
    this.logBytes += bytes;
    this.lastLogAt = performance.now();
    if (this.lineSink) this.lineSink(line);
    else if (this.logBytes > this.attributedBytes && this.backlog.length < BACKLOG_LINES)
      this.backlog.push(line);
  }

  private onExit(exit: ExitInfo): void {
    this.exitInfo = exit;
    if (this.endCurrent) this.endOnExit(exit);
    else if (this.state !== 'busy') void this.stop();
  }

  private endOnExit(exit: ExitInfo): void {
    this.endCurrent?.('exit', {
      errorType: exitErrorType(exit),
      errorMessage: `RequestId: ${this.currentId} Error: Runtime exited with error: ${describeExit(exit)}`,
    });
  }

  /** The idle runtime dropped its /next poll: it is gone, even if Docker has not said so yet. */
  private onRuntimeGone(): void {
    if (this.state === 'ready') void this.stop();
  }

  /** The runtime logs its init error before reporting it; those lines belong in the result. */
  private async awaitInitLogs(expected: number | undefined): Promise<void> {
    const deadline = performance.now() + INIT_LOG_WAIT_MS;
    if (expected !== undefined) {
      while (this.logBytes < expected && performance.now() < deadline) await delay(2);
      return;
    }
    // Runtimes that don't count their output exit after reporting; the exit comes after the last line.
    await Promise.race([this.running.exited, delay(INIT_LOG_WAIT_MS)]);
  }

  /**
   * Log lines travel through Docker's stream while the result comes over HTTP, so the result can win.
   * Our runtime clients say how many log bytes they had written: wait for those while they keep
   * arriving. Others get a short quiet window.
   */
  private async awaitTrailingLogs(outcome: InvokeOutcome): Promise<void> {
    const expected = outcome.logBytes;
    if (expected !== undefined) {
      const cap = performance.now() + LOG_WAIT_CAP_MS;
      while (this.logBytes < expected && !this.exitInfo) {
        const now = performance.now();
        if (now > cap || now - Math.max(this.lastLogAt, outcome.receivedAt) > LOG_STALL_MS) return;
        await delay(1);
      }
      return;
    }
    const deadline = performance.now() + LOG_QUIET_CAP_MS;
    const quietSince = () => Math.max(this.lastLogAt, outcome.receivedAt);
    while (performance.now() < deadline && performance.now() - quietSince() < LOG_QUIET_MS) await delay(2);
  }
}

/**
 * An entrypoint that cannot be executed (not executable, no shebang, a shebang naming a missing
 * interpreter, e.g. after CRLF line endings), from Docker's error or the container's only output line,
 * in Lambda's words: Runtime.InvalidEntrypoint, "fork/exec <path>: <reason>".
 */
export function entrypointFailure(text: string): EnvironmentFailure | undefined {
  const m = /exec:? "?([^":\s]+)"?: (permission denied|no such file or directory|exec format error)/.exec(
    text,
  );
  if (!m) return undefined;
  return { errorType: 'Runtime.InvalidEntrypoint', errorMessage: `Error: fork/exec ${m[1]}: ${m[2]}` };
}

/** Lambda names a runtime killed for going over its memory Runtime.OutOfMemory, any other exit Runtime.ExitError. */
export function exitErrorType(exit: ExitInfo): string {
  return exit.oomKilled && !exit.reason ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
}

export function describeExit(exit: ExitInfo): string {
  if (exit.reason) return exit.reason;
  // Lambda's words for an OOM kill; the error type says why.
  if (exit.oomKilled) return 'signal: killed';
  if (exit.signal)
    return `signal: ${exit.signal.replace(/^SIG/, '').toLowerCase() === 'kill' ? 'killed' : exit.signal}`;
  return `exit status ${exit.exitCode ?? 'unknown'}`;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
