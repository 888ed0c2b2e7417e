import type { eventMethods } from '../../../shared/api/events';
import type { HandlersFor } from '../../../shared/contract';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { TestEvent } from '../../../shared/types';
import { generateEvent, listEventTemplates } from '../projects/event-templates';
import { checkEventBody, copyName, listEventFiles } from '../projects/test-events';
import type { Services } from '../services';

export function eventHandlers({ catalog, savedEvents }: Services): HandlersFor<typeof eventMethods> {
  /** The saved event `name`, or a clear error (read-only when only a file has that name). */
  async function saved(projectId: number, functionId: string, name: string): Promise<TestEvent> {
    const found = savedEvents.get(projectId, functionId, name);
    if (found) return found;
    const file = (await listEventFiles(catalog.get(projectId).path)).find((f) => f.name === name);
    if (file)
      throw new WorkbenchError(
        'EventReadOnly',
        `'${name}' is a file (${file.path}); Lambench does not change project files. Duplicate it to edit a copy.`,
        { name, path: file.path },
      );
    throw new WorkbenchError('EventNotFound', `No saved event '${name}' for function ${functionId}`, {
      projectId,
      functionId,
      name,
    });
  }

  return {
    'events:list': async ({ projectId, functionId }) => {
      const project = catalog.get(projectId);
      return [...savedEvents.list(projectId, functionId), ...(await listEventFiles(project.path))];
    },
    'events:save': async ({ projectId, functionId, name, body, overwrite }) => {
      checkEventBody(body);
      await catalog.find(projectId, functionId);
      return savedEvents.save(projectId, functionId, name, body, overwrite);
    },
    'events:rename': async ({ projectId, functionId, name, newName }) => {
      catalog.get(projectId);
      const event = await saved(projectId, functionId, name);
      if (newName === name) return event;
      return savedEvents.rename(projectId, functionId, name, newName) ?? saved(projectId, functionId, name);
    },
    'events:duplicate': async ({ projectId, functionId, name, source, newName }) => {
      const project = catalog.get(projectId);
      await catalog.find(projectId, functionId);
      const original =
        source === 'saved'
          ? await saved(projectId, functionId, name)
          : (await listEventFiles(project.path)).find((f) => f.name === name);
      if (!original)
        throw new WorkbenchError('EventNotFound', `No file events/${name} in ${project.path}`, {
          projectId,
          name,
        });
      checkEventBody(original.body);
      const taken = new Set(savedEvents.list(projectId, functionId).map((e) => e.name));
      // A file's copy is first named after the file ("event.json" → "event"), then "event copy".
      const base = source === 'file' ? name.replace(/\.json$/i, '') || name : name;
      const target = newName ?? (source === 'file' && !taken.has(base) ? base : copyName(base, taken));
      return savedEvents.save(projectId, functionId, target, original.body, false);
    },
    'events:delete': async ({ projectId, functionId, name }) => {
      catalog.get(projectId);
      const event = await saved(projectId, functionId, name);
      savedEvents.delete(projectId, functionId, name);
      return event;
    },
    'eventTemplates:list': async () => listEventTemplates(),
    'eventTemplates:generate': async ({ name }) => JSON.stringify(generateEvent(name), null, 2),
  };
}
