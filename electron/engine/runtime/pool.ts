/**
 * Environments per function configuration: warm reuse, keep-alive reaping, concurrency counting with
 * Lambda's throttle, and retirement when code or configuration changes.
 */
import { performance } from 'node:perf_hooks';
import { WorkbenchError } from '../../../shared/rpc/errors';
import { Environment, type EnvironmentFailure } from './environment';
import type { EnvironmentSpec, Executor } from './executor';
import { Spares } from './spares';

/** An environment that served this recently counts as in use (see othersInUse). */
const IN_USE_MS = 5000;

export interface PoolSettings {
  keepAliveMs: number;
  /** Concurrent invocations across all functions (the account limit, scaled to a laptop). */
  globalLimit: number;
  /** Keep a pre-started spare per hot configuration (spares.ts); default true. */
  spares?: boolean;
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
  /** Provisioned environments starting, by function: counted so a second provision() does not start more. */
  private readonly provisioning = new Map<string, number>();
  private closed = false;
  private readonly reaper: NodeJS.Timeout;
  private readonly spares: Spares;

  constructor(
    private readonly executor: Executor,
    readonly settings: PoolSettings,
  ) {
    this.spares = new Spares(executor, () => this.settings.keepAliveMs, settings.spares ?? true);
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
      // Provisioned environments serve first, as Lambda's do; claim() skips those that died while idle.
      for (const provisioned of [true, false]) {
        for (const idle of envs) {
          if (idle.provisioned === provisioned && idle.key === configKey && idle.claim())
            return { env: idle, cold: false, release: releaseSlot };
        }
      }
      const fresh = spec();
      const spare = this.spares.take(fresh);
      const { env, initError } = await Environment.start(this.executor, fresh, configKey, spare);
      if (!initError) {
        envs.add(env);
        // If it died since init, run() reports the exit at once.
        env.claim();
      }
      // The next cold start of this configuration takes a container already started. Made once this invoke
      // is done: Docker's create and start would compete with it for the CPU (a log flood streamed slower).
      const release = initError
        ? releaseSlot
        : () => {
            releaseSlot();
            if (!this.closed) this.spares.refill(fresh);
          };
      return { env, cold: true, initError, release };
    } catch (error) {
      releaseSlot();
      throw error;
    }
  }

  /**
   * Provisioned concurrency: keeps `count` initialized environments of this configuration for the function,
   * starting the missing ones (in the background: init is not on any invoke's path) and releasing extra ones
   * to keep-alive. Environments of another configuration are retired, so a code or config change replaces
   * them. Resolves when the started ones are ready; a failed start is reported and retried by the next call.
   */
  async provision(
    functionKey: string,
    configKey: string,
    spec: () => Omit<EnvironmentSpec, 'runtimeApi'>,
    count: number,
  ): Promise<EnvironmentFailure | undefined> {
    const envs = this.envsOf(functionKey);
    this.retireStale(envs, configKey);
    const kept = [...envs].filter((e) => e.provisioned && e.state !== 'stopped');
    for (const extra of kept.slice(count)) extra.provisioned = false;
    const missing = count - kept.length - (this.provisioning.get(functionKey) ?? 0);
    const starts = Array.from({ length: Math.max(0, missing) }, async () => {
      this.provisioning.set(functionKey, (this.provisioning.get(functionKey) ?? 0) + 1);
      try {
        const { env, initError } = await Environment.start(this.executor, spec(), configKey);
        if (initError) return initError;
        // Init output belongs to no invocation: Lambda shows provisioned init logs only in CloudWatch.
        env.takeBacklog();
        env.provisioned = true;
        if (!this.closed && this.envsOf(functionKey) === envs && env.key === configKey) envs.add(env);
        else void env.stop();
      } finally {
        this.provisioning.set(functionKey, (this.provisioning.get(functionKey) ?? 1) - 1);
      }
    });
    const failures = await Promise.all(starts);
    return failures.find((f) => f !== undefined);
  }

  /**
   * Whether on-demand environments of another configuration are in use (a memory sweep runs other sizes back
   * to back): provisioning then waits rather than retiring them between the sweep's runs. Idle ones that
   * have not served for a while (older code) do not count: provisioning retires them.
   */
  othersInUse(functionKey: string, configKey: string): boolean {
    const recent = performance.now() - IN_USE_MS;
    return [...this.envsOf(functionKey)].some(
      (e) =>
        !e.provisioned &&
        e.key !== configKey &&
        (e.state === 'busy' || e.state === 'starting' || (e.state === 'ready' && e.lastUsed > recent)),
    );
  }

  /** Provisioned environments per function (live ones), for the manager and the status bar. */
  provisionedCount(functionKey: string): number {
    return [...this.envsOf(functionKey)].filter((e) => e.provisioned && e.state !== 'stopped').length;
  }

  /** The function no longer has provisioned concurrency: its environments fall back to keep-alive. */
  unprovision(functionKey: string): void {
    for (const env of this.envsOf(functionKey)) {
      if (!env.provisioned) continue;
      env.provisioned = false;
      env.lastUsed = performance.now();
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
    await Promise.allSettled([...stopping, this.spares.stopAll()]);
    return stopping.length;
  }

  /** Stops the environments of one function, e.g. after its code changed. */
  retireFunction(functionKey: string): void {
    this.retireStale(this.envsOf(functionKey), '');
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    await Promise.all([this.stopAll(true), this.spares.stopAll(true)]);
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
    this.spares.reap();
    const now = performance.now();
    for (const envs of this.byFunction.values()) {
      for (const env of envs) {
        if (env.state === 'stopped') envs.delete(env);
        else if (
          env.state === 'ready' &&
          !env.provisioned &&
          now - env.lastUsed > this.settings.keepAliveMs
        ) {
          envs.delete(env);
          void env.stop();
        }
      }
    }
  }
}
