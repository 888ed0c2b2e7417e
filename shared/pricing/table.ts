/**
 * Lambda prices as plain, JSON-able data so settings can store and override them. Prices are decimal
 * strings (parsed exactly); tier caps are cumulative monthly GB-seconds, null meaning "no cap".
 */
import type { Architecture } from '../types';
import { dec } from './decimal';

export interface DurationTier {
  upToGbSeconds: number | null;
  price: string;
}

export interface ArchPrices {
  /** On-demand duration, per GB-s, tiered on the month's aggregate usage. */
  tiers: DurationTier[];
  /** Provisioned concurrency: per GB-s of concurrency configured, and per GB-s of duration run on it. */
  provisionedPerGbSecond: string;
  provisionedDurationPerGbSecond: string;
}

export interface RegionPrices {
  requestsPerMillion: string;
  /** Per GB-s of ephemeral storage above the free 512 MB. */
  ephemeralPerGbSecond: string;
  x86_64: ArchPrices;
  arm64: ArchPrices;
}

export interface PriceTable {
  pricesAsOf: string;
  /** Account-wide, per month; applies to on-demand usage only. */
  freeTier: { requests: number; gbSeconds: number };
  regions: Record<string, RegionPrices>;
}

type DeepPartial<T> = T extends unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type PriceOverrides = DeepPartial<Omit<PriceTable, 'regions'>> & {
  regions?: Record<string, DeepPartial<RegionPrices>>;
};

const tiers = (caps: [number, number], prices: [string, string, string]): DurationTier[] => [
  { upToGbSeconds: caps[0], price: prices[0] },
  { upToGbSeconds: caps[1], price: prices[1] },
  { upToGbSeconds: null, price: prices[2] },
];
const X86_CAPS: [number, number] = [6e9, 15e9];
const ARM_CAPS: [number, number] = [7.5e9, 18.75e9];

// Most regions share the us-east-1 price list.
const standard: RegionPrices = {
  requestsPerMillion: '0.20',
  ephemeralPerGbSecond: '0.0000000309',
  x86_64: {
    tiers: tiers(X86_CAPS, ['0.0000166667', '0.000015', '0.0000133334']),
    provisionedPerGbSecond: '0.0000041667',
    provisionedDurationPerGbSecond: '0.0000097222',
  },
  arm64: {
    tiers: tiers(ARM_CAPS, ['0.0000133334', '0.0000120001', '0.0000106667']),
    provisionedPerGbSecond: '0.0000033334',
    provisionedDurationPerGbSecond: '0.0000077778',
  },
};

// A pricier region. Tier 1 duration is AWS's published figure; lower tiers follow AWS's 90 % / 80 % ratios;
// request, storage and provisioned prices are scaled estimates. CHECK these against aws.amazon.com/lambda/pricing.
const pricier = (requests: string, storage: string, x86: string[], arm: string[]): RegionPrices => ({
  requestsPerMillion: requests,
  ephemeralPerGbSecond: storage,
  x86_64: {
    tiers: tiers(X86_CAPS, [x86[0], x86[1], x86[2]]),
    provisionedPerGbSecond: x86[3],
    provisionedDurationPerGbSecond: x86[4],
  },
  arm64: {
    tiers: tiers(ARM_CAPS, [arm[0], arm[1], arm[2]]),
    provisionedPerGbSecond: arm[3],
    provisionedDurationPerGbSecond: arm[4],
  },
});

export const defaultPriceTable: PriceTable = deepFreeze({
  // Non-standard regions below are best-effort figures and should be checked before relying on them.
  pricesAsOf: '2026-11-01',
  freeTier: { requests: 1_000_000, gbSeconds: 400_000 },
  regions: {
    ...Object.fromEntries(
      ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1']
        .concat([
          'ap-northeast-1',
          'ap-southeast-1',
          'ap-southeast-2',
          'ap-south-1',
          'ca-central-1',
          'sa-east-1',
        ])
        .map((r) => [r, standard]),
    ),
    // prettier-ignore
    'af-south-1': pricier('0.27', '0.0000000410',
      ['0.0000221', '0.00001989', '0.00001768', '0.0000055249', '0.0000128904'],
      ['0.00001768', '0.000015912', '0.000014144', '0.0000044199', '0.0000103123']),
    // prettier-ignore
    'ap-east-1': pricier('0.28', '0.0000000425',
      ['0.00002292', '0.000020628', '0.000018336', '0.00000573', '0.0000133695'],
      ['0.0000183', '0.00001647', '0.00001464', '0.000004584', '0.0000106956']),
    // prettier-ignore
    'eu-south-1': pricier('0.23', '0.0000000362',
      ['0.0000195172', '0.0000175655', '0.0000156138', '0.0000048793', '0.0000113851'],
      ['0.0000156138', '0.0000140524', '0.000012491', '0.0000039034', '0.0000091081']),
    // prettier-ignore
    'me-south-1': pricier('0.25', '0.0000000383',
      ['0.0000206667', '0.0000186', '0.0000165334', '0.0000051667', '0.0000120556'],
      ['0.0000165334', '0.0000148801', '0.0000132267', '0.0000041334', '0.0000096445']),
  },
});

/** A copy of `table` with `overrides` merged in (arrays such as tiers are replaced whole). */
export function withOverrides(table: PriceTable, overrides: PriceOverrides): PriceTable {
  const { regions: regionPatches, ...rest } = overrides;
  const regions = { ...table.regions };
  for (const [name, patch] of Object.entries(regionPatches ?? {})) {
    // A region the table lacks starts from us-east-1, so a partial override still yields a full price list.
    regions[name] = merge(table.regions[name] ?? table.regions['us-east-1'], patch);
  }
  const result = merge({ ...table, regions }, rest);
  validateTable(result);
  return result;
}

/** The prices for `region` and `arch`, or a RangeError naming what is known. */
export function regionPrices(table: PriceTable, region: string): RegionPrices {
  const prices = Object.hasOwn(table.regions, region) ? table.regions[region] : undefined;
  if (!prices) {
    throw new RangeError(
      `No Lambda prices for region "${region}"; known: ${Object.keys(table.regions).join(', ')}`,
    );
  }
  return prices;
}

export function archPrices(prices: RegionPrices, arch: Architecture): ArchPrices {
  if (arch !== 'x86_64' && arch !== 'arm64') throw new RangeError(`Unknown architecture "${String(arch)}"`);
  return prices[arch];
}

/** Throws a RangeError if any price fails to parse or tiers are out of order, so bad settings fail early. */
export function validateTable(table: PriceTable): void {
  for (const [name, r] of Object.entries(table.regions)) {
    const where = (field: string): string => `price table ${name}.${field}`;
    check(r.requestsPerMillion, where('requestsPerMillion'));
    check(r.ephemeralPerGbSecond, where('ephemeralPerGbSecond'));
    for (const arch of ['x86_64', 'arm64'] as const) {
      const a = r[arch];
      check(a.provisionedPerGbSecond, where(`${arch}.provisionedPerGbSecond`));
      check(a.provisionedDurationPerGbSecond, where(`${arch}.provisionedDurationPerGbSecond`));
      let previous = 0;
      a.tiers.forEach((t, i) => {
        check(t.price, where(`${arch}.tiers[${i}].price`));
        const last = i === a.tiers.length - 1;
        if (last ? t.upToGbSeconds !== null : !(Number(t.upToGbSeconds) > previous)) {
          throw new RangeError(`${where(`${arch}.tiers`)}: caps must rise and the last must be null`);
        }
        previous = t.upToGbSeconds ?? previous;
      });
    }
  }
}

function check(price: unknown, where: string): void {
  try {
    if (typeof price !== 'string' && typeof price !== 'number') throw new RangeError('missing');
    if (dec(price).units < 0n) throw new RangeError('negative');
  } catch {
    throw new RangeError(`${where} is not a valid price: ${JSON.stringify(price)}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function merge<T>(base: T, patch: unknown): T {
  if (patch === undefined) return base;
  if (!isObject(base) || !isObject(patch)) return patch as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = merge(out[key], value);
  return out as T;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
