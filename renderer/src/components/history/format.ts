/** How History shows times, durations and ids: compact in the table, whole in the detail. */

export const RANGES = [
  { id: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { id: 'all', label: 'All time', ms: 0 },
] as const;
export type RangeId = (typeof RANGES)[number]['id'];

export function rangeStart(range: RangeId, now = Date.now()): number | undefined {
  const ms = RANGES.find((r) => r.id === range)?.ms ?? 0;
  return ms ? now - ms : undefined;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "14:03:22" today, "Nov 26 14:03" before; the detail and the title have the full time. */
export function shortTime(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  if (new Date(now).toDateString() === d.toDateString()) {
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  return `${MONTHS[d.getMonth()]} ${d.getDate()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "2024-11-26 14:03:22.481" (local time). */
export function fullTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

/** "12.34 ms", "1.20 s", "—" when there is no figure. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(2)} ms`;
}

/** "8 MB", "—" when there is no figure: each side of "used / size" carries its unit. */
export const megabytes = (mb: number | undefined): string => (mb === undefined ? '—' : `${mb} MB`);

/** Select values for a function: `projectId/functionId` ('-' for no project). */
export const functionKey = (projectId: number | null, functionId: string) =>
  `${projectId ?? '-'}/${functionId}`;

export function parseFunctionKey(key: string): { projectId?: number; functionId?: string } {
  if (!key) return {};
  const slash = key.indexOf('/');
  const project = key.slice(0, slash);
  return { projectId: project === '-' ? undefined : Number(project), functionId: key.slice(slash + 1) };
}
