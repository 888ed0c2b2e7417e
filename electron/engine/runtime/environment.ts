/**
 * One execution environment: a Runtime API endpoint plus the container (or process) polling it.
 * States follow Lambda's: starting → ready ⇄ busy → stopped. One invocation at a time.
 */
import { performance } from 'node:perf_hooks';
import type { EnvironmentSpec, Executor, ExitInfo, RunningEnvironment } from './executor';
import { startRuntimeApi, type InitError, type InvokeOutcome, type RuntimeApi } from './runtime-api';

export type EnvironmentState = 'starting' | 'ready' | 'busy' | 'stopped';

/** Lambda gives the init phase 10 seconds. */
export const INIT_TIMEOUT_MS = 10_000;
/** How long to wait for log lines that trail a result, for runtimes that don't say how much they wrote. */
const LOG_QUIET_MS = 15;
const LOG_WAIT_CAP_MS = 150;

export interface Phases {
  /** Container (or process) create + start. */
  startMs: number;
  /** From start until the runtime first asked for work: runtime and handler init. */
  initMs: number;
}

export interface EnvironmentFailure {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

export interface RunResult {
  outcome: InvokeOutcome;
  /** Set when the environment died or was killed; it is then stopped. */
  failure?: 'timeout' | 'exit' | 'init';
  durationMs: number;
  maxMemoryUsedMb: number;
}

export class Environment {
  state: EnvironmentState = 'starting';
  phases: Phases = { startMs: 0, initMs: 0 };
  lastUsed = performance.now();
  /** Set when the configuration changed while this environment was busy. */
  retireAfterUse = false;
  /** Lines written while no invocation was running (init output) go to the next one. */
  private backlog: string[] = [];
  private lineSink: ((line: string) => void) | undefined;
  private logBytes = 0;
  private lastLogAt = 0;
  private api!: RuntimeApi;
  private running!: RunningEnvironment;
  private exitInfo: ExitInfo | undefined;
  private readonly exitListeners = new Set<(exit: ExitInfo) => void>();

  private constructor(
    readonly spec: EnvironmentSpec,
    readonly key: string,
  ) {}

  /** Starts the environment and waits for its runtime to finish init (first /next) or fail. */
  static async start(
    executor: Executor,
    spec: Omit<EnvironmentSpec, 'runtimeApi'>,
    key: string,
  ): Promise<{ env: Environment; initError?: EnvironmentFailure }> {
    const api = await startRuntimeApi({ host: await executor.runtimeApiHost(), allowCaller: () => false });
    const env = new Environment({ ...spec, runtimeApi: api.address }, key);
    env.api = api;
    const t0 = performance.now();
    try {
      env.running = await executor.start(env.spec);
    } catch (error) {
      await api.close();
      throw error;
    }
    const started = performance.now();
    env.phases.startMs = started - t0;
    api.setCallerCheck((addr) => addr === env.running.callerAddress);
    env.running.onLine((line) => env.onLine(line));
    void env.running.exited.then((exit) => env.onExit(exit));

    const initFailure = await Promise.race([
      api.firstPoll.then(() => undefined),
      api.initError.then((e: InitError) => ({ ...e })),
      env.exitedWithin().then((exit) => ({
        errorType: 'Runtime.ExitError',
        errorMessage: `Runtime exited without providing a reason: ${describeExit(exit)}`,
      })),
      delay(INIT_TIMEOUT_MS).then(() => ({
        errorType: 'Sandbox.Timedout',
        errorMessage: `Init phase timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds`,
      })),
    ]);
    env.phases.initMs = performance.now() - started;
    if (initFailure) {
      // The AWS runtimes exit after reporting; give the last lines a moment, then discard the environment.
      await Promise.race([env.exitedWithin(), delay(200)]);
      await env.stop();
      return { env, initError: initFailure };
    }
    await env.running.endInitBoost();
    env.state = 'ready';
    return { env };
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
    let failure: RunResult['failure'];
    const timeout = setTimeout(() => {
      failure = 'timeout';
      this.api.abort(request.requestId, {
        errorType: 'Sandbox.Timedout',
        errorMessage: `Task timed out after ${timeoutSec.toFixed(2)} seconds`,
      });
    }, timeoutSec * 1000);
    const onExit = (exit: ExitInfo) => {
      failure ??= 'exit';
      this.api.abort(request.requestId, {
        errorType: 'Runtime.ExitError',
        errorMessage: `RequestId: ${request.requestId} Error: Runtime exited with error: ${describeExit(exit)}`,
      });
    };
    this.exitListeners.add(onExit);
    if (this.exitInfo) onExit(this.exitInfo);
    const outcome = await this.api.invoke(request);
    clearTimeout(timeout);
    this.exitListeners.delete(onExit);
    if (outcome.ok || !failure) await this.awaitTrailingLogs(outcome);
    const maxMemoryUsedMb = await this.running.maxMemoryUsedMb().catch(() => 0);
    this.lineSink = undefined;
    this.lastUsed = performance.now();
    if (failure) await this.stop();
    else if (this.retireAfterUse) void this.stop();
    else this.state = 'ready';
    return { outcome, failure, durationMs: outcome.receivedAt - outcome.startedAt, maxMemoryUsedMb };
  }

  get handle(): string {
    return this.running?.handle ?? '';
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    await Promise.allSettled([this.running?.destroy(), this.api.close()]);
  }

  private onLine(line: string): void {
    this.logBytes += Buffer.byteLength(line) + 1;
    this.lastLogAt = performance.now();
    if (this.lineSink) this.lineSink(line);
    else if (this.backlog.length < 10_000) this.backlog.push(line);
  }

  private onExit(exit: ExitInfo): void {
    this.exitInfo = exit;
    for (const listener of this.exitListeners) listener(exit);
    if (this.state !== 'busy') void this.stop();
  }

  private exitedWithin(): Promise<ExitInfo> {
    return this.running.exited;
  }

  /**
   * Log lines travel through Docker's stream while the result comes over HTTP, so the result can win.
   * Our runtime clients say how many log bytes they had written; others get a short quiet window.
   */
  private async awaitTrailingLogs(outcome: InvokeOutcome): Promise<void> {
    const deadline = performance.now() + LOG_WAIT_CAP_MS;
    const expected = outcome.logBytes;
    if (expected !== undefined) {
      while (this.logBytes < expected && performance.now() < deadline) await delay(1);
      return;
    }
    const quietSince = () => Math.max(this.lastLogAt, outcome.receivedAt);
    while (performance.now() < deadline && performance.now() - quietSince() < LOG_QUIET_MS) await delay(2);
  }
}

export function describeExit(exit: ExitInfo): string {
  if (exit.oomKilled) return 'signal: killed (out of memory)';
  if (exit.signal)
    return `signal: ${exit.signal.replace(/^SIG/, '').toLowerCase() === 'kill' ? 'killed' : exit.signal}`;
  return `exit status ${exit.exitCode ?? 'unknown'}`;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
