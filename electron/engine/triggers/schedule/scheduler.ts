/**
 * Fires armed schedules on time. Each schedule holds one timer for its next fire time, computed from the
 * clock's now: a fire missed while the machine slept is not replayed, the schedule simply goes on.
 */
import type { Clock } from '../clock';
import type { Schedule } from './aws-schedule';

/** setTimeout's longest wait; a later fire time is waited for in steps. */
const MAX_WAIT_MS = 2 ** 31 - 1;

interface Armed {
  schedule: Schedule;
  fire: (at: number) => void;
  timer?: unknown;
  nextAt?: number;
}

export class Scheduler {
  private readonly armed = new Map<string, Armed>();

  constructor(private readonly clock: Clock) {}

  /** Arms (or re-arms) the schedule under `key`; `fire` gets the scheduled time. */
  arm(key: string, schedule: Schedule, fire: (at: number) => void): void {
    this.disarm(key);
    const armed: Armed = { schedule, fire };
    this.armed.set(key, armed);
    this.wait(key, armed);
  }

  disarm(key: string): void {
    const armed = this.armed.get(key);
    if (armed) this.clock.clearTimeout(armed.timer);
    this.armed.delete(key);
  }

  /** Disarms every key the filter accepts. */
  disarmWhere(test: (key: string) => boolean): void {
    for (const key of [...this.armed.keys()]) if (test(key)) this.disarm(key);
  }

  isArmed(key: string): boolean {
    return this.armed.has(key);
  }

  nextAt(key: string): number | undefined {
    return this.armed.get(key)?.nextAt;
  }

  stop(): void {
    for (const key of [...this.armed.keys()]) this.disarm(key);
  }

  private wait(key: string, armed: Armed): void {
    const now = this.clock.now();
    const at = armed.schedule.next(now);
    armed.nextAt = at;
    if (at === undefined) return;
    armed.timer = this.clock.setTimeout(
      () => {
        if (this.armed.get(key) !== armed) return;
        if (this.clock.now() >= at) armed.fire(at);
        this.wait(key, armed);
      },
      Math.min(Math.max(0, at - now), MAX_WAIT_MS),
    );
  }
}
