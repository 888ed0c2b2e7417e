import type { invocationMethods } from '../../../shared/api/invocations';
import type { HandlersFor } from '../../../shared/contract';
import type { Services } from '../services';

export function invocationHandlers({
  catalog,
  invoker,
  images,
  asyncInvoker,
}: Services): HandlersFor<typeof invocationMethods> {
  return {
    'functions:invoke': async ({ projectId, functionId, payload, invocationId, trigger, invocationType }) => {
      // catalog.function() checks the project too: one lookup on the warm path.
      const { fn, codeVersion } = await catalog.function(projectId, functionId);
      if (invocationType === 'Event') {
        const { eventId } = asyncInvoker.enqueue(
          { projectId, functionId, payload, trigger, invocationId },
          fn,
        );
        return asyncInvoker.nextResult(eventId);
      }
      return invoker.invoke({
        projectId,
        fn,
        payload,
        invocationId,
        trigger,
        codeVersion,
        image: images[fn.runtime] ?? '',
      });
    },
    'functions:stop': async ({ invocationId }) => {
      invoker.stop(invocationId);
      return { stopped: true };
    },
  };
}
