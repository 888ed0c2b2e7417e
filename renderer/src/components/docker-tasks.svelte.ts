/**
 * Docker work in progress: image pulls (per layer), image builds (per step) and environment starts. Kept at module level and fed by
 * engine events from the moment the UI loads, so a pull started on one page is still followed on another.
 */
import type {
  EnvironmentChange,
  ImagePullProgress,
  InvocationFinished,
  LocalImageOutcome,
  PullOutcome,
} from '../../../shared/types';
import { api } from '../lib/api';

export interface LayerProgress {
  id: string;
  status: string;
  current?: number;
  total?: number;
  done: boolean;
}

export interface DockerTask {
  id: string;
  kind: 'pull' | 'build' | 'environment';
  title: string;
  detail: string;
  state: 'running' | 'done' | 'failed';
  error?: string;
  /** Pulls only, in the order the engine first reported them. */
  layers: LayerProgress[];
  /** Builds only: the Dockerfile's steps as Docker reported them (`Step 2/5 : COPY …`). */
  steps?: string[];
  /** Builds only: the last lines of Docker's build log. */
  log?: string[];
  startedAt: number;
  endedAt?: number;
  /** What the task is about: the image, or the environment id. */
  subject: string;
}

/** How long a finished environment start stays listed; pulls stay until cleared. */
const ENVIRONMENT_LINGER_MS = 8000;
const MAX_TASKS = 30;
/** Build log lines a task keeps (the panel shows the end of a failed build's). */
const BUILD_LOG_LINES = 40;

export const dockerTasks = $state({
  tasks: [] as DockerTask[],
  expanded: false,
});

export const runningTasks = () => dockerTasks.tasks.filter((t) => t.state === 'running');

export function taskFor(kind: DockerTask['kind'], subject: string): DockerTask | undefined {
  return dockerTasks.tasks.find((t) => t.kind === kind && t.subject === subject && t.state === 'running');
}

/** Pulls an image through the engine; progress arrives as `image:pull` events. Throws the engine's error. */
export async function pullImage(image: string): Promise<PullOutcome> {
  const task = taskFor('pull', image) ?? addTask('pull', image, `Pull ${image}`, 'Starting…');
  dockerTasks.expanded = true;
  try {
    const outcome = await api.call('images:pull', { image });
    end(task, 'done', outcome.result === 'present' ? 'Already on this machine' : 'Pulled');
    return outcome;
  } catch (error) {
    end(task, 'failed', 'Failed', (error as Error).message);
    throw error;
  }
}

/**
 * Builds a runtime's local image through the engine (which then points the runtime at it); progress arrives
 * as `image:pull` events of kind 'build'. Throws the engine's error.
 */
export async function buildLocalImage(runtime: string): Promise<LocalImageOutcome> {
  dockerTasks.expanded = true;
  return api.call('images:buildLocal', { runtime });
}

export function clearFinished(): void {
  dockerTasks.tasks = dockerTasks.tasks.filter((t) => t.state === 'running');
}

export function dismissTask(id: string): void {
  dockerTasks.tasks = dockerTasks.tasks.filter((t) => t.id !== id);
}

/** 0–1 for a layer, or undefined while its size is unknown. */
export function layerFraction(layer: LayerProgress): number | undefined {
  if (layer.done) return 1;
  if (!layer.total || layer.current === undefined) return undefined;
  return Math.min(1, layer.current / layer.total);
}

let nextId = 1;

function addTask(kind: DockerTask['kind'], subject: string, title: string, detail: string): DockerTask {
  dockerTasks.tasks.unshift({
    id: `${kind}-${nextId++}`,
    kind,
    subject,
    title,
    detail,
    state: 'running',
    layers: [],
    startedAt: Date.now(),
  });
  if (dockerTasks.tasks.length > MAX_TASKS) dockerTasks.tasks.length = MAX_TASKS;
  // The proxy from the store, so later changes are reactive.
  return dockerTasks.tasks[0];
}

function end(task: DockerTask, state: 'done' | 'failed', detail: string, error?: string): void {
  if (task.state !== 'running') return;
  Object.assign(task, { state, detail, error, endedAt: Date.now() });
  if (task.kind === 'environment' && state === 'done') {
    setTimeout(() => dismissTask(task.id), ENVIRONMENT_LINGER_MS);
  }
}

function onBuild(p: ImagePullProgress): void {
  let task = taskFor('build', p.image);
  if (!task) {
    task = addTask('build', p.image, `Build ${p.image}`, p.status);
    Object.assign(task, { steps: [], log: [] });
  }
  if (p.error) return end(task, 'failed', 'Build failed', p.error);
  if (p.done) return end(task, 'done', task.steps?.length ? `Built · ${task.steps.length} steps` : 'Built');
  const step = /^Step (\d+\/\d+) : (.*)$/.exec(p.status);
  if (step) {
    task.steps?.push(p.status);
    task.detail = `Step ${step[1]}: ${step[2]}`;
  } else if (!task.steps?.length) {
    task.detail = p.status;
  }
  task.log?.push(p.status);
  if (task.log && task.log.length > BUILD_LOG_LINES) task.log.splice(0, task.log.length - BUILD_LOG_LINES);
}

function onPull(p: ImagePullProgress): void {
  if (p.kind === 'build') return onBuild(p);
  const task = taskFor('pull', p.image) ?? addTask('pull', p.image, `Pull ${p.image}`, p.status);
  if (p.layer) {
    const layer = task.layers.find((l) => l.id === p.layer);
    const next = { id: p.layer, status: p.status, current: p.current, total: p.total, done: p.done };
    if (layer) Object.assign(layer, next);
    else task.layers.push(next);
    return;
  }
  if (p.error) end(task, 'failed', 'Failed', p.error);
  else if (p.status === 'Pulled') end(task, 'done', 'Pulled');
  else if (p.status) task.detail = p.status;
}

function onEnvironment(c: EnvironmentChange): void {
  const task = taskFor('environment', c.environmentId);
  if (c.state === 'starting') {
    addTask(
      'environment',
      c.environmentId,
      `Cold start · ${c.functionId ?? c.functionName}`,
      'Creating container',
    );
  } else if (!task) {
    return;
  } else if (c.state === 'started') {
    task.detail = 'Initializing runtime';
  } else if (c.state === 'failed') {
    end(task, 'failed', 'Could not start', c.error);
  } else {
    end(task, 'failed', 'Stopped before it was ready');
  }
}

/** A cold start's task ends with the invocation that waited for it, with its init time. */
function onFinished(r: InvocationFinished): void {
  const task = r.environmentId ? taskFor('environment', r.environmentId) : undefined;
  if (!task) return;
  if (r.error && r.durationMs === 0)
    end(task, 'failed', 'Init failed', `${r.error.type}: ${r.error.message}`);
  else if (r.initDurationMs !== undefined)
    end(task, 'done', `Ready · init ${r.initDurationMs.toFixed(0)} ms`);
  else end(task, 'done', 'Ready');
}

api.on('image:pull', onPull);
api.on('environment:changed', onEnvironment);
api.on('invocation:finished', onFinished);
