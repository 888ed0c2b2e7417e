import type { imageMethods } from '../../../shared/api/images';
import type { HandlersFor } from '../../../shared/contract';
import type { Services } from '../services';

export function imageHandlers({ catalog, imageBuilder }: Services): HandlersFor<typeof imageMethods> {
  return {
    'functions:image': async ({ projectId, functionId }) => {
      const { fn, codeVersion } = await catalog.function(projectId, functionId);
      return imageBuilder.status(projectId, fn, codeVersion);
    },
    'functions:buildImage': async ({ projectId, functionId }) => {
      const { fn, codeVersion } = await catalog.function(projectId, functionId);
      return imageBuilder.rebuild(projectId, fn, codeVersion);
    },
  };
}
