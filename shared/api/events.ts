import { z } from 'zod';
import type { EventTemplateInfo, TestEvent } from '../types';
import { functionId, method, none, projectId } from './method';

/** 1–100 characters after trimming, no control characters; unique per function (checked by the engine). */
export const eventName = z
  .string()
  .trim()
  .min(1, 'an event name needs at least 1 character')
  .max(100, 'an event name has at most 100 characters')
  .refine((n) => !/\p{Cc}/u.test(n), 'an event name cannot contain control characters');

const ofFunction = { projectId, functionId };

export const eventMethods = {
  /** Saved events (source 'saved'), then the project's `events/*.json` files (source 'file', read-only). */
  'events:list': method<TestEvent[]>().input(z.object(ofFunction).strict()),
  /** Saves `body` (JSON text, at most 6 MB) under `name`; with `overwrite: false` an existing name is refused. */
  'events:save': method<TestEvent>().input(
    z
      .object({ ...ofFunction, name: eventName, body: z.string(), overwrite: z.boolean().default(true) })
      .strict(),
  ),
  'events:rename': method<TestEvent>().input(
    z.object({ ...ofFunction, name: eventName, newName: eventName }).strict(),
  ),
  /** Copies a saved or file event into a new saved one; `newName` defaults to "<name> copy". */
  'events:duplicate': method<TestEvent>().input(
    z
      .object({
        ...ofFunction,
        name: eventName,
        source: z.enum(['saved', 'file']).default('saved'),
        newName: eventName.optional(),
      })
      .strict(),
  ),
  /** Deletes a saved event and returns it; file events are the user's files and are never deleted. */
  'events:delete': method<TestEvent>().input(z.object({ ...ofFunction, name: eventName }).strict()),
  'eventTemplates:list': method<EventTemplateInfo[]>().input(none),
  /** A fresh sample event as pretty JSON text (2 spaces), like `sam local generate-event`. */
  'eventTemplates:generate': method<string>().input(z.object({ name: z.string().min(1).max(100) }).strict()),
};
