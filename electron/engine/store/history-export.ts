/** History rows as CSV (one line per invocation, RFC 4180) or JSON (an array of summaries). */
import type { InvocationSummary } from '../../../shared/api/history';

const COLUMNS: [
  header: string,
  value: (r: InvocationSummary) => string | number | boolean | undefined | null,
][] = [
  ['started_at', (r) => new Date(r.startedAt).toISOString()],
  ['invocation_id', (r) => r.invocationId],
  ['request_id', (r) => r.requestId],
  ['project_id', (r) => r.projectId],
  ['function_id', (r) => r.functionId],
  ['trigger', (r) => r.trigger],
  ['status', (r) => r.status],
  ['error_type', (r) => r.errorType],
  ['error_message', (r) => r.errorMessage],
  ['duration_ms', (r) => r.durationMs],
  ['billed_duration_ms', (r) => r.billedDurationMs],
  ['init_duration_ms', (r) => r.initDurationMs],
  ['cold_start', (r) => r.coldStart],
  ['memory_size_mb', (r) => r.memorySizeMb],
  ['max_memory_used_mb', (r) => r.maxMemoryUsedMb],
  ['architecture', (r) => r.architecture],
  ['gb_seconds', (r) => r.gbSeconds],
  ['cost_usd', (r) => r.costUsd],
  ['qualifier', (r) => r.qualifier],
  ['executed_version', (r) => r.executedVersion],
];

export function toCsv(rows: InvocationSummary[]): string {
  const lines = [COLUMNS.map(([h]) => h).join(',')];
  for (const row of rows) lines.push(COLUMNS.map(([, value]) => csvField(value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** A JSON array with one invocation per line: valid JSON, diffable, and a third smaller than indented. */
export function toJson(rows: InvocationSummary[]): string {
  return rows.length ? `[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]\n` : '[]\n';
}

function csvField(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return String(value);
  // A leading = + - @ makes spreadsheets run the cell as a formula; an apostrophe keeps it text.
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
