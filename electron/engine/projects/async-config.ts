/**
 * A function's asynchronous invocation settings, read the way Lambda applies them: SAM's EventInvokeConfig
 * (retries, event age, OnSuccess/OnFailure destinations) and DeadLetterQueue, or AWS::Lambda::Function's
 * DeadLetterConfig. Values outside Lambda's ranges are clamped and noted, not fatal.
 */
import type { Resolver } from './intrinsics';

/** Lambda's defaults: two retries, events kept up to six hours. */
export const DEFAULT_MAX_RETRY_ATTEMPTS = 2;
export const DEFAULT_MAX_EVENT_AGE_SECONDS = 21_600;

/** What a function without EventInvokeConfig gets. */
export const DEFAULT_ASYNC_CONFIG: AsyncConfig = {
  maximumRetryAttempts: DEFAULT_MAX_RETRY_ATTEMPTS,
  maximumEventAgeSeconds: DEFAULT_MAX_EVENT_AGE_SECONDS,
};

export interface AsyncTarget {
  /** SQS, SNS, Lambda or EventBridge. */
  type: string;
  /** The ARN, or whatever the template gave (a Ref that only a deployed stack knows). */
  target: string;
}

export interface AsyncConfig {
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  onSuccess?: AsyncTarget;
  onFailure?: AsyncTarget;
  deadLetter?: AsyncTarget;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

export function readAsyncConfig(
  get: (key: string) => unknown,
  r: Resolver,
  unresolved: string[],
): AsyncConfig {
  const eic = obj(get('EventInvokeConfig'));
  const destinations = obj(r.resolve(eic.DestinationConfig, 'EventInvokeConfig.DestinationConfig'));
  const config: AsyncConfig = {
    maximumRetryAttempts: bounded(
      r.resolve(eic.MaximumRetryAttempts),
      DEFAULT_MAX_RETRY_ATTEMPTS,
      [0, 2],
      'EventInvokeConfig.MaximumRetryAttempts',
      unresolved,
    ),
    maximumEventAgeSeconds: bounded(
      r.resolve(eic.MaximumEventAgeInSeconds),
      DEFAULT_MAX_EVENT_AGE_SECONDS,
      [60, 21_600],
      'EventInvokeConfig.MaximumEventAgeInSeconds',
      unresolved,
    ),
  };
  const onSuccess = destination(obj(destinations.OnSuccess), 'Destination');
  const onFailure = destination(obj(destinations.OnFailure), 'Destination');
  if (onSuccess) config.onSuccess = onSuccess;
  if (onFailure) config.onFailure = onFailure;
  // SAM: DeadLetterQueue {Type, TargetArn}; CloudFormation: DeadLetterConfig {TargetArn} (type from the ARN).
  const dlq = obj(get('DeadLetterQueue'));
  const dlc = obj(get('DeadLetterConfig'));
  const deadLetter = destination(Object.keys(dlq).length ? dlq : dlc, 'TargetArn');
  if (deadLetter) config.deadLetter = deadLetter;
  return config;
}

function destination(d: Obj, key: 'Destination' | 'TargetArn'): AsyncTarget | undefined {
  const raw = d[key];
  if (raw === undefined || raw === null) return undefined;
  const target = typeof raw === 'string' ? raw : JSON.stringify(raw);
  const type = typeof d.Type === 'string' ? d.Type : typeFromArn(target);
  return { type, target };
}

/** arn:aws:sqs:… → SQS, arn:aws:sns:… → SNS, arn:aws:lambda:… → Lambda, arn:aws:events:… → EventBridge. */
function typeFromArn(arn: string): string {
  const service = arn.split(':')[2] ?? '';
  return { sqs: 'SQS', sns: 'SNS', lambda: 'Lambda', events: 'EventBridge' }[service] ?? 'Unknown';
}

function bounded(
  value: unknown,
  fallback: number,
  [min, max]: [number, number],
  name: string,
  unresolved: string[],
): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) {
    unresolved.push(`${name}: ${String(value)} (using ${fallback})`);
    return fallback;
  }
  if (n < min || n > max) unresolved.push(`${name}: ${n} is outside ${min}–${max} (using the nearest)`);
  return Math.min(max, Math.max(min, n));
}
