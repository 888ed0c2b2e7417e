/**
 * The Workbench API: every method with its input schema and result type, and every event the engine pushes.
 * Methods are grouped by domain in shared/api/; transports (Electron IPC, WebSocket, direct) are generic over
 * this map, so adding a method to a domain file is all it takes.
 */
import type { z } from 'zod';
import { appMethods } from './api/app';
import { asyncMethods, type AsyncEventSummary } from './api/async';
import { costMethods } from './api/cost';
import { eventMethods } from './api/events';
import { historyMethods } from './api/history';
import { imageMethods } from './api/images';
import { hostOpenMethods } from './api/host-open';
import { invocationMethods } from './api/invocations';
import { localImageMethods } from './api/local-images';
import { invokeApiMethods } from './api/invoke-api';
import { projectMethods } from './api/projects';
import { settingsMethods } from './api/settings';
import { versionMethods } from './api/versions';
import { triggerMethods, type HttpEndpointStatus } from './api/triggers';
import type {
  DockerStatus,
  EnvironmentChange,
  ImagePullProgress,
  InvocationChunk,
  InvocationLog,
  InvocationFinished,
  InvocationStarted,
  SweepProgress,
} from './types';

export const contract = {
  ...appMethods,
  ...projectMethods,
  ...eventMethods,
  ...invocationMethods,
  ...settingsMethods,
  ...costMethods,
  ...historyMethods,
  ...imageMethods,
  ...localImageMethods,
  ...hostOpenMethods,
  ...versionMethods,
  ...triggerMethods,
  ...asyncMethods,
  ...invokeApiMethods,
};

/** Events the engine pushes to every client. Streams carry the id of what they belong to. */
export interface Events {
  'docker:status': DockerStatus;
  'image:pull': ImagePullProgress;
  'invocation:started': InvocationStarted;
  'invocation:log': InvocationLog;
  /** A streamed response's chunks, live, before `invocation:finished` carries the whole response. */
  'invocation:chunk': InvocationChunk;
  'invocation:finished': InvocationFinished;
  /** An environment's container (or process) started, failed to start, or stopped. */
  'environment:changed': EnvironmentChange;
  /** A project's template changed on disk, or its folder is gone: its function list must be reloaded. */
  'project:changed': { projectId: number; reason: 'template' | 'missing' };
  /** A memory sweep finished one more invocation, or ended (status other than 'running'). */
  'sweep:progress': SweepProgress;
  /** A function's versions or aliases changed (a publish, an alias moved, AutoPublishAlias, a delete). */
  'versions:changed': { projectId: number; functionId: string };
  /** A project's triggers changed (template, schedules switched, HTTP endpoint restarted); no id: all. */
  'triggers:changed': { projectId?: number; http: HttpEndpointStatus };
  /** An asynchronous event was queued, ran an attempt, or ended (succeeded, or failed into dead letters). */
  'async:changed': AsyncEventSummary;
}

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type EventName = keyof Events;
export type Input<M extends MethodName> = z.input<Contract[M]['input']>;
export type Output<M extends MethodName> = NonNullable<Contract[M]['output']>;

/** What the engine implements for a group of methods: one async function each, with the validated input. */
export type HandlersFor<C extends Record<string, { input: z.ZodType; output?: unknown }>> = {
  [M in keyof C]: (input: z.output<C[M]['input']>) => Promise<NonNullable<C[M]['output']>>;
};
export type Handlers = HandlersFor<Contract>;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}
