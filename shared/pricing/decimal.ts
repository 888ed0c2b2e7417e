/**
 * Exact decimals for money: value = units / 10^scale. Every Lambda price is a finite decimal and every
 * divisor we need (1024, 1,024,000, 10^n) has only the factors 2 and 5, so no result ever needs rounding
 * until it is shown. Plain BigInt, so it runs in the browser and in Node alike.
 */
export interface Dec {
  readonly units: bigint;
  readonly scale: number;
}

export const ZERO: Dec = { units: 0n, scale: 0 };
const POW10: bigint[] = [];
const pow10 = (n: number): bigint => (POW10[n] ??= 10n ** BigInt(n));
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;
// Prices are parsed once per distinct string; per-invocation costing would otherwise reparse them.
const cache = new Map<string, Dec>();

/** Parses a decimal string or number exactly (a number as its shortest round-trip form, so 0.1 is 1/10). */
export function dec(value: string | number | bigint): Dec {
  if (typeof value === 'bigint') return { units: value, scale: 0 };
  const text = String(value).trim();
  const hit = cache.get(text);
  if (hit) return hit;
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && !m[3])) throw new RangeError(`Not a decimal number: ${JSON.stringify(value)}`);
  const frac = m[3] ?? '';
  let units = BigInt(`${m[1]}${m[2] || '0'}${frac}`);
  let scale = frac.length - Number(m[4] ?? 0);
  if (scale < 0) [units, scale] = [units * pow10(-scale), 0];
  const result = { units, scale };
  if (cache.size < 10_000) cache.set(text, result);
  return result;
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * pow10(scale - a.scale), b.units * pow10(scale - b.scale), scale];
}

export function add(a: Dec, b: Dec): Dec {
  if (a.scale === b.scale) return { units: a.units + b.units, scale: a.scale };
  const [x, y, scale] = align(a, b);
  return { units: x + y, scale };
}

export const sub = (a: Dec, b: Dec): Dec => add(a, { units: -b.units, scale: b.scale });
export const mul = (a: Dec, b: Dec): Dec => ({ units: a.units * b.units, scale: a.scale + b.scale });

export function cmp(a: Dec, b: Dec): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const min = (a: Dec, b: Dec): Dec => (cmp(a, b) <= 0 ? a : b);
export const max = (a: Dec, b: Dec): Dec => (cmp(a, b) >= 0 ? a : b);

/** Exact division by an integer whose only prime factors are 2 and 5 (e.g. 1,024,000). */
export function divExact(a: Dec, divisor: bigint): Dec {
  let hit = divisors.get(divisor);
  for (let k = 0; !hit && k <= 64; k++) {
    if (pow10(k) % divisor === 0n) divisors.set(divisor, (hit = { units: pow10(k) / divisor, scale: k }));
  }
  if (!hit) throw new RangeError(`Cannot divide exactly by ${divisor}`);
  return mul(a, hit);
}
const divisors = new Map<bigint, Dec>();

/** Rounds half away from zero to `digits` decimal places. */
export function round(a: Dec, digits: number): Dec {
  if (a.scale <= digits) return a;
  const p = pow10(a.scale - digits);
  const abs = a.units < 0n ? -a.units : a.units;
  const q = (abs + p / 2n) / p;
  return { units: a.units < 0n ? -q : q, scale: digits };
}

/** Smallest integer ≥ a. */
export function ceilInt(a: Dec): bigint {
  const p = pow10(a.scale);
  const q = a.units / p;
  return a.units > q * p ? q + 1n : q;
}

/** Plain decimal text with exactly `digits` places, or with trailing zeros dropped when digits is omitted. */
export function toFixed(a: Dec, digits?: number): string {
  const r = digits === undefined ? a : round(a, digits);
  const places = digits ?? r.scale;
  const abs = (r.units < 0n ? -r.units : r.units) * pow10(places - r.scale);
  const s = abs.toString().padStart(places + 1, '0');
  let end = s.length;
  // Without fixed digits, drop trailing fractional zeros (a loop: this runs per invocation, regex is slow).
  while (digits === undefined && end > s.length - places && s.charCodeAt(end - 1) === 48) end--;
  const intEnd = s.length - places;
  const text = end > intEnd ? `${s.slice(0, intEnd)}.${s.slice(intEnd, end)}` : s.slice(0, intEnd);
  return (r.units < 0n && /[1-9]/.test(text) ? '-' : '') + text;
}

/** The nearest double, for charts and arithmetic that tolerates float error. */
export const toNumber = (a: Dec | string | number): number =>
  typeof a === 'number' ? a : Number(typeof a === 'string' ? a : toFixed(a));

/** Exact sum, e.g. of the `exact.totalUsd` strings of many invocations. */
export function sumExact(values: Iterable<string | number | Dec>): Dec {
  let total = ZERO;
  for (const v of values) total = add(total, typeof v === 'object' ? v : dec(v));
  return total;
}
