import type { invocationMethods } from '../../../shared/api/invocations';
import type { HandlersFor } from '../../../shared/contract';
import type { Services } from '../services';

export function invocationHandlers({
  catalog,
  invoker,
  images,
}: Services): HandlersFor<typeof invocationMethods> {
  return {
    'functions:invoke': async ({ projectId, functionId, payload, invocationId, trigger }) => {
      // catalog.function() checks the project too: one lookup on the warm path.
      const { fn, codeVersion } = await catalog.function(projectId, functionId);
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
