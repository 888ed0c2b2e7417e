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
      const project = catalog.get(projectId);
      const { fn, codeVersion } = await catalog.function(projectId, functionId);
      return invoker.invoke({
        projectId,
        projectName: project.name,
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
