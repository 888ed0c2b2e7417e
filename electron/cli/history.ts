import { resolve } from 'node:path';
import {
  EXPORT_MAX_ROWS,
  invocationStatuses,
  type HistoryFilter,
  type InvocationSummary,
} from '../../shared/api/history';
import type { WorkbenchClient } from '../../shared/rpc/client';
import { WorkbenchError } from '../../shared/rpc/errors';
import type { InvocationStatus } from '../../shared/types';
import { withEngine } from './engine-client';
import { exitOnUsageError, numberFlag, UsageError } from './flags';
import type { Command } from './run';

export const history: Command = {
  summary: 'List recorded invocations, newest first (a table, JSON or CSV)',
  usage:
    'lambench history [--function F] [--project DIR] [--status S[,S…]] [--limit N] [--json|--csv]\n' +
    `  statuses: ${invocationStatuses.join(', ')}`,
  options: {
    function: { type: 'string', short: 'f' },
    project: { type: 'string', short: 'p' },
    status: { type: 'string', short: 's' },
    limit: { type: 'string', short: 'n' },
    json: { type: 'boolean' },
    csv: { type: 'boolean' },
  },
  run({ values }) {
    return exitOnUsageError('history', this.usage, async () => {
      if (values.json && values.csv) throw new UsageError('--json and --csv cannot be used together');
      const limit = numberFlag(values, 'limit') ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > EXPORT_MAX_ROWS) {
        throw new UsageError(`--limit must be a whole number from 1 to ${EXPORT_MAX_ROWS}`);
      }
      const status = statusFlag(values.status);
      const output = await withEngine(async (client) => {
        const filter: HistoryFilter = {
          projectId: typeof values.project === 'string' ? await projectId(client, values.project) : undefined,
          functionId: values.function as string | undefined,
          status,
        };
        if (values.json || values.csv) {
          return client.call('history:export', { ...filter, format: values.csv ? 'csv' : 'json', limit });
        }
        return table(await rows(client, filter, limit));
      });
      process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
      return 0;
    });
  },
};

function statusFlag(raw: unknown): InvocationStatus[] | undefined {
  if (raw === undefined) return undefined;
  const list = String(raw)
    .split(',')
    .map((s) => s.trim());
  const bad = list.filter((s) => !(invocationStatuses as readonly string[]).includes(s));
  if (bad.length) throw new UsageError(`unknown status '${bad.join("', '")}'`);
  return list as InvocationStatus[];
}

/** History is kept per known project: a folder Lambench never opened has none. */
async function projectId(client: WorkbenchClient, dir: string): Promise<number> {
  const path = resolve(dir);
  const project = (await client.call('projects:list')).find((p) => p.path === path);
  if (!project) {
    throw new WorkbenchError(
      'ProjectNotFound',
      `${path} has no History: Lambench has not opened that folder yet (invoke one of its functions first)`,
    );
  }
  return project.id;
}

async function rows(client: WorkbenchClient, filter: HistoryFilter, limit: number) {
  const all: InvocationSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.call('history:list', {
      ...filter,
      limit: Math.min(500, limit - all.length),
      cursor,
    });
    all.push(...page.rows);
    cursor = page.nextCursor;
  } while (cursor && all.length < limit);
  return all;
}

function table(list: InvocationSummary[]): string {
  if (list.length === 0) return 'No invocations match.';
  const ms = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(2)} ms`);
  const data = [
    ['TIME', 'FUNCTION', 'STATUS', 'DURATION', 'BILLED', 'MEMORY', 'COLD', 'TRIGGER', 'REQUEST ID'],
    ...list.map((r) => [
      localTime(r.startedAt),
      r.functionId,
      r.status,
      ms(r.durationMs),
      r.billedDurationMs === undefined ? '-' : `${r.billedDurationMs} ms`,
      `${r.maxMemoryUsedMb ?? '-'}/${r.memorySizeMb} MB`,
      r.coldStart ? 'cold' : '',
      r.trigger,
      r.requestId,
    ]),
  ];
  const widths = data[0].map((_, col) => Math.max(...data.map((r) => r[col].length)));
  return data
    .map((r) =>
      r
        .map((cell, col) => cell.padEnd(widths[col]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function localTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
