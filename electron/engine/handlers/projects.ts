import type { projectMethods } from '../../../shared/api/projects';
import type { HandlersFor } from '../../../shared/contract';
import { createFromBlueprint, listBlueprints } from '../projects/blueprints';
import type { Project } from '../../../shared/types';
import type { Services } from '../services';

export function projectHandlers({ catalog, versions }: Services): HandlersFor<typeof projectMethods> {
  /** Opening a project is its `sam deploy` moment for AutoPublishAlias. */
  const opened = async (project: Project) => {
    await versions.autoPublish(project.id);
    return project;
  };
  return {
    'projects:list': async () => catalog.list(),
    'projects:open': async ({ path }) => opened(await catalog.open(path)),
    'projects:create': async ({ blueprint, path, name }) => {
      const created = await createFromBlueprint(blueprint, path, name);
      return opened(await catalog.open(created.path, created.name));
    },
    'projects:rename': async ({ projectId, name }) => catalog.rename(projectId, name),
    'projects:remove': async ({ projectId }) => catalog.remove(projectId),
    'projects:functions': ({ projectId }) => catalog.functions(projectId),
    'functions:updateConfig': ({ projectId, functionId, patch }) =>
      catalog.updateConfig(projectId, functionId, patch),
    'blueprints:list': async () => listBlueprints(),
  };
}
