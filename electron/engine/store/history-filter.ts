/**
 * History filters as SQL. Each clause is written so SQLite can walk an index in (started_at, id) order
 * and stop after one page; the clause text only depends on which filters are set, so statements cache well.
 */
import type { HistoryFilter } from '../../../shared/api/history';
import { WorkbenchError } from '../../../shared/rpc/errors';

export interface Where {
  sql: string;
  params: unknown[];
}

export interface Keyset {
  startedAt: number;
  id: string;
}

/** The WHERE term of the partial status indexes (migration 4), word for word. */
const NOT_SUCCESS = "status != 'success'";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function whereClause(filter: HistoryFilter & { ids?: string[] }, after?: Keyset): Where {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    parts.push(sql);
    params.push(...values);
  };
  if (filter.projectId !== undefined) add('project_id = ?', filter.projectId);
  if (filter.functionId !== undefined) add('function_id = ?', filter.functionId);
  if (filter.trigger !== undefined) add('trigger = ?', filter.trigger);
  if (filter.triggerSource !== undefined) add('trigger_source = ?', filter.triggerSource);
  if (filter.status?.length === 1) add('status = ?', filter.status[0]);
  // Several statuses: the unary + keeps SQLite on the time-ordered index instead of sorting each status.
  else if (filter.status) add(`+status IN (${filter.status.map(() => '?').join(', ')})`, ...filter.status);
  // The status indexes are partial (successes are most rows); SQLite uses them only when the query repeats
  // their WHERE term word for word.
  if (filter.status?.length === 1 && filter.status[0] !== 'success') parts.push(NOT_SUCCESS);
  if (filter.from !== undefined) add('started_at >= ?', filter.from);
  if (filter.to !== undefined) add('started_at < ?', filter.to);
  if (filter.coldOnly) parts.push('cold_start = 1');
  // Versions and aliases are few per function: the function's time index, filtered, pages well enough.
  if (filter.version !== undefined) add('executed_version = ?', filter.version);
  if (filter.alias !== undefined) add('qualifier = ?', filter.alias);
  const text = filter.text?.trim();
  if (text) {
    // A whole id is looked up through its index; anything else searches the error fields.
    if (UUID.test(text)) add('(request_id = ? OR id = ?)', text.toLowerCase(), text.toLowerCase());
    // Only failed invocations have error text; saying so lets SQLite walk the index of failures alone.
    else
      add(
        "error_type IS NOT NULL AND (error_type LIKE ? ESCAPE '\\' OR error_message LIKE ? ESCAPE '\\')",
        like(text),
        like(text),
      );
  }
  if (filter.ids) add(`id IN (${filter.ids.map(() => '?').join(', ')})`, ...filter.ids);
  if (after) add('(started_at, id) < (?, ?)', after.startedAt, after.id);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

function like(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Cursors are opaque to callers: the (started_at, id) of the last row sent. */
export function encodeCursor(row: Keyset): string {
  return Buffer.from(JSON.stringify([row.startedAt, row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Keyset {
  try {
    const [startedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(startedAt) && typeof id === 'string')
      return { startedAt: startedAt as number, id };
  } catch {
    // Falls through to the error below.
  }
  throw new WorkbenchError(
    'InvalidCursor',
    'The history cursor is not one this Lambench gave out; start again without a cursor',
  );
}
