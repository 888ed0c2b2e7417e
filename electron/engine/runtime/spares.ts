/**
 * Spare environments: after a cold start of a configuration whose runtime client can start held, one more
 * container of it is started in the background and held before init (Environment.prepare). The next cold
 * start of that configuration (more concurrency, an expired keep-alive, a code change) takes it and only
 * runs init, as Lambda's own pre-created sandboxes do: Docker's create and start (most of a local cold
 * start) are off its path. The code is bind-mounted and not loaded until then, so a spare serves whatever
 * code is current; the code version is not part of its key. Spares idle longer than the keep-alive go.
 */
import { performance } from 'node:perf_hooks';
import { Environment, type PreparedEnvironment } from './environment';
import { newEnvironmentId, type EnvironmentSpec, type Executor } from './executor';

type Spec = Omit<EnvironmentSpec, 'runtimeApi'>;

interface Held {
  ready?: PreparedEnvironment;
  starting?: Promise<void>;
  since: number;
}

export class Spares {
  private readonly held = new Map<string, Held>();
  private closed = false;

  constructor(
    private readonly executor: Executor,
    private readonly keepAliveMs: () => number,
    private readonly enabled = true,
  ) {}

  /** A ready spare of this configuration, taken (a fresh one is then started); undefined if none. */
  take(spec: Spec): PreparedEnvironment | undefined {
    if (!this.eligible(spec)) return undefined;
    const key = spareKey(spec);
    const held = this.held.get(key);
    const spare = held?.ready;
    if (!held || !spare) return undefined;
    held.ready = undefined;
    return spare.exited ? undefined : spare;
  }

  /** Starts a spare of this configuration unless one is ready or starting. */
  refill(spec: Spec): void {
    if (this.closed || !this.eligible(spec)) return;
    const key = spareKey(spec);
    const held = this.held.get(key) ?? { since: performance.now() };
    this.held.set(key, held);
    held.since = performance.now();
    if ((held.ready && !held.ready.exited) || held.starting) return;
    held.starting = Environment.prepare(this.executor, { ...spec, id: newEnvironmentId() })
      .then(async (prepared) => {
        if (!prepared) return;
        if (this.closed) return void (await discard(prepared));
        held.ready = prepared;
      })
      .catch(() => undefined)
      .finally(() => (held.starting = undefined));
  }

  /** Stops spares nobody took within the keep-alive. */
  reap(): void {
    const now = performance.now();
    for (const [key, held] of this.held) {
      if (held.starting || now - held.since <= this.keepAliveMs()) continue;
      this.held.delete(key);
      if (held.ready) void discard(held.ready);
    }
  }

  /** Stops every spare (the user's Stop all, shutdown); `close` also stops making new ones. */
  async stopAll(close = false): Promise<void> {
    if (close) this.closed = true;
    const starting = [...this.held.values()].map((h) => h.starting);
    await Promise.allSettled(starting);
    const ready = [...this.held.values()].flatMap((h) => (h.ready ? [h.ready] : []));
    this.held.clear();
    await Promise.allSettled(ready.map(discard));
  }

  private eligible(spec: Spec): boolean {
    return this.enabled && (this.executor.canHoldInit?.(spec) ?? false);
  }
}

/** Everything an environment is made of but its id and code version (the code is read at init). */
function spareKey(spec: Spec): string {
  const { id: _id, ...rest } = spec;
  return JSON.stringify(rest);
}

async function discard(p: PreparedEnvironment): Promise<void> {
  await Promise.allSettled([p.running.destroy(), p.api.close()]);
}
