import type { invocationMethods } from '../../../shared/api/invocations';
import type { HandlersFor } from '../../../shared/contract';
import type { Services } from '../services';

export function invocationHandlers({
  versions,
  invoker,
  images,
}: Services): HandlersFor<typeof invocationMethods> {
  return {
    'functions:invoke': async ({ projectId, functionId, payload, invocationId, trigger, qualifier }) => {
      // $LATEST is catalog.function(), which checks the project too: one lookup on the warm path.
      const resolved = await versions.resolve(projectId, functionId, qualifier);
      return invoker.invoke({
        projectId,
        ...resolved,
        payload,
        invocationId,
        trigger,
        image: images[resolved.fn.runtime] ?? '',
      });
    },
    'functions:stop': async ({ invocationId }) => {
      invoker.stop(invocationId);
      return { stopped: true };
    },
  };
}
