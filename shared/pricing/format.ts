/** Display helpers: the only place values are rounded. */
import { dec, round, toFixed, type Dec } from './decimal';

export interface FormatOptions {
  /** Fixed decimal places; by default small values get enough places to show a few significant digits. */
  digits?: number;
}

/** "$2.73", "$1,234.50", "$0.0000021" (a per-invocation cost stays visible rather than "$0.00"). */
export function formatUsd(value: number | string | Dec, options: FormatOptions = {}): string {
  const text = show(value, options.digits, 2, 2);
  return text.startsWith('-') ? `-$${text.slice(1)}` : `$${text}`;
}

/** "540,000 GB-s", "1.5 GB-s", "0.000125 GB-s". */
export function formatGbSeconds(value: number | string | Dec, options: FormatOptions = {}): string {
  return `${show(value, options.digits, 0, 3)} GB-s`;
}

function show(
  value: number | string | Dec,
  digits: number | undefined,
  keep: number,
  significant: number,
): string {
  const d = typeof value === 'object' ? value : dec(value);
  let places = digits ?? 2;
  if (digits === undefined) {
    const enough = 10n ** BigInt(significant - 1);
    const abs = (x: bigint): bigint => (x < 0n ? -x : x);
    while (places < 12 && d.units !== 0n && abs(round(d, places).units) < enough) places++;
  }
  let text = toFixed(d, places);
  // Extra places were only for significance; trailing zeros in them say nothing.
  if (digits === undefined)
    text = text.replace(new RegExp(`(\\.\\d{${keep}}\\d*?)0+$`), '$1').replace(/\.$/, '');
  const [whole, frac] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}
