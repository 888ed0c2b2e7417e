/**
 * Cost: monthly projections priced by shared/pricing, measured durations from the history, and memory
 * sweeps (power tuning). The projection is computed by the engine only; the UI and the CLI both ask it.
 */
import { z } from 'zod';
import { defaultPriceTable, perMonth } from '../pricing';
import type { FunctionUsage, MonthlyProjection, ProjectCost, Sweep, SweepListItem } from '../types';
import { functionId, method, projectId } from './method';

/** More than this many requests a month (about 380,000 a second, sustained) is a typo, not a plan. */
export const MAX_MONTHLY_REQUESTS = 1e12;
export const DEFAULT_SWEEP_SIZES = [128, 256, 512, 1024, 1536, 3008];
export const DEFAULT_SWEEP_RUNS = 10;
export const periods = ['second', 'day', 'month'] as const;

const regions = Object.keys(defaultPriceTable.regions);

export const memoryMb = z
  .number()
  .int('Memory is a whole number of MB')
  .min(128, 'Lambda memory is 128–10,240 MB')
  .max(10_240, 'Lambda memory is 128–10,240 MB');

export const region = z
  .string()
  .refine((r) => regions.includes(r), `Unknown region; one of ${regions.join(', ')}`);

/** Requests per period, checked against a sane monthly ceiling after scaling. */
const volume = {
  requests: z.number().positive('Requests must be more than 0'),
  per: z.enum(periods, { error: 'Per is second, day or month' }).default('month'),
};

const noAbsurdVolume = (v: { requests: number; per: (typeof periods)[number] }, ctx: z.RefinementCtx) => {
  if (!(v.requests > 0) || !periods.includes(v.per)) return; // already reported by the field's own rule
  const monthly = perMonth(v.requests, v.per);
  if (monthly > MAX_MONTHLY_REQUESTS) {
    ctx.addIssue({
      code: 'custom',
      path: ['requests'],
      message: `${count(v.requests)} a ${v.per} is ${count(monthly)} requests a month; at most ${count(MAX_MONTHLY_REQUESTS)} (a trillion)`,
    });
  }
};

const count = (n: number) => n.toLocaleString('en-US', { maximumSignificantDigits: 4 });

export const monthlyInput = z
  .object({
    ...volume,
    /** Average duration of one invocation. */
    durationMs: z
      .number()
      .positive('Duration must be more than 0 ms')
      .max(900_000, 'Duration is at most 900,000 ms (the 15-minute timeout)'),
    memoryMb,
    arch: z.enum(['x86_64', 'arm64'], { error: 'Architecture is x86_64 or arm64' }).default('x86_64'),
    region: region.default('us-east-1'),
    freeTier: z.boolean().default(true),
    ephemeralMb: z
      .number()
      .int()
      .min(512, 'Ephemeral storage is 512–10,240 MB')
      .max(10_240, 'Ephemeral storage is 512–10,240 MB')
      .default(512),
    /** Environments kept initialized all month (issue 16): billed per hour, their duration at its own price. */
    provisionedConcurrency: z
      .number()
      .int('Provisioned concurrency is a whole number')
      .min(0, 'Provisioned concurrency is 0 or more')
      .max(10_000, 'Provisioned concurrency is at most 10,000 here')
      .optional(),
  })
  .strict()
  .superRefine(noAbsurdVolume);
export type MonthlyInput = z.output<typeof monthlyInput>;

export const sweepId = z.number().int().positive();

export const sweepStartInput = z
  .object({
    projectId,
    functionId,
    /** The event as JSON text. */
    payload: z.string().max(6 * 1024 * 1024),
    memorySizes: z
      .array(memoryMb)
      .min(1, 'At least one memory size')
      .max(20, 'At most 20 memory sizes')
      .refine((s) => new Set(s).size === s.length, 'Memory sizes must not repeat')
      .default(DEFAULT_SWEEP_SIZES),
    /** Measured runs per size, after one warm-up invoke that is left out. */
    runs: z
      .number()
      .int('Runs is a whole number')
      .min(1, 'At least 1 run per size')
      .max(100, 'At most 100 runs per size')
      .default(DEFAULT_SWEEP_RUNS),
  })
  .strict();

export const costMethods = {
  'cost:monthly': method<MonthlyProjection>().input(monthlyInput),
  /** Measured figures of one function; `durationMs` (the p50) is the projection's default duration. */
  'cost:function': method<FunctionUsage>().input(z.object({ projectId, functionId }).strict()),
  /** Each function's month at its configured memory and measured p50; the free tier is off by default (it is per account). */
  'cost:project': method<ProjectCost>().input(
    z
      .object({
        projectId,
        ...volume,
        region: region.default('us-east-1'),
        freeTier: z.boolean().default(false),
      })
      .strict()
      .superRefine(noAbsurdVolume),
  ),
  /** Starts a sweep in the background; progress arrives as `sweep:progress` events. */
  'cost:sweep:start': method<{ sweepId: number }>().input(sweepStartInput),
  /** A sweep's figures; `weight` tunes the balanced pick (0 fastest … 1 cheapest), `region` the prices. */
  'cost:sweep:get': method<Sweep>().input(
    z
      .object({
        sweepId,
        weight: z.number().min(0, 'Weight is 0–1').max(1, 'Weight is 0–1').default(0.5),
        region: region.default('us-east-1'),
      })
      .strict(),
  ),
  'cost:sweep:list': method<SweepListItem[]>().input(z.object({ projectId, functionId }).strict()),
  /** Stops after the invocation in flight; resolves with the sweep as it ended. */
  'cost:sweep:cancel': method<Sweep>().input(z.object({ sweepId }).strict()),
};
