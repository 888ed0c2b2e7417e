import type { asyncMethods } from '../../../shared/api/async';
import type { HandlersFor } from '../../../shared/contract';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { Services } from '../services';

export function asyncHandlers({
  asyncEvents,
  asyncInvoker,
  events,
}: Services): HandlersFor<typeof asyncMethods> {
  const known = (eventId: string) => {
    const event = asyncEvents.get(eventId);
    if (!event)
      throw new WorkbenchError('AsyncEventNotFound', `No asynchronous event ${eventId}`, { eventId });
    return event;
  };
  return {
    'async:list': async (input) => asyncEvents.list(input ?? { limit: 100 }),
    'async:get': async ({ eventId }) => known(eventId),
    'async:redrive': async ({ eventId }) => {
      const event = known(eventId);
      if (!asyncEvents.redrive(eventId)) {
        throw new WorkbenchError(
          'AsyncEventNotFailed',
          `Event ${eventId} is ${event.status}: only failed events can be redriven`,
          { eventId, status: event.status },
        );
      }
      asyncInvoker.wake();
      const summary = asyncEvents.summary(eventId)!;
      events.emit('async:changed', summary);
      return summary;
    },
    'async:delete': async ({ eventId }) => {
      const event = known(eventId);
      if (!asyncEvents.delete(eventId)) {
        throw new WorkbenchError('AsyncEventRunning', `Event ${eventId} is running; delete it once it ends`, {
          eventId,
          status: event.status,
        });
      }
      return { deleted: true };
    },
  };
}
