import { z } from 'zod';
import type { Architecture, InvocationStatus, InvocationType } from '../types';
import { functionId, method, projectId } from './method';

export const invocationStatuses = [
  'running',
  'success',
  'error',
  'timeout',
  'throttled',
  'interrupted',
] as const satisfies readonly InvocationStatus[];

/** Most rows one `history:list` page returns. */
export const HISTORY_PAGE_MAX = 500;
/** Most rows one export writes. */
export const EXPORT_MAX_ROWS = 100_000;
/** Most time buckets one `history:metrics` call returns. */
export const METRICS_MAX_BUCKETS = 1000;

const epochMs = z.number().int().nonnegative();

/** What every History query can narrow by; `from` is inclusive, `to` exclusive (epoch ms). */
const filterShape = {
  projectId: projectId.optional(),
  functionId: functionId.optional(),
  status: z.array(z.enum(invocationStatuses)).min(1).max(invocationStatuses.length).optional(),
  from: epochMs.optional(),
  to: epochMs.optional(),
  coldOnly: z.boolean().optional(),
  /** What started the invocations (ui, http, schedule, s3…), and exactly which route, rule or object key. */
  trigger: z.string().min(1).max(20).optional(),
  triggerSource: z.string().min(1).max(2048).optional(),
  /** Matches the request id or invocation id exactly, or a part of the error type or message. */
  text: z.string().trim().max(200).optional(),
  /** The version that ran: $LATEST or a number. */
  version: z.string().min(1).max(32).optional(),
  /** The qualifier the invoke named (an alias name, a version or $LATEST). */
  alias: z.string().min(1).max(200).optional(),
};
const rangeInOrder = (f: { from?: number; to?: number }) =>
  f.from === undefined || f.to === undefined || f.from < f.to;
const rangeMessage = { message: '`from` must be before `to`', path: ['from'] };

export const historyFilter = z.object(filterShape).strict().refine(rangeInOrder, rangeMessage);
export type HistoryFilter = z.output<typeof historyFilter>;

export const historyMethods = {
  /** Newest first, by keyset: pass `nextCursor` back as `cursor` for the next page. */
  'history:list': method<HistoryPage>().input(
    z
      .object({
        ...filterShape,
        limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).default(50),
        cursor: z.string().max(300).optional(),
        /** Only these invocations (how the UI refreshes rows it heard about live). */
        ids: z.array(z.string().min(1).max(64)).min(1).max(HISTORY_PAGE_MAX).optional(),
      })
      .strict()
      .refine(rangeInOrder, rangeMessage),
  ),
  'history:get': method<InvocationDetail>().input(
    z.object({ invocationId: z.string().min(1).max(64) }).strict(),
  ),
  'history:metrics': method<FunctionMetrics>().input(
    z
      .object({
        projectId,
        functionId,
        from: epochMs.optional(),
        to: epochMs.optional(),
        bucketMs: z
          .number()
          .int()
          .min(1000)
          .max(31 * 86_400_000),
      })
      .strict()
      .refine(rangeInOrder, rangeMessage),
  ),
  /** Every function that has History, most recently invoked first. */
  'history:functions': method<HistoryFunction[]>().input(
    z.object({ projectId: projectId.optional() }).strict().optional(),
  ),
  /** Deletes a function's finished invocations and their logs; running ones stay. */
  'history:clear': method<{ deleted: number }>().input(z.object({ projectId, functionId }).strict()),
  'history:export': method<string>().input(
    z
      .object({
        ...filterShape,
        format: z.enum(['csv', 'json']),
        limit: z.number().int().min(1).max(EXPORT_MAX_ROWS).default(EXPORT_MAX_ROWS),
      })
      .strict()
      .refine(rangeInOrder, rangeMessage),
  ),
};

/** One row of the History table. Figures are absent while the invocation runs. */
export interface InvocationSummary {
  invocationId: string;
  requestId: string;
  projectId: number | null;
  functionId: string;
  trigger: string;
  /** The route, schedule rule or object key of a triggered invocation. */
  triggerSource?: string;
  status: InvocationStatus;
  errorType?: string;
  /** Cut to 300 characters here; `history:get` has it whole. */
  errorMessage?: string;
  startedAt: number;
  durationMs?: number;
  billedDurationMs?: number;
  initDurationMs?: number;
  coldStart?: boolean;
  memorySizeMb: number;
  maxMemoryUsedMb?: number;
  architecture: Architecture;
  gbSeconds?: number;
  costUsd?: number;
  /** What the invoke named: $LATEST, a version or an alias. */
  qualifier: string;
  /** The version that ran. */
  executedVersion: string;
  invocationType: InvocationType;
  /** An asynchronous event's attempt (1–3), and the event. */
  attempt?: number;
  asyncEventId?: string;
}

export interface HistoryPage {
  rows: InvocationSummary[];
  /** Absent on the last page. */
  nextCursor?: string;
}

/** Where the time of a cold invocation went: container start, then init, then the handler. */
export interface InvocationPhases {
  containerStartMs?: number;
  /** Of containerStartMs, on Docker: the container create, then its start until the runtime process ran. */
  createMs?: number;
  startMs?: number;
  initMs?: number;
  /** Of initMs, the runtime boot a pre-started spare did before this invoke took it (off its path). */
  spareBootMs?: number;
  invokeMs?: number;
}

export interface InvocationDetail extends InvocationSummary {
  endedAt?: number;
  event: string | null;
  eventTruncated: boolean;
  response?: string;
  responseTruncated: boolean;
  logs: string;
  logsTruncated: boolean;
  environmentId?: string;
  sweepId?: number;
  phases: InvocationPhases;
}

export interface HistoryFunction {
  projectId: number | null;
  functionId: string;
  lastStartedAt: number;
}

/** Figures of finished invocations over one span of time. Percentiles leave out throttles. */
export interface MetricsFigures {
  count: number;
  errors: number;
  throttles: number;
  coldStarts: number;
  /** 0–100. */
  coldStartPct: number;
  p50?: number;
  p95?: number;
  p99?: number;
  maxMemoryUsedMb?: number;
  /** The largest configured memory in the span, for drawing the limit. */
  memorySizeMb?: number;
  gbSeconds: number;
  costUsd: number;
}

export interface MetricsBucket extends MetricsFigures {
  /** Epoch ms where the bucket starts; it spans `bucketMs`. */
  start: number;
}

export interface FunctionMetrics {
  projectId: number;
  functionId: string;
  from: number;
  to: number;
  bucketMs: number;
  /** Every bucket from `from` to `to`, empty ones included, so charts keep a true time axis. */
  buckets: MetricsBucket[];
  totals: MetricsFigures;
}
