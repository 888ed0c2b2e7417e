import type { imageMethods } from '../../../shared/api/images';
import type { HandlersFor } from '../../../shared/contract';
import type { Services } from '../services';

export function imageHandlers({ catalog, functionImages }: Services): HandlersFor<typeof imageMethods> {
  return {
    'functions:image': async ({ projectId, functionId }) => {
      const { fn, codeVersion } = await catalog.function(projectId, functionId);
      return functionImages.status(projectId, fn, codeVersion);
    },
    'functions:buildImage': async ({ projectId, functionId }) => {
      const { fn, codeVersion } = await catalog.function(projectId, functionId);
      return functionImages.rebuild(projectId, fn, codeVersion);
    },
  };
}
