import type { versionMethods } from '../../../shared/api/versions';
import type { HandlersFor } from '../../../shared/contract';
import type { Services } from '../services';

export function versionHandlers({ versions }: Services): HandlersFor<typeof versionMethods> {
  return {
    'versions:list': ({ projectId, functionId }) => versions.list(projectId, functionId),
    'versions:publish': ({ projectId, functionId, description }) =>
      versions.publish(projectId, functionId, description),
    'versions:delete': ({ projectId, functionId, version }) =>
      versions.deleteVersion(projectId, functionId, version),
    'versions:compare': ({ projectId, functionId, a, b }) => versions.compare(projectId, functionId, a, b),
    'aliases:create': ({ projectId, functionId, ...alias }) =>
      versions.createAlias(projectId, functionId, alias),
    'aliases:update': ({ projectId, functionId, ...alias }) =>
      versions.updateAlias(projectId, functionId, alias),
    'aliases:delete': ({ projectId, functionId, name }) => versions.deleteAlias(projectId, functionId, name),
  };
}
