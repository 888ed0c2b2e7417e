/** The template's event sources, live: HTTP routes, schedules, file-drop buckets. */
import { z } from 'zod';
import { functionId, method, none, projectId } from './method';

/** The local API Gateway's listener. */
export interface HttpEndpointStatus {
  /** The port in Settings (or --http-port) it should listen on. */
  configuredPort: number;
  /** Where it listens; absent when it could not start. */
  port?: number;
  url?: string;
  /** Why it is not listening, e.g. the port is in use, and what to do. */
  error?: string;
}

export type TriggerState = 'on' | 'off' | 'disabled' | 'unsupported' | 'error';

export interface TriggerInfo {
  projectId: number;
  functionId: string;
  /** The logical id under the function's `Events`. */
  eventId: string;
  /** SAM's event type: Api, HttpApi, Schedule, ScheduleV2, S3, SQS… */
  type: string;
  /**
   * on: live. off: schedules of a project whose schedules are switched off. disabled: the template turns it
   * off (Enabled: false). unsupported: Lambench does not run this event type. error: it cannot run, see `reason`.
   */
  state: TriggerState;
  reason?: string;
  summary: string;
  /** History's trigger and trigger source for the invocations it causes. */
  trigger?: 'http' | 'schedule' | 's3' | 'sqs';
  triggerSource?: string;
  http?: {
    method: string;
    path: string;
    routeKey: string;
    /** A URL to open (path parameters filled with samples), when the endpoint listens. */
    url?: string;
    curl?: string;
    payloadFormatVersion: '1.0' | '2.0';
    stage: string;
    cors: boolean;
  };
  schedule?: {
    expression: string;
    ruleName: string;
    /** Epoch ms; the next five, whether or not the schedule is on. */
    nextFireTimes: number[];
    input?: string;
  };
  sqs?: {
    queue: string;
    arn: string;
    batchSize: number;
    batchingWindowSeconds: number;
    reportBatchItemFailures: boolean;
    /** Messages waiting, and received by a batch but not yet deleted. */
    visible: number;
    inFlight: number;
  };
  s3?: {
    bucket: string;
    /** The local folder standing in for the bucket. */
    folder: string;
    events: string[];
    prefix?: string;
    suffix?: string;
  };
}

export interface ProjectTriggers {
  projectId: number;
  schedulesEnabled: boolean;
  http: HttpEndpointStatus;
  triggers: TriggerInfo[];
}

export const triggerMethods = {
  /** A project's triggers (one function's, with `functionId`). */
  'triggers:list': method<ProjectTriggers>().input(
    z.object({ projectId, functionId: functionId.optional() }).strict(),
  ),
  /** Switches every schedule of a project on or off; the choice is saved. */
  'triggers:setSchedulesEnabled': method<ProjectTriggers>().input(
    z.object({ projectId, enabled: z.boolean() }).strict(),
  ),
  'triggers:http': method<HttpEndpointStatus>().input(none),
  /** Sends a message to the local queue an SQS event reads (by the event's id); SQS's 256 KB limit. */
  'triggers:sendMessage': method<{ messageId: string }>().input(
    z
      .object({
        projectId,
        functionId,
        eventId: z.string().min(1).max(256),
        body: z
          .string()
          .min(1, 'A message needs a body')
          .max(256 * 1024),
      })
      .strict(),
  ),
};
