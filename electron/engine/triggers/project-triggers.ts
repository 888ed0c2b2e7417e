/**
 * One project's triggers, read from its loaded template: the routes it serves, the schedules it could
 * arm, the buckets it watches, and a line for every event (unsupported ones with their reason).
 */
import type { TriggerInfo } from '../../../shared/api/triggers';
import type { Project } from '../../../shared/types';
import { IMPLICIT_HTTP_API, IMPLICIT_REST_API, type ApiResource } from '../projects/api-resources';
import type { ApiEvent, HttpApiEvent, S3Event, ScheduleEvent, SqsEvent } from '../projects/function-events';
import { triggerSummary } from '../projects/function-events';
import type { LoadedFunction, LoadedTemplate } from '../projects/template';
import { routeKey, type HttpRoute } from './http/routes';
import { bucketDir } from './s3/file-drop';
import { parseSchedule, type Schedule } from './schedule/aws-schedule';
import { scheduleArn } from './schedule/scheduled-event';

export interface ScheduleTrigger {
  key: string;
  projectId: number;
  functionId: string;
  event: ScheduleEvent;
  ruleName: string;
  arn: string;
  /** Undefined when the expression does not parse (the info says why). */
  make?: (anchor: number) => Schedule;
}

export interface S3Trigger {
  projectId: number;
  functionId: string;
  event: S3Event;
  bucket: string;
  folder: string;
}

export interface SqsTrigger {
  key: string;
  projectId: number;
  functionId: string;
  event: SqsEvent;
  queueName: string;
  arn: string;
}

export interface ProjectTriggerSet {
  routes: HttpRoute[];
  schedules: ScheduleTrigger[];
  buckets: S3Trigger[];
  queues: SqsTrigger[];
  infos: TriggerInfo[];
}

/** SQS's defaults for an event source mapping. */
export const SQS_DEFAULT_BATCH = 10;

const SUPPORTED = new Set(['Api', 'HttpApi', 'Schedule', 'ScheduleV2', 'S3', 'SQS']);

export function projectTriggers(project: Project, template: LoadedTemplate): ProjectTriggerSet {
  const set: ProjectTriggerSet = { routes: [], schedules: [], buckets: [], queues: [], infos: [] };
  for (const fn of template.functions) {
    for (const event of fn.events) {
      const info: TriggerInfo = {
        projectId: project.id,
        functionId: fn.id,
        eventId: event.id,
        type: event.type,
        state: 'on',
        summary: triggerSummary(event).summary,
      };
      set.infos.push(info);
      if (!SUPPORTED.has(event.type)) {
        info.state = 'unsupported';
        info.reason = `Lambench does not run ${event.type || 'untyped'} events yet: invoke the function with a sample ${event.type || ''} event from the Invoke tab.`;
        continue;
      }
      if (fn.unsupported) {
        info.state = 'error';
        info.reason = `The function cannot run here: ${fn.unsupported}`;
        continue;
      }
      if (event.type === 'Api' || event.type === 'HttpApi')
        addRoute(set, info, project, fn, event as ApiEvent | HttpApiEvent, template.apis);
      else if (event.type === 'S3') addBucket(set, info, project, fn, event as S3Event);
      else if (event.type === 'SQS') addQueue(set, info, project, fn, event as SqsEvent);
      else addSchedule(set, info, project, fn, event as ScheduleEvent);
    }
  }
  return set;
}

function findApi(apis: ApiResource[], kind: 'Api' | 'HttpApi', ref: string | undefined): ApiResource {
  const implicit = kind === 'Api' ? IMPLICIT_REST_API : IMPLICIT_HTTP_API;
  const byRef = ref ? apis.find((a) => a.kind === kind && (a.id === ref || a.name === ref)) : undefined;
  return byRef ?? apis.find((a) => a.id === implicit)!;
}

function addRoute(
  set: ProjectTriggerSet,
  info: TriggerInfo,
  project: Project,
  fn: LoadedFunction,
  event: ApiEvent | HttpApiEvent,
  apis: ApiResource[],
): void {
  const kind = event.type;
  const api = findApi(apis, kind, kind === 'Api' ? event.restApiId : event.apiId);
  const path = event.path ?? '$default';
  const method = event.method === undefined || event.method === 'ANY' ? 'ANY' : event.method;
  const version = kind === 'HttpApi' && event.payloadFormatVersion !== '1.0' ? '2.0' : '1.0';
  const key = routeKey(method, path);
  set.routes.push({
    projectId: project.id,
    projectName: project.name,
    functionId: fn.id,
    eventId: event.id,
    kind,
    method,
    path,
    payloadFormatVersion: version,
    api,
    prefix: '',
    routeKey: key,
  });
  info.trigger = 'http';
  info.triggerSource = key;
  info.http = {
    method,
    path,
    routeKey: key,
    payloadFormatVersion: version,
    stage: api.stage,
    cors: api.cors !== undefined,
  };
}

function addSchedule(
  set: ProjectTriggerSet,
  info: TriggerInfo,
  project: Project,
  fn: LoadedFunction,
  event: ScheduleEvent,
): void {
  // SAM names the rule after the function and the event: MyFunctionMyEvent.
  const ruleName = event.name ?? `${fn.id}${event.id}`;
  const trigger: ScheduleTrigger = {
    key: `${project.id}/${fn.id}/${event.id}`,
    projectId: project.id,
    functionId: fn.id,
    event,
    ruleName,
    arn: scheduleArn(event.type, ruleName),
  };
  info.trigger = 'schedule';
  info.triggerSource = ruleName;
  info.schedule = { expression: event.schedule, ruleName, nextFireTimes: [], input: event.input };
  try {
    parseSchedule(event.schedule, 0, event.timezone);
    if (event.input !== undefined) JSON.parse(event.input);
    trigger.make = (anchor) => parseSchedule(event.schedule, anchor, event.timezone);
  } catch (error) {
    info.state = 'error';
    info.reason =
      error instanceof SyntaxError
        ? `Input is not JSON (${error.message}); EventBridge would send it to the function as the event`
        : (error as Error).message;
  }
  if (info.state !== 'error' && !event.enabled) {
    info.state = 'disabled';
    info.reason = 'The template disables this schedule (Enabled: false / State: DISABLED)';
  }
  set.schedules.push(trigger);
}

function addBucket(
  set: ProjectTriggerSet,
  info: TriggerInfo,
  project: Project,
  fn: LoadedFunction,
  event: S3Event,
): void {
  const bucket = event.bucket;
  info.trigger = 's3';
  // One folder per bucket: a key is whatever path the file has below it.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(bucket) || bucket.includes('..')) {
    info.state = 'error';
    info.reason = `Bucket '${bucket}' is not a bucket name Lambench can map to a folder: use !Ref to an AWS::S3::Bucket in this template (its BucketName or logical id is used)`;
    info.s3 = { bucket, folder: '', events: event.events };
    return;
  }
  const folder = bucketDir(project.path, bucket);
  info.s3 = { bucket, folder, events: event.events, ...event.filter };
  set.buckets.push({ projectId: project.id, functionId: fn.id, event, bucket, folder });
}

function addQueue(
  set: ProjectTriggerSet,
  info: TriggerInfo,
  project: Project,
  fn: LoadedFunction,
  event: SqsEvent,
): void {
  // Queue: !GetAtt MyQueue.Arn resolves (leniently) to arn:aws:sqs:region:account:QueueName.
  const arn = event.queue.startsWith('arn:')
    ? event.queue
    : `arn:aws:sqs:us-east-1:123456789012:${event.queue}`;
  const queueName = arn.split(':').pop() ?? '';
  const batchSize = event.batchSize ?? SQS_DEFAULT_BATCH;
  info.trigger = 'sqs';
  info.triggerSource = queueName;
  info.sqs = {
    queue: queueName,
    arn,
    batchSize,
    batchingWindowSeconds: event.batchingWindowSeconds ?? 0,
    reportBatchItemFailures: event.reportBatchItemFailures ?? false,
    visible: 0,
    inFlight: 0,
  };
  if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(queueName)) {
    info.state = 'error';
    info.reason = `Queue '${event.queue}' is not a queue of this template: use !GetAtt MyQueue.Arn`;
    return;
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    info.state = 'error';
    info.reason = `BatchSize ${event.batchSize} is outside SQS's 1–10,000`;
    return;
  }
  if (event.enabled === false) {
    info.state = 'disabled';
    info.reason = 'The template disables this event source (Enabled: false)';
    return;
  }
  set.queues.push({
    key: `${project.id}/${fn.id}/${event.id}`,
    projectId: project.id,
    functionId: fn.id,
    event,
    queueName,
    arn,
  });
}
