/**
 * Environments per function configuration: warm reuse, keep-alive reaping, concurrency counting with
 * Lambda's throttle, and retirement when code or configuration changes.
 */
import { performance } from 'node:perf_hooks';
import { WorkbenchError } from '../../../shared/rpc/errors';
import { Environment, type EnvironmentFailure } from './environment';
import type { EnvironmentSpec, Executor } from './executor';

export interface PoolSettings {
  keepAliveMs: number;
  /** Concurrent invocations across all functions (the account limit, scaled to a laptop). */
  globalLimit: number;
}

export interface Lease {
  env: Environment;
  cold: boolean;
  initError?: EnvironmentFailure;
  release(): void;
}

export class Pool {
  /** Every live environment, by function (project + logical id). */
  private readonly byFunction = new Map<string, Set<Environment>>();
  private readonly busy = new Map<string, number>();
  private busyTotal = 0;
  private readonly reaper: NodeJS.Timeout;

  constructor(
    private readonly executor: Executor,
    readonly settings: PoolSettings,
  ) {
    this.reaper = setInterval(() => this.reap(), 1000);
    this.reaper.unref();
  }

  /**
   * Takes a concurrency slot, then an idle environment of this exact configuration or a new one.
   * Throws TooManyRequestsException, as Lambda does, when the function or the machine is at its limit.
   */
  async acquire(
    functionKey: string,
    configKey: string,
    /** Called only when a new environment is needed. */
    spec: () => Omit<EnvironmentSpec, 'runtimeApi'>,
    reservedConcurrency: number | undefined,
    /**
     * Environments of one lineage retire each other on a config change; another lineage (a published
     * version beside $LATEST) keeps its own warm ones while sharing the function's concurrency.
     */
    lineage = '',
  ): Promise<Lease> {
    this.takeSlot(functionKey, reservedConcurrency);
    let released = false;
    const releaseSlot = () => {
      if (released) return;
      released = true;
      this.busy.set(functionKey, (this.busy.get(functionKey) ?? 1) - 1);
      this.busyTotal--;
    };
    try {
      const envs = this.envsOf(lineage ? `${functionKey}#${lineage}` : functionKey);
      this.retireStale(envs, configKey);
      for (const idle of envs) {
        // claim() skips environments that died while idle (they stop themselves and are dropped).
        if (idle.key === configKey && idle.claim()) return { env: idle, cold: false, release: releaseSlot };
      }
      const { env, initError } = await Environment.start(this.executor, spec(), configKey);
      if (!initError) {
        envs.add(env);
        // If it died since init, run() reports the exit at once.
        env.claim();
      }
      return { env, cold: true, initError, release: releaseSlot };
    } catch (error) {
      releaseSlot();
      throw error;
    }
  }

  /** Warm environments per function, for the status bar. */
  warmCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [key, envs] of this.byFunction) {
      const live = [...envs].filter((e) => e.state !== 'stopped').length;
      const fn = key.split('#')[0];
      if (live) counts[fn] = (counts[fn] ?? 0) + live;
    }
    return counts;
  }

  /** Stops every idle environment (busy ones stop when their invocation ends), or all of them. */
  async stopAll(includeBusy = false): Promise<number> {
    const stopping: Promise<void>[] = [];
    for (const envs of this.byFunction.values()) {
      for (const env of envs) {
        if (env.state === 'busy' && !includeBusy) continue;
        envs.delete(env);
        stopping.push(env.stop());
      }
    }
    await Promise.allSettled(stopping);
    return stopping.length;
  }

  /** Stops the environments of one function, e.g. after its code changed. */
  retireFunction(functionKey: string): void {
    this.retireStale(this.envsOf(functionKey), '');
  }

  async shutdown(): Promise<void> {
    clearInterval(this.reaper);
    await this.stopAll(true);
  }

  private takeSlot(functionKey: string, reserved: number | undefined): void {
    const running = this.busy.get(functionKey) ?? 0;
    if (reserved !== undefined && running >= reserved) {
      throw new WorkbenchError('TooManyRequestsException', 'Rate Exceeded.', {
        reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        limit: reserved,
      });
    }
    if (this.busyTotal >= this.settings.globalLimit) {
      throw new WorkbenchError('TooManyRequestsException', 'Rate Exceeded.', {
        reason: 'ConcurrentInvocationLimitExceeded',
        limit: this.settings.globalLimit,
      });
    }
    this.busy.set(functionKey, running + 1);
    this.busyTotal++;
  }

  private envsOf(functionKey: string): Set<Environment> {
    let envs = this.byFunction.get(functionKey);
    if (!envs) this.byFunction.set(functionKey, (envs = new Set()));
    return envs;
  }

  /** Old-configuration environments never serve again: idle ones stop now, busy ones when they finish. */
  private retireStale(envs: Set<Environment>, configKey: string): void {
    for (const env of envs) {
      if (env.key === configKey) continue;
      envs.delete(env);
      if (env.state === 'busy') env.retireAfterUse = true;
      else void env.stop();
    }
  }

  /** Drops stopped environments (timed out, exited, died while idle) and stops those idle too long. */
  private reap(): void {
    const now = performance.now();
    for (const envs of this.byFunction.values()) {
      for (const env of envs) {
        if (env.state === 'stopped') envs.delete(env);
        else if (env.state === 'ready' && now - env.lastUsed > this.settings.keepAliveMs) {
          envs.delete(env);
          void env.stop();
        }
      }
    }
  }
}
