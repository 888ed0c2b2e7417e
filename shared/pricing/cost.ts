/**
 * Lambda bills: exact sums in Dec, converted to numbers (and exact decimal strings) only in the results.
 * GB-s are kept as ms·MB integers and divided by 1,024,000 exactly, so totals never drift.
 */
import type { Architecture } from '../types';
import {
  add,
  ceilInt,
  cmp,
  dec,
  divExact,
  max,
  min,
  mul,
  sub,
  toFixed,
  toNumber,
  ZERO,
  type Dec,
} from './decimal';
import { archPrices, defaultPriceTable, regionPrices, type DurationTier, type PriceTable } from './table';

const MS_MB_PER_GB_S = 1_024_000n;
const MILLION = 1_000_000n;
/** AWS's calculator bills a month as 730 hours. */
export const SECONDS_PER_MONTH = 730 * 3600;

interface Usage {
  durationMs: number;
  memoryMb: number;
  arch: Architecture;
  ephemeralMb?: number;
  region?: string;
  table?: PriceTable;
}
export type InvocationInput = Usage;
export interface MonthlyInput extends Usage {
  requests: number;
  freeTier: boolean;
}
export interface ProvisionedInput extends Omit<Usage, 'ephemeralMb'> {
  concurrency: number;
  hoursConfigured: number;
  requests: number;
}

export interface TierUse {
  upToGbSeconds: number | null;
  price: string;
  gbSeconds: number;
  usd: number;
}

/** Lambda rounds each invocation up to the next millisecond, with a 1 ms minimum. */
export function billedDurationMs(durationMs: number): number {
  assert(durationMs, 'durationMs', 0, Infinity);
  return Math.max(1, Math.ceil(durationMs));
}

/** GB-seconds for display; costing uses the exact form. */
export function gbSeconds(billedMs: number, memoryMb: number): number {
  return toNumber(gbs(BigInt(billedMs) * BigInt(memoryMb)));
}

/** One invocation on demand: no free tier, first duration tier. */
export function invocationCost(input: InvocationInput) {
  const u = resolve(input, 1);
  const compute = mul(u.gbs, dec(u.arch.tiers[0].price));
  return result(
    u,
    { requests: 1, gbSeconds: u.gbs, compute, request: u.requestPrice },
    { billedMs: u.billedMs },
  );
}

/** A month of `requests` invocations of the given duration, tiered and optionally less the free tier. */
export function monthlyCost(input: MonthlyInput) {
  const u = resolve(input, input.requests);
  const free = input.freeTier ? u.table.freeTier : { requests: 0, gbSeconds: 0 };
  const billable = max(ZERO, sub(u.gbs, dec(free.gbSeconds)));
  const billableRequests = max(ZERO, sub(dec(u.requests), dec(free.requests)));
  const tiers = tierUse(billable, u.arch.tiers);
  const compute = tiers.reduce((sum, t) => add(sum, t.usd), ZERO);
  const extra = {
    billedMs: u.billedMs,
    billableGbSeconds: toNumber(billable),
    tiers: tiers.map((t): TierUse => ({ ...t, gbSeconds: toNumber(t.gbSeconds), usd: toNumber(t.usd) })),
  };
  const request = mul(billableRequests, u.requestPrice);
  return result(u, { requests: u.requests, gbSeconds: u.gbs, compute, request }, extra);
}

/** Provisioned concurrency for a period: the configured GB-s plus requests and duration run on it. */
export function provisionedConcurrencyCost(input: ProvisionedInput) {
  const u = resolve(input, input.requests);
  assert(input.concurrency, 'concurrency', 0, 1e7, true);
  assert(input.hoursConfigured, 'hoursConfigured', 0, 1e6);
  // Configured time is billed in 5-minute increments, rounded up.
  const seconds = mul(dec(ceilTo(mul(dec(input.hoursConfigured), dec(3600)), 300n)), dec(input.concurrency));
  const configured = divExact(mul(seconds, dec(input.memoryMb)), 1024n);
  const provisioned = mul(configured, dec(u.arch.provisionedPerGbSecond));
  const compute = mul(u.gbs, dec(u.arch.provisionedDurationPerGbSecond));
  const request = mul(dec(u.requests), u.requestPrice);
  const extra = { billedMs: u.billedMs, provisionedGbSeconds: toNumber(configured) };
  return result(u, { requests: u.requests, gbSeconds: u.gbs, compute, request, provisioned }, extra);
}

export type InvocationCost = ReturnType<typeof invocationCost>;
export type MonthlyCost = ReturnType<typeof monthlyCost>;
export type ProvisionedCost = ReturnType<typeof provisionedConcurrencyCost>;

/** Scales a rate to a 730-hour month. */
export function perMonth(rate: number, per: 'second' | 'minute' | 'hour' | 'day' | 'month'): number {
  assert(rate, 'rate', 0, Infinity);
  const seconds = { second: 1, minute: 60, hour: 3600, day: 86_400, month: SECONDS_PER_MONTH }[per];
  if (seconds === undefined) throw new RangeError(`Unknown period "${String(per)}"`);
  return (rate * SECONDS_PER_MONTH) / seconds;
}

function resolve(input: Usage, requests: number) {
  const table = input.table ?? defaultPriceTable;
  const region = regionPrices(table, input.region ?? 'us-east-1');
  assert(input.memoryMb, 'memoryMb', 128, 10_240, true);
  assert(input.ephemeralMb ?? 512, 'ephemeralMb', 512, 10_240, true);
  assert(requests, 'requests', 0, Number.MAX_SAFE_INTEGER);
  const billedMs = billedDurationMs(input.durationMs);
  // Fractional counts come from rate projections; a month has whole requests.
  const n = BigInt(Math.round(requests));
  const msTotal = n * BigInt(billedMs);
  return {
    table,
    region,
    arch: archPrices(region, input.arch),
    billedMs,
    requests: Number(n),
    gbs: gbs(msTotal * BigInt(input.memoryMb)),
    storageGbs: gbs(msTotal * BigInt((input.ephemeralMb ?? 512) - 512)),
    requestPrice: divExact(dec(region.requestsPerMillion), MILLION),
  };
}

interface Parts {
  requests: number;
  gbSeconds: Dec;
  compute: Dec;
  request: Dec;
  provisioned?: Dec;
}

/** Numbers for charts and an `exact` copy as decimal strings, which sum without drift via `dec`. */
function result<T extends object>(u: ReturnType<typeof resolve>, p: Parts, extra: T) {
  const storage = mul(u.storageGbs, dec(u.region.ephemeralPerGbSecond));
  const total = [p.request, storage, p.provisioned ?? ZERO].reduce(add, p.compute);
  const exact = {
    gbSeconds: toFixed(p.gbSeconds),
    computeUsd: toFixed(p.compute),
    requestUsd: toFixed(p.request),
    storageUsd: toFixed(storage),
    totalUsd: toFixed(total),
    ...(p.provisioned ? { provisionedUsd: toFixed(p.provisioned) } : {}),
  };
  return {
    requests: p.requests,
    gbSeconds: Number(exact.gbSeconds),
    ...extra,
    computeUsd: Number(exact.computeUsd),
    requestUsd: Number(exact.requestUsd),
    storageUsd: Number(exact.storageUsd),
    ...(p.provisioned ? { provisionedUsd: toNumber(p.provisioned) } : {}),
    totalUsd: Number(exact.totalUsd),
    exact,
  };
}

function tierUse(billable: Dec, tiers: DurationTier[]) {
  let from = ZERO;
  return tiers.map((t) => {
    const cap = t.upToGbSeconds === null ? billable : min(billable, dec(t.upToGbSeconds));
    const used = cmp(cap, from) > 0 ? sub(cap, from) : ZERO;
    if (t.upToGbSeconds !== null) from = dec(t.upToGbSeconds);
    return { upToGbSeconds: t.upToGbSeconds, price: t.price, gbSeconds: used, usd: mul(used, dec(t.price)) };
  });
}

const gbs = (msMb: bigint): Dec => divExact(dec(msMb), MS_MB_PER_GB_S);

const ceilTo = (value: Dec, step: bigint): bigint => ((ceilInt(value) + step - 1n) / step) * step;

function assert(value: number, name: string, lo: number, hi: number, integer = false): void {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < lo ||
    value > hi ||
    (integer && !Number.isInteger(value))
  ) {
    const kind = integer ? 'an integer' : 'a number';
    const range = hi === Infinity ? `of at least ${lo}` : `from ${lo} to ${hi}`;
    throw new RangeError(`${name} must be ${kind} ${range}, got ${String(value)}`);
  }
}
