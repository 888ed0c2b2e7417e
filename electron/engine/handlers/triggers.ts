import type { triggerMethods } from '../../../shared/api/triggers';
import type { HandlersFor } from '../../../shared/contract';
import type { Services } from '../services';

export function triggerHandlers({ triggers }: Services): HandlersFor<typeof triggerMethods> {
  return {
    'triggers:list': ({ projectId, functionId }) => triggers.list(projectId, functionId),
    'triggers:setSchedulesEnabled': ({ projectId, enabled }) =>
      triggers.setSchedulesEnabled(projectId, enabled),
    'triggers:http': async () => triggers.httpEndpoint(),
    'triggers:sendMessage': async ({ projectId, functionId, eventId, body }) =>
      triggers.sendMessage(projectId, functionId, eventId, body),
  };
}
