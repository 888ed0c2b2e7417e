/** Asynchronous invocation: the queue of events, their attempts, and the failed ones (dead letters). */
import { z } from 'zod';
import type { InvocationStatus } from '../types';
import { functionId, method, projectId } from './method';

export const asyncEventStatuses = ['queued', 'running', 'succeeded', 'failed'] as const;
export type AsyncEventStatus = (typeof asyncEventStatuses)[number];

const eventId = z.string().min(1).max(64);

export const asyncMethods = {
  /** Newest first; `status: ['failed']` is the Dead letters view. */
  'async:list': method<AsyncEventSummary[]>().input(
    z
      .object({
        projectId: projectId.optional(),
        functionId: functionId.optional(),
        status: z.array(z.enum(asyncEventStatuses)).min(1).max(asyncEventStatuses.length).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict()
      .optional(),
  ),
  /** One event with its payload, its attempts (History rows) and its destination record. */
  'async:get': method<AsyncEventDetail>().input(z.object({ eventId }).strict()),
  /** Queues a failed event again: three fresh attempts (as its retry policy allows), its age from now. */
  'async:redrive': method<AsyncEventSummary>().input(z.object({ eventId }).strict()),
  /** Forgets a finished event; its attempts stay in History. */
  'async:delete': method<{ deleted: true }>().input(z.object({ eventId }).strict()),
};

/** Lambda's destination condition: why the event ended where it did. */
export type DestinationCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

export interface AsyncEventSummary {
  /** Also the Lambda request id every attempt runs with. */
  eventId: string;
  projectId: number | null;
  functionId: string;
  status: AsyncEventStatus;
  /** Attempts that ran the function (throttles do not count, as on Lambda). */
  attempts: number;
  throttles: number;
  redrives: number;
  createdAt: number;
  updatedAt: number;
  /** When a queued event runs next. */
  nextAttemptAt?: number;
  lastInvocationId?: string;
  lastStatus?: Exclude<InvocationStatus, 'running'>;
  lastErrorType?: string;
  lastErrorMessage?: string;
  /** Where the template sends this outcome: OnSuccess, OnFailure or DeadLetterQueue, recorded locally. */
  destinationType?: 'OnSuccess' | 'OnFailure' | 'DeadLetterQueue';
  destinationTarget?: string;
  condition?: DestinationCondition;
}

export interface AsyncAttempt {
  invocationId: string;
  attempt: number | null;
  status: InvocationStatus;
  startedAt: number;
  durationMs?: number;
  errorType?: string;
  errorMessage?: string;
}

export interface AsyncEventDetail extends AsyncEventSummary {
  payload: string;
  attemptsRun: AsyncAttempt[];
  /** Lambda's destination record (version, timestamp, requestContext, …) or the DLQ message, as JSON. */
  destination?: string;
}
