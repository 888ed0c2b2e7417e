import { describe, expect, it } from 'vitest';
import {
  billedDurationMs,
  costCurve,
  dec,
  defaultPriceTable,
  formatGbSeconds,
  formatUsd,
  gbSeconds,
  invocationCost,
  monthlyCost,
  perMonth,
  provisionedConcurrencyCost,
  sumExact,
  toFixed,
  withOverrides,
  type MonthlyInput,
} from '../../shared/pricing';

// AWS pricing page example: 3M requests × 120 ms × 1536 MB on x86.
const awsExample: MonthlyInput = {
  requests: 3e6,
  durationMs: 120,
  memoryMb: 1536,
  arch: 'x86_64',
  freeTier: true,
};

describe('AWS worked examples', () => {
  it('3M × 120 ms × 1536 MB with the free tier is $2.73', () => {
    const c = monthlyCost(awsExample);
    expect(c.gbSeconds).toBe(540_000);
    expect(c.billableGbSeconds).toBe(140_000);
    expect(c.exact.computeUsd).toBe('2.333338');
    expect(c.exact.requestUsd).toBe('0.4');
    expect(formatUsd(c.computeUsd)).toBe('$2.33');
    expect(formatUsd(c.exact.totalUsd)).toBe('$2.73');
  });

  it('60M × 28 ms × 1024 MB without the free tier is $40.00, requests exactly $12', () => {
    const c = monthlyCost({
      requests: 60e6,
      durationMs: 28,
      memoryMb: 1024,
      arch: 'x86_64',
      freeTier: false,
    });
    expect(c.gbSeconds).toBe(1_680_000);
    expect(c.requestUsd).toBe(12);
    expect(c.exact.requestUsd).toBe('12');
    expect(c.exact.computeUsd).toBe('28.000056');
    expect(formatUsd(c.totalUsd)).toBe('$40.00');
  });
});

describe('duration tiers', () => {
  const big = { durationMs: 1000, memoryMb: 1024, arch: 'x86_64' } as const;

  it('7B GB-s x86 splits at 6B (computed by hand)', () => {
    const c = monthlyCost({ ...big, requests: 7e9, freeTier: false });
    expect(c.tiers.map((t) => [t.gbSeconds, t.usd])).toEqual([
      [6e9, 100_000.2], // 6e9 × 0.0000166667
      [1e9, 15_000], // 1e9 × 0.000015
      [0, 0],
    ]);
    expect(c.exact.computeUsd).toBe('115000.2');
    expect(c.exact.totalUsd).toBe('116400.2'); // + 7e9 × $0.20/1M = 1400
  });

  it('takes the free GB-s off the total before tiering', () => {
    const c = monthlyCost({ ...big, requests: 7e9, freeTier: true });
    expect(c.tiers[1].gbSeconds).toBe(999_600_000);
    expect(c.exact.computeUsd).toBe('114994.2');
    expect(c.exact.requestUsd).toBe('1399.8');
  });

  it('reaches the third tier past 15B', () => {
    const c = monthlyCost({ ...big, requests: 20e9, freeTier: false });
    expect(c.exact.computeUsd).toBe('301667.2'); // 100000.2 + 9e9 × 0.000015 + 5e9 × 0.0000133334
  });

  it('arm64 is cheaper than x86 for the same usage', () => {
    const arm = monthlyCost({ ...awsExample, arch: 'arm64' });
    expect(arm.exact.computeUsd).toBe('1.866676'); // 140,000 × 0.0000133334
    expect(arm.totalUsd).toBeLessThan(monthlyCost(awsExample).totalUsd);
  });
});

describe('free tier and storage', () => {
  it('free tier on vs off', () => {
    const off = monthlyCost({ ...awsExample, freeTier: false });
    expect(off.exact.computeUsd).toBe('9.000018');
    expect(off.exact.requestUsd).toBe('0.6');
    expect(off.totalUsd).toBeGreaterThan(monthlyCost(awsExample).totalUsd);
    expect(monthlyCost({ ...awsExample, requests: 1e6 }).totalUsd).toBe(0);
  });

  it('charges ephemeral storage above 512 MB, never covered by the free tier', () => {
    const one = invocationCost({ durationMs: 1000, memoryMb: 128, arch: 'x86_64', ephemeralMb: 10_240 });
    expect(one.exact.storageUsd).toBe('0.00000029355'); // 9.5 GB-s × 0.0000000309
    const month = monthlyCost({ ...awsExample, ephemeralMb: 10_240 });
    expect(month.exact.storageUsd).toBe('0.105678'); // 3M × 0.12 s × 9.5 GB
    expect(monthlyCost(awsExample).storageUsd).toBe(0);
  });
});

describe('billing rules', () => {
  it('rounds duration up to whole milliseconds, at least 1', () => {
    expect(billedDurationMs(1.01)).toBe(2);
    expect(billedDurationMs(0.2)).toBe(1);
    expect(billedDurationMs(0)).toBe(1);
    expect(billedDurationMs(100)).toBe(100);
    expect(gbSeconds(2, 1024)).toBe(0.002);
    expect(invocationCost({ durationMs: 1.01, memoryMb: 128, arch: 'x86_64' }).billedMs).toBe(2);
  });

  it('sums 1e6 single invocations to exactly the monthly figure', () => {
    const input = { durationMs: 27.3, memoryMb: 1769, arch: 'arm64' } as const;
    const totals: string[] = [];
    for (let i = 0; i < 1e6; i++) totals.push(invocationCost(input).exact.totalUsd);
    const month = monthlyCost({ ...input, requests: 1e6, freeTier: false });
    expect(toFixed(sumExact(totals))).toBe(month.exact.totalUsd);
  });

  it('keeps exact decimals out of float', () => {
    expect(toFixed(sumExact(['0.1', '0.2']))).toBe('0.3');
    expect(toFixed(dec('1e-7'))).toBe('0.0000001');
    expect(toFixed(dec(-2.5), 0)).toBe('-3');
  });

  it('prices provisioned concurrency (computed by hand)', () => {
    const c = provisionedConcurrencyCost({
      ...{ memoryMb: 1536, concurrency: 1000, hoursConfigured: 248, arch: 'x86_64' },
      ...{ requests: 10e6, durationMs: 100 },
    });
    expect(c.provisionedGbSeconds).toBe(1_339_200_000);
    expect(c.exact.totalUsd).toBe('5596.62794'); // 5580.04464 configured + 14.5833 duration + 2 requests
    const short = { memoryMb: 1024, concurrency: 1, hoursConfigured: 0.01, requests: 0, durationMs: 1 };
    expect(provisionedConcurrencyCost({ ...short, arch: 'arm64' }).provisionedGbSeconds).toBe(300); // 5 min
  });

  it('scales rates to a 730-hour month', () => {
    expect(perMonth(1, 'second')).toBe(2_628_000);
    expect(perMonth(24, 'day')).toBe(730);
    expect(perMonth(5, 'month')).toBe(5);
  });
});

describe('price table', () => {
  it('overrides change prices without touching the default table', () => {
    const table = withOverrides(defaultPriceTable, {
      freeTier: { requests: 0 },
      regions: { 'us-east-1': { requestsPerMillion: '0.25' }, 'xx-test-1': { ephemeralPerGbSecond: '1' } },
    });
    expect(monthlyCost({ ...awsExample, table }).exact.requestUsd).toBe('0.75');
    expect(table.freeTier.gbSeconds).toBe(400_000);
    expect(table.regions['xx-test-1'].x86_64.tiers[0].price).toBe('0.0000166667');
    expect(defaultPriceTable.regions['us-east-1'].requestsPerMillion).toBe('0.20');
    expect(() =>
      withOverrides(defaultPriceTable, { regions: { 'us-east-1': { requestsPerMillion: 'x' } } }),
    ).toThrow(/us-east-1\.requestsPerMillion/);
  });

  it('prices some regions higher', () => {
    const cape = monthlyCost({ ...awsExample, region: 'af-south-1' });
    expect(cape.exact.computeUsd).toBe('3.094'); // 140,000 × 0.0000221
    expect(monthlyCost({ ...awsExample, region: 'eu-west-1' }).totalUsd).toBe(
      monthlyCost(awsExample).totalUsd,
    );
  });
});

describe('invalid input', () => {
  const bad: [string, Partial<MonthlyInput>, RegExp][] = [
    ['negative requests', { requests: -1 }, /requests must be a number from 0 to/],
    ['memory too small', { memoryMb: 127 }, /memoryMb must be an integer from 128 to 10240, got 127/],
    ['memory too large', { memoryMb: 10_241 }, /memoryMb/],
    ['NaN duration', { durationMs: NaN }, /durationMs .* got NaN/],
    ['small ephemeral', { ephemeralMb: 100 }, /ephemeralMb/],
    ['unknown region', { region: 'mars-1' }, /No Lambda prices for region "mars-1"/],
  ];
  it.each(bad)('%s throws a RangeError', (_name, patch, message) => {
    expect(() => monthlyCost({ ...awsExample, ...patch })).toThrow(RangeError);
    expect(() => monthlyCost({ ...awsExample, ...patch })).toThrow(message);
  });
});

describe('curve and formatting', () => {
  it('includes the free-tier and tier breakpoints', () => {
    const points = costCurve({ ...awsExample, maxRequests: 1e7, samples: 10 });
    expect(points[0]).toEqual({ requests: 0, totalUsd: 0 });
    expect(points.find((p) => p.requests === 1e6)?.markers).toEqual(['free-requests-end']);
    expect(points.find((p) => p.requests === 2_222_223)?.markers).toEqual(['free-gb-seconds-end']);
    points.slice(1).forEach((p, i) => expect(p.totalUsd).toBeGreaterThanOrEqual(points[i].totalUsd));
    const huge = costCurve({
      durationMs: 1000,
      memoryMb: 1024,
      arch: 'x86_64',
      freeTier: true,
      maxRequests: 2e10,
    });
    const tierStarts = huge.filter((p) => p.markers?.some((m) => m.startsWith('tier')));
    expect(tierStarts.map((p) => p.requests)).toEqual([6_000_400_000, 15_000_400_000]);
  });

  it('formats money and GB-s only at the edge', () => {
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd('0.0000020833')).toBe('$0.0000021');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(-3)).toBe('-$3.00');
    expect(formatUsd('2.733338', { digits: 4 })).toBe('$2.7333');
    expect(formatGbSeconds(540_000)).toBe('540,000 GB-s');
    expect(formatGbSeconds(1.5)).toBe('1.5 GB-s');
    expect(formatGbSeconds(0.000125)).toBe('0.000125 GB-s');
  });
});
