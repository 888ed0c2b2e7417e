/** A SAM function's `Events`, reduced to what Lambench's triggers need. */
import type { FunctionTrigger } from '../../../shared/types';
import type { Resolver } from './intrinsics';

interface EventBase {
  /** The event's logical id under `Events`. */
  id: string;
}
export interface ApiEvent extends EventBase {
  type: 'Api';
  path: string;
  method: string;
  restApiId?: string;
}
export interface HttpApiEvent extends EventBase {
  type: 'HttpApi';
  /** Absent path and method mean the `$default` catch-all route. */
  path?: string;
  method?: string;
  apiId?: string;
  /** '2.0' unless the event (or its API) says '1.0'. */
  payloadFormatVersion?: string;
}
export interface ScheduleEvent extends EventBase {
  type: 'Schedule' | 'ScheduleV2';
  schedule: string;
  enabled: boolean;
  input?: string;
  /** The rule's (or schedule's) Name, when the template gives one. */
  name?: string;
  /** ScheduleV2's ScheduleExpressionTimezone; cron schedules are otherwise UTC. */
  timezone?: string;
}
export interface S3Event extends EventBase {
  type: 'S3';
  bucket: string;
  events: string[];
  /** Filter.S3Key.Rules: the key must start with `prefix` and end with `suffix`. */
  filter?: { prefix?: string; suffix?: string };
}
export interface SqsEvent extends EventBase {
  type: 'SQS';
  queue: string;
  batchSize?: number;
  /** MaximumBatchingWindowInSeconds. */
  batchingWindowSeconds?: number;
  /** FunctionResponseTypes includes ReportBatchItemFailures. */
  reportBatchItemFailures?: boolean;
  enabled?: boolean;
}
export interface OtherEvent extends EventBase {
  type: string;
  properties: Record<string, unknown>;
}
export type FunctionEvent = ApiEvent | HttpApiEvent | ScheduleEvent | S3Event | SqsEvent | OtherEvent;

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** `events` is the raw Events map; `resolver` should be lenient so in-template queues/buckets get names. */
export function parseEvents(events: unknown, resolver: Resolver): FunctionEvent[] {
  const out: FunctionEvent[] = [];
  for (const [id, raw] of Object.entries(obj(events))) {
    const ev = obj(resolver.resolve(raw, `Events.${id}`));
    const type = String(ev.Type ?? '');
    const p = obj(ev.Properties);
    switch (type) {
      case 'Api':
        out.push({
          id,
          type,
          path: str(p.Path) ?? '/',
          method: (str(p.Method) ?? 'any').toUpperCase(),
          restApiId: str(p.RestApiId),
        });
        break;
      case 'HttpApi':
        out.push({
          id,
          type,
          path: str(p.Path),
          method: str(p.Method)?.toUpperCase(),
          apiId: str(p.ApiId),
          payloadFormatVersion: str(p.PayloadFormatVersion),
        });
        break;
      case 'Schedule':
      case 'ScheduleV2': {
        const schedule = str(type === 'Schedule' ? p.Schedule : p.ScheduleExpression) ?? '';
        const enabled = type === 'Schedule' ? p.Enabled !== false : p.State !== 'DISABLED';
        const timezone = type === 'ScheduleV2' ? str(p.ScheduleExpressionTimezone) : undefined;
        out.push({ id, type, schedule, enabled, input: str(p.Input), name: str(p.Name), timezone });
        break;
      }
      case 'S3': {
        const evs = Array.isArray(p.Events) ? p.Events.map(String) : p.Events ? [String(p.Events)] : [];
        out.push({ id, type, bucket: str(p.Bucket) ?? '', events: evs, filter: keyFilter(p.Filter) });
        break;
      }
      case 'SQS':
        out.push({
          id,
          type,
          queue: str(p.Queue) ?? '',
          batchSize: p.BatchSize === undefined ? undefined : Number(p.BatchSize),
          batchingWindowSeconds:
            p.MaximumBatchingWindowInSeconds === undefined
              ? undefined
              : Number(p.MaximumBatchingWindowInSeconds),
          reportBatchItemFailures:
            Array.isArray(p.FunctionResponseTypes) &&
            p.FunctionResponseTypes.includes('ReportBatchItemFailures'),
          enabled: p.Enabled !== false,
        });
        break;
      default:
        out.push({ id, type, properties: p });
    }
  }
  return out;
}

/** S3's `Filter: S3Key: Rules: [{Name: prefix|suffix, Value}]`; names are case-insensitive, as S3 takes them. */
function keyFilter(raw: unknown): S3Event['filter'] {
  const rules = obj(obj(obj(raw).S3Key)).Rules;
  if (!Array.isArray(rules)) return undefined;
  const filter: NonNullable<S3Event['filter']> = {};
  for (const rule of rules.map(obj)) {
    const name = String(rule.Name ?? '').toLowerCase();
    if (name === 'prefix' || name === 'suffix') filter[name] = String(rule.Value ?? '');
  }
  return filter.prefix === undefined && filter.suffix === undefined ? undefined : filter;
}

/** One line per trigger, as the function list shows it. */
export function triggerSummary(ev: FunctionEvent): FunctionTrigger {
  return { id: ev.id, type: ev.type, summary: summary(ev) };
}

function summary(ev: FunctionEvent): string {
  // Types without a summary of their own (SNS, Kinesis, EventBridgeRule, …) keep their raw properties.
  if ('properties' in ev) return ev.type || 'unknown event type';
  switch (ev.type) {
    case 'Api':
      return `${ev.method} ${ev.path}`;
    case 'HttpApi':
      return ev.path || ev.method ? `${ev.method ?? 'ANY'} ${ev.path ?? '/'}` : '$default';
    case 'Schedule':
    case 'ScheduleV2':
      return ev.enabled ? ev.schedule : `${ev.schedule} (disabled)`;
    case 'S3':
      return `${ev.events.join(', ') || 'events'} on ${ev.bucket || 'a bucket'}`;
    case 'SQS':
      return ev.batchSize === undefined ? ev.queue : `${ev.queue} (batch ${ev.batchSize})`;
  }
}
