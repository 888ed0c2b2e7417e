/** Time for the schedules, injectable: tests drive a fake one, the e2e a fast one. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * A clock running `scale` times faster than real time from now on (LAMBENCH_CLOCK_SCALE), so an e2e test
 * sees a rate(1 minute) schedule fire within a second.
 */
export function scaledClock(scale: number): Clock {
  const t0 = Date.now();
  return {
    now: () => t0 + (Date.now() - t0) * scale,
    setTimeout: (fn, ms) => setTimeout(fn, ms / scale).unref(),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
}

export function clockFromEnv(): Clock {
  const scale = Number(process.env.LAMBENCH_CLOCK_SCALE);
  return Number.isFinite(scale) && scale > 1 ? scaledClock(scale) : systemClock;
}
