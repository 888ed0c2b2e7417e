/** Reading History back: pages by keyset, one invocation in full, and clearing a function's rows. */
import type {
  HistoryFilter,
  HistoryFunction,
  HistoryPage,
  InvocationDetail,
  InvocationPhases,
  InvocationSummary,
} from '../../../shared/api/history';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { Architecture, InvocationStatus } from '../../../shared/types';
import type { Db } from './database';
import { decodeCursor, encodeCursor, whereClause, type Keyset } from './history-filter';
import { StatementCache } from './statement-cache';

interface SummaryRow {
  id: string;
  request_id: string;
  project_id: number | null;
  function_id: string;
  trigger: string;
  trigger_source: string | null;
  status: InvocationStatus;
  error_type: string | null;
  error_message: string | null;
  started_at: number;
  duration_ms: number | null;
  billed_duration_ms: number | null;
  init_duration_ms: number | null;
  cold_start: number | null;
  memory_size_mb: number;
  max_memory_used_mb: number | null;
  architecture: Architecture;
  gb_seconds: number | null;
  cost_usd: number | null;
  qualifier: string;
  executed_version: string;
  invocation_type: string;
  attempt: number | null;
  async_event_id: string | null;
}

interface DetailRow extends SummaryRow {
  ended_at: number | null;
  event: string | null;
  event_truncated: number;
  response: string | null;
  response_truncated: number;
  environment_id: string | null;
  sweep_id: number | null;
  container_start_ms: number | null;
  phases: string | null;
  logs: string | null;
  logs_truncated: number | null;
}

const summaryColumns = (
  errorMessage: string,
) => `id, request_id, project_id, function_id, trigger, trigger_source, status,
  error_type, ${errorMessage} AS error_message, started_at, duration_ms, billed_duration_ms, init_duration_ms,
  cold_start, memory_size_mb, max_memory_used_mb, architecture, gb_seconds, cost_usd, qualifier, executed_version,
  invocation_type, attempt, async_event_id`;
const PAGE_COLUMNS = summaryColumns('substr(error_message, 1, 300)');
const EXPORT_COLUMNS = summaryColumns('error_message');

export class HistoryRepo {
  private readonly statements;
  private readonly detail;
  private readonly firstFunction;
  private readonly nextInNull;
  private readonly firstInProjects;
  private readonly nextInProject;
  private readonly nextProject;
  private readonly lastStarted;
  private readonly lastStartedNull;
  private readonly clearFunction;

  /** `beforeRead` flushes queued writes, so a reader always sees the invocations it was told about. */
  constructor(
    db: Db,
    private readonly beforeRead: () => void = () => {},
  ) {
    this.statements = new StatementCache(db);
    this.detail = db.prepare<[string], DetailRow>('SELECT * FROM invocations WHERE id = ?');
    // Distinct functions by skip-scan: one index seek per function instead of reading every row.
    const byFunction = 'FROM invocations INDEXED BY invocations_by_function';
    const order = 'ORDER BY project_id, function_id LIMIT 1';
    this.firstFunction = db.prepare<[], FunctionKey>(`SELECT project_id, function_id ${byFunction} ${order}`);
    this.nextInNull = db.prepare<[string], FunctionKey>(
      `SELECT project_id, function_id ${byFunction} WHERE project_id IS NULL AND function_id > ? ${order}`,
    );
    this.firstInProjects = db.prepare<[], FunctionKey>(
      `SELECT project_id, function_id ${byFunction} WHERE project_id IS NOT NULL ${order}`,
    );
    // Two plain range seeks: a row-value (project_id, function_id) > (?, ?) steps through every entry of the
    // current function before it finds the next one.
    this.nextInProject = db.prepare<[number, string], FunctionKey>(
      `SELECT project_id, function_id ${byFunction} WHERE project_id = ? AND function_id > ? ${order}`,
    );
    this.nextProject = db.prepare<[number], FunctionKey>(
      `SELECT project_id, function_id ${byFunction} WHERE project_id > ? ${order}`,
    );
    // Named index: through another one (by status, by duration) max(started_at) would read every row.
    this.lastStarted = db
      .prepare<[number, string], number>(
        `SELECT max(started_at) ${byFunction} WHERE project_id = ? AND function_id = ?`,
      )
      .pluck();
    this.lastStartedNull = db
      .prepare<[string], number>(
        `SELECT max(started_at) ${byFunction} WHERE project_id IS NULL AND function_id = ?`,
      )
      .pluck();
    this.clearFunction = db.prepare<[number, string]>(
      "DELETE FROM invocations WHERE project_id = ? AND function_id = ? AND status != 'running'",
    );
  }

  list(input: HistoryFilter & { limit: number; cursor?: string; ids?: string[] }): HistoryPage {
    this.beforeRead();
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
    const rows = this.select(input, input.limit + 1, after);
    const more = rows.length > input.limit;
    const page = more ? rows.slice(0, input.limit) : rows;
    const last = page[page.length - 1];
    return {
      rows: page.map(toSummary),
      ...(more && last ? { nextCursor: encodeCursor({ startedAt: last.started_at, id: last.id }) } : {}),
    };
  }

  /** Rows for an export: like a page, with error messages whole. */
  exportRows(filter: HistoryFilter, limit: number): InvocationSummary[] {
    this.beforeRead();
    return this.select(filter, limit, undefined, EXPORT_COLUMNS).map(toSummary);
  }

  private select(
    filter: HistoryFilter & { ids?: string[] },
    limit: number,
    after?: Keyset,
    columns = PAGE_COLUMNS,
  ): SummaryRow[] {
    const where = whereClause(filter, after);
    return this.statements
      .get<SummaryRow>(
        `SELECT ${columns} FROM invocations ${where.sql} ORDER BY started_at DESC, id DESC LIMIT ?`,
      )
      .all(...where.params, limit);
  }

  get(invocationId: string): InvocationDetail {
    this.beforeRead();
    const row = this.detail.get(invocationId);
    if (!row) {
      throw new WorkbenchError(
        'InvocationNotFound',
        `No invocation ${invocationId} in History (it may have been cleared or removed by retention)`,
        { invocationId },
      );
    }
    return toDetail(row);
  }

  /** Every function with History, most recently invoked first. */
  functions(projectId?: number): HistoryFunction[] {
    this.beforeRead();
    const found: HistoryFunction[] = [];
    for (let key = this.firstFunction.get(); key; key = this.after(key)) {
      const lastStartedAt =
        key.project_id === null
          ? this.lastStartedNull.get(key.function_id)!
          : this.lastStarted.get(key.project_id, key.function_id)!;
      found.push({ projectId: key.project_id, functionId: key.function_id, lastStartedAt });
    }
    return found
      .filter((f) => projectId === undefined || f.projectId === projectId)
      .sort((a, b) => b.lastStartedAt - a.lastStartedAt);
  }

  /** The next function in index order; NULL project ids sort first and cannot be compared as row values. */
  private after(key: FunctionKey): FunctionKey | undefined {
    if (key.project_id !== null) {
      return this.nextInProject.get(key.project_id, key.function_id) ?? this.nextProject.get(key.project_id);
    }
    return this.nextInNull.get(key.function_id) ?? this.firstInProjects.get();
  }

  clear(projectId: number, functionId: string): number {
    this.beforeRead();
    return this.clearFunction.run(projectId, functionId).changes;
  }
}

interface FunctionKey {
  project_id: number | null;
  function_id: string;
}

const opt = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

function toSummary(r: SummaryRow): InvocationSummary {
  return {
    invocationId: r.id,
    requestId: r.request_id,
    projectId: r.project_id,
    functionId: r.function_id,
    trigger: r.trigger,
    triggerSource: opt(r.trigger_source),
    status: r.status,
    errorType: opt(r.error_type),
    errorMessage: opt(r.error_message),
    startedAt: r.started_at,
    durationMs: opt(r.duration_ms),
    billedDurationMs: opt(r.billed_duration_ms),
    initDurationMs: opt(r.init_duration_ms),
    coldStart: r.cold_start === null ? undefined : r.cold_start === 1,
    memorySizeMb: r.memory_size_mb,
    maxMemoryUsedMb: opt(r.max_memory_used_mb),
    architecture: r.architecture,
    gbSeconds: opt(r.gb_seconds),
    costUsd: opt(r.cost_usd),
    qualifier: r.qualifier,
    executedVersion: r.executed_version,
    invocationType: r.invocation_type === 'Event' ? 'Event' : 'RequestResponse',
    attempt: opt(r.attempt),
    asyncEventId: opt(r.async_event_id),
  };
}

function toDetail(r: DetailRow): InvocationDetail {
  const finished = r.status !== 'running' && r.status !== 'interrupted';
  return {
    ...toSummary(r),
    endedAt: opt(r.ended_at),
    event: r.event,
    eventTruncated: r.event_truncated === 1,
    response: opt(r.response),
    responseTruncated: r.response_truncated === 1,
    logs: r.logs ?? '',
    logsTruncated: r.logs_truncated === 1,
    environmentId: opt(r.environment_id),
    sweepId: opt(r.sweep_id),
    phases: {
      containerStartMs: opt(r.container_start_ms),
      ...startPhases(r.phases),
      initMs: opt(r.init_duration_ms),
      invokeMs: finished ? opt(r.duration_ms) : undefined,
    },
  };
}

/** The create/start split of a cold start (issue 16), when it was measured, and a spare's boot ahead. */
function startPhases(json: string | null): Pick<InvocationPhases, 'createMs' | 'startMs' | 'spareBootMs'> {
  if (!json) return {};
  try {
    const { createMs, startMs, spareBootMs } = JSON.parse(json) as Record<string, unknown>;
    if (typeof createMs !== 'number' || typeof startMs !== 'number') return {};
    return typeof spareBootMs === 'number' ? { createMs, startMs, spareBootMs } : { createMs, startMs };
  } catch {
    return {};
  }
}
