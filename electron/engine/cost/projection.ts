/**
 * The monthly projection: shared/pricing's exact month, plus a cost curve spaced for a log axis with the
 * free-tier end and tier starts on it. Pure, so the CLI runs it without an engine.
 */
import type { MonthlyInput } from '../../../shared/api/cost';
import {
  billedDurationMs,
  costCurve,
  defaultPriceTable,
  monthlyCost,
  perMonth,
  provisionedConcurrencyCost,
  SECONDS_PER_MONTH,
  regionPrices,
  type CurveMarker,
} from '../../../shared/pricing';
import type { CostBreakdown, MonthlyProjection } from '../../../shared/types';

export type Usage = Omit<MonthlyInput, 'requests' | 'per'>;

const CURVE_POINTS = 60;
/** Free-tier ends this far past the chosen volume still stretch the chart to show them. */
const SHOW_FREE_TIER_WITHIN = 1000;

export function monthlyProjection(input: MonthlyInput): MonthlyProjection {
  const { requests, per, ...usage } = input;
  const requestsPerMonth = Math.round(perMonth(requests, per));
  const { points, markers } = curve(usage, Math.max(1, requestsPerMonth));
  return {
    ...breakdown(usage, requestsPerMonth),
    billedDurationMs: billedDurationMs(usage.durationMs),
    costCurve: points,
    markers,
  };
}

export function breakdown(usage: Usage, requestsPerMonth: number): CostBreakdown {
  if (usage.provisionedConcurrency) return provisionedBreakdown(usage, requestsPerMonth);
  const m = monthlyCost({ ...usage, requests: requestsPerMonth });
  return {
    requestsPerMonth: m.requests,
    gbSeconds: m.gbSeconds,
    billableGbSeconds: m.billableGbSeconds,
    computeUsd: m.computeUsd,
    requestUsd: m.requestUsd,
    storageUsd: m.storageUsd,
    totalUsd: m.totalUsd,
    tiers: m.tiers,
  };
}

/**
 * A month on provisioned concurrency: the configured environments all month, every request and its duration
 * at the provisioned prices (the free tier does not cover them). Requests beyond what N environments can
 * serve would spill to on-demand in Lambda; this assumes they fit.
 */
function provisionedBreakdown(usage: Usage, requestsPerMonth: number): CostBreakdown {
  const concurrency = usage.provisionedConcurrency ?? 0;
  const p = provisionedConcurrencyCost({
    durationMs: usage.durationMs,
    memoryMb: usage.memoryMb,
    arch: usage.arch,
    region: usage.region,
    concurrency,
    hoursConfigured: SECONDS_PER_MONTH / 3600,
    requests: requestsPerMonth,
  });
  const arch = regionPrices(defaultPriceTable, usage.region)[usage.arch];
  return {
    requestsPerMonth: p.requests,
    gbSeconds: p.gbSeconds,
    billableGbSeconds: p.gbSeconds,
    computeUsd: p.computeUsd,
    requestUsd: p.requestUsd,
    storageUsd: p.storageUsd,
    totalUsd: p.totalUsd,
    tiers: [],
    provisioned: {
      concurrency,
      usd: p.provisionedUsd ?? 0,
      gbSeconds: p.provisionedGbSeconds,
      durationPrice: arch.provisionedDurationPerGbSecond,
    },
  };
}

function curve(usage: Usage, current: number) {
  if (usage.provisionedConcurrency) {
    // No free tier and one duration price: a straight line from the configured charge.
    const lo = Math.max(1, Math.round(current / 1000));
    const points = Array.from({ length: CURVE_POINTS + 1 }, (_, i) =>
      Math.round(lo * ((current * 10) / lo) ** (i / CURVE_POINTS)),
    ).map((requests) => ({ requests, totalUsd: breakdown(usage, requests).totalUsd }));
    return { points, markers: [] };
  }
  // The kinks, found by shared/pricing over a wide range; the chart's range is then chosen around them.
  const kinks = costCurve({ ...usage, maxRequests: current * SHOW_FREE_TIER_WITHIN, samples: 1 }).filter(
    (p): p is typeof p & { markers: CurveMarker[] } => p.markers !== undefined,
  );
  const freeEnds = kinks.filter((k) => k.markers.some((m) => m.startsWith('free-'))).map((k) => k.requests);
  const lo = 10 ** Math.max(0, Math.min(3, Math.floor(Math.log10(current)) - 3));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(current * 10, ...freeEnds.map((r) => r * 1.5))));

  const xs = new Set<number>([current, ...kinks.map((k) => k.requests).filter((r) => r >= lo && r <= hi)]);
  for (let i = 0; i <= CURVE_POINTS; i++) xs.add(Math.round(lo * (hi / lo) ** (i / CURVE_POINTS)));
  const points = [...xs]
    .sort((a, b) => a - b)
    .map((requests) => ({ requests, totalUsd: monthlyCost({ ...usage, requests }).totalUsd }));
  const markers = kinks
    .filter((k) => k.requests >= lo && k.requests <= hi)
    .flatMap((k) => k.markers.map((kind) => ({ requests: k.requests, kind, label: label(kind, usage) })));
  return { points, markers };
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });

function label(kind: CurveMarker, usage: Usage): string {
  const free = defaultPriceTable.freeTier;
  if (kind === 'free-requests-end') return `${compact.format(free.requests)} free requests used up`;
  if (kind === 'free-gb-seconds-end') return `${compact.format(free.gbSeconds)} free GB-s used up`;
  const tier = Number(kind.split('-')[1]);
  const cap = regionPrices(defaultPriceTable, usage.region)[usage.arch].tiers[tier - 2]?.upToGbSeconds;
  return `Tier ${tier} price after ${compact.format(cap ?? 0)} GB-s`;
}
