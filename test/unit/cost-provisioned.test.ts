/** The monthly projection with provisioned concurrency (issue 16): Lambda's provisioned prices, no free tier. */
import { describe, expect, it } from 'vitest';
import { monthlyInput } from '../../shared/api/cost';
import { monthlyProjection } from '../../electron/engine/cost/projection';
import { monthlyCost, provisionedConcurrencyCost } from '../../shared/pricing';

describe('monthly projection on provisioned concurrency', () => {
  const input = monthlyInput.parse({
    requests: 5_000_000,
    per: 'month',
    durationMs: 120,
    memoryMb: 1024,
    provisionedConcurrency: 2,
  });

  it('adds the configured environments for 730 hours and prices duration at the provisioned rate', () => {
    const p = monthlyProjection(input);
    const expected = provisionedConcurrencyCost({
      durationMs: 120,
      memoryMb: 1024,
      arch: 'x86_64',
      concurrency: 2,
      hoursConfigured: 730,
      requests: 5_000_000,
    });
    expect(p.totalUsd).toBe(expected.totalUsd);
    // 2 environments × 1 GB × 730 h × $0.0000041667 per GB-s.
    expect(p.provisioned).toMatchObject({ concurrency: 2, gbSeconds: 2 * 730 * 3600 });
    expect(p.provisioned!.usd).toBeCloseTo(2 * 730 * 3600 * 0.0000041667, 6);
    // Duration: 600,000 GB-s at the provisioned duration price, with no free tier.
    expect(p.computeUsd).toBeCloseTo(600_000 * 0.0000097222, 6);
    expect(p.tiers).toEqual([]);
    expect(p.costCurve.length).toBeGreaterThan(10);
    expect(p.costCurve.every((pt, i, all) => i === 0 || pt.totalUsd >= all[i - 1].totalUsd)).toBe(true);
  });

  it('is the on-demand month without it', () => {
    const { provisionedConcurrency: _, ...onDemand } = input;
    const p = monthlyProjection(onDemand);
    expect(p.provisioned).toBeUndefined();
    expect(p.totalUsd).toBe(monthlyCost({ ...onDemand, requests: 5_000_000 }).totalUsd);
  });

  it('refuses a concurrency that is not a whole number', () => {
    const bad = monthlyInput.safeParse({
      requests: 1,
      per: 'month',
      durationMs: 1,
      memoryMb: 128,
      provisionedConcurrency: 1.5,
    });
    expect(bad.success).toBe(false);
  });
});
