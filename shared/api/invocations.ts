import { z } from 'zod';
import type { InvocationResult } from '../types';
import { functionId, method, projectId } from './method';

export const invocationMethods = {
  'functions:invoke': method<InvocationResult>().input(
    z
      .object({
        projectId,
        functionId,
        /** The event as JSON text, exactly what Lambda's Invoke API takes. */
        payload: z.string(),
        /** Chosen by the caller so it can match streamed log lines before the result arrives. */
        invocationId: z.string().uuid().optional(),
        /** What started it, as recorded in History. */
        trigger: z.enum(['ui', 'cli', 'api', 'http', 'schedule', 's3', 'sqs']).default('ui'),
        /** $LATEST (the default), a version number or an alias, as Lambda's Qualifier. */
        qualifier: z.string().max(200).optional(),
        /**
         * 'Event' queues the event as Lambda's asynchronous invoke does (retries, dead letters) and resolves
         * with its first attempt (its `asyncEventId` names the event); retries go on in the background.
         */
        invocationType: z.enum(['RequestResponse', 'Event']).default('RequestResponse'),
        /**
         * The caller streams `invocation:log` and so has every line (the UI): the result's `logs` is left
         * empty rather than sent again; `logLines` says how many there were.
         */
        streamedLogs: z.boolean().optional(),
      })
      .strict(),
  ),
  /**
   * Stops a running invocation: the environment running it is killed and discarded. The invocation
   * then finishes as an error of type Lambench.Stopped. InvocationNotRunning when it is not running.
   */
  'functions:stop': method<{ stopped: true }>().input(z.object({ invocationId: z.string().uuid() }).strict()),
};
