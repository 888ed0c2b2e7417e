/**
 * The Workbench API: every method with its input schema and result type, and every event the engine pushes.
 * Transports (Electron IPC, WebSocket, direct) are generic over this map, so adding a method here is all it takes.
 */
import { z } from 'zod';
import type {
  AppStatus,
  Blueprint,
  DockerStatus,
  FunctionInfo,
  ImagePullProgress,
  InvocationLog,
  InvocationResult,
  InvocationStarted,
  Project,
} from './types';

/** A method: its input schema, and (as a phantom) its result type. */
interface Method<I extends z.ZodType, O> {
  input: I;
  output?: O;
}
const method = <O>() => ({
  input: <I extends z.ZodType>(input: I): Method<I, O> => ({ input }),
});

const none = z.object({}).strict().optional();
const projectRef = z.object({ projectId: z.number().int().positive() }).strict();
const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path');

export const contract = {
  'app:status': method<AppStatus>().input(none),
  'docker:status': method<DockerStatus>().input(none),

  'projects:list': method<Project[]>().input(none),
  'projects:open': method<Project>().input(z.object({ path: absolutePath }).strict()),
  'projects:create': method<Project>().input(
    z
      .object({
        blueprint: z.string().min(1).max(100),
        path: absolutePath,
        name: z.string().min(1).max(200).optional(),
      })
      .strict(),
  ),
  'projects:functions': method<FunctionInfo[]>().input(projectRef),
  'blueprints:list': method<Blueprint[]>().input(none),

  'functions:invoke': method<InvocationResult>().input(
    z
      .object({
        projectId: z.number().int().positive(),
        functionId: z.string().min(1).max(256),
        /** The event as JSON text, exactly what Lambda's Invoke API takes. */
        payload: z.string(),
        /** Chosen by the caller so it can match streamed log lines before the result arrives. */
        invocationId: z.string().uuid().optional(),
        /** What started it, as recorded in History. */
        trigger: z.enum(['ui', 'cli', 'api', 'http', 'schedule']).default('ui'),
      })
      .strict(),
  ),
} as const;

/** Events the engine pushes to every client. Streams carry the id of what they belong to. */
export interface Events {
  'docker:status': DockerStatus;
  'image:pull': ImagePullProgress;
  'invocation:started': InvocationStarted;
  'invocation:log': InvocationLog;
  'invocation:finished': InvocationResult;
  /** A project's template changed on disk: its function list must be reloaded. */
  'project:changed': { projectId: number; reason: 'template' };
}

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type EventName = keyof Events;
export type Input<M extends MethodName> = z.input<Contract[M]['input']>;
export type Output<M extends MethodName> = NonNullable<Contract[M]['output']>;

/** What the engine implements: one async function per method, with the validated input. */
export type Handlers = { [M in MethodName]: (input: z.output<Contract[M]['input']>) => Promise<Output<M>> };

export const methodNames = Object.keys(contract) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}
