import type { invocationMethods } from '../../../shared/api/invocations';
import type { HandlersFor } from '../../../shared/contract';
import type { InvocationResult } from '../../../shared/types';
import type { Services } from '../services';

export function invocationHandlers({
  versions,
  invoker,
  images,
  asyncInvoker,
}: Services): HandlersFor<typeof invocationMethods> {
  return {
    'functions:invoke': async ({
      projectId,
      functionId,
      payload,
      invocationId,
      trigger,
      qualifier,
      invocationType,
      streamedLogs,
    }) => {
      // $LATEST is catalog.function(), which checks the project too: one lookup on the warm path.
      const resolved = await versions.resolve(projectId, functionId, qualifier);
      if (invocationType === 'Event') {
        // Each attempt resolves the qualifier again, as the queue runs it.
        const { eventId } = asyncInvoker.enqueue(
          { projectId, functionId, payload, trigger, invocationId, qualifier },
          resolved.fn,
        );
        return withoutLogs(await asyncInvoker.nextResult(eventId), streamedLogs);
      }
      // The spread first: V8 copies an object's leading spread fast, a later one slowly.
      const result = await invoker.invoke({
        ...resolved,
        projectId,
        payload,
        invocationId,
        trigger,
        image: images[resolved.fn.runtime] ?? '',
      });
      return withoutLogs(result, streamedLogs);
    },
    'functions:stop': async ({ invocationId }) => {
      invoker.stop(invocationId);
      return { stopped: true };
    },
  };
}

function withoutLogs(result: InvocationResult, streamed: boolean | undefined): InvocationResult {
  return streamed ? { ...result, logs: '' } : result;
}
