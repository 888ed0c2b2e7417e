/** Total monthly cost against request volume, for a chart. */
import { billedDurationMs, monthlyCost, type MonthlyInput } from './cost';
import { archPrices, defaultPriceTable, regionPrices } from './table';

export type CurveMarker = 'free-requests-end' | 'free-gb-seconds-end' | `tier-${number}-start`;

export interface CurveInput extends Omit<MonthlyInput, 'requests'> {
  maxRequests: number;
  /** Evenly spaced points between 0 and maxRequests, before the breakpoints are added. */
  samples?: number;
}

export interface CurvePoint {
  requests: number;
  totalUsd: number;
  /** Present where the slope changes: the free tier runs out or a cheaper duration tier begins. */
  markers?: CurveMarker[];
}

/** Points of total cost; the kinks are included (to the next whole request) so a line chart is exact. */
export function costCurve(input: CurveInput): CurvePoint[] {
  const { maxRequests, samples = 50, ...usage } = input;
  monthlyCost({ ...usage, requests: maxRequests }); // validates everything up front
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`samples must be a positive integer`);
  const table = usage.table ?? defaultPriceTable;
  const tiers = archPrices(regionPrices(table, usage.region ?? 'us-east-1'), usage.arch).tiers;
  const free = usage.freeTier ? table.freeTier : { requests: 0, gbSeconds: 0 };
  const perRequest = (billedDurationMs(usage.durationMs) * usage.memoryMb) / 1_024_000;

  const marks = new Map<number, CurveMarker[]>();
  const mark = (requests: number, marker: CurveMarker): void => {
    const at = Math.ceil(requests);
    if (at > 0 && at <= maxRequests) marks.set(at, [...(marks.get(at) ?? []), marker]);
  };
  if (free.requests > 0) mark(free.requests, 'free-requests-end');
  if (free.gbSeconds > 0) mark(free.gbSeconds / perRequest, 'free-gb-seconds-end');
  tiers.forEach((t, i) => {
    if (t.upToGbSeconds !== null)
      mark((t.upToGbSeconds + free.gbSeconds) / perRequest, `tier-${i + 2}-start`);
  });

  const xs = new Set<number>(marks.keys());
  for (let i = 0; i <= samples; i++) xs.add(Math.round((maxRequests * i) / samples));
  return [...xs]
    .sort((a, b) => a - b)
    .map((requests) => {
      const point: CurvePoint = { requests, totalUsd: monthlyCost({ ...usage, requests }).totalUsd };
      const markers = marks.get(requests);
      return markers ? { ...point, markers } : point;
    });
}
