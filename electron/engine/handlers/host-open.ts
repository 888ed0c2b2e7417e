import type { hostOpenMethods } from '../../../shared/api/host-open';
import type { HandlersFor } from '../../../shared/contract';
import { WorkbenchError } from '../../../shared/rpc/errors';
import { handlerFile, openInEditor, openInFileManager } from '../host-open';
import type { Services } from '../services';

export function hostOpenHandlers({ catalog }: Services): HandlersFor<typeof hostOpenMethods> {
  return {
    'projects:openInEditor': async ({ projectId, functionId }) => {
      const project = catalog.get(projectId);
      if (!functionId) return openInEditor(project.path);
      const fn = (await catalog.functions(projectId)).find((f) => f.id === functionId);
      if (!fn) {
        throw new WorkbenchError('FunctionNotFound', `No function ${functionId} in ${project.name}`, {
          projectId,
          functionId,
        });
      }
      return openInEditor(handlerFile(fn));
    },
    'projects:openFolder': async ({ projectId }) => openInFileManager(catalog.get(projectId).path),
  };
}
