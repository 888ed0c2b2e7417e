/**
 * The engine: plain Node, no Electron. It wires the store, projects, Docker and the runtime together and
 * implements the Workbench API's handlers; every transport calls these same functions.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Handlers } from '../../shared/contract';
import { version } from '../cli/version';
import { createDockerClient, DockerExecutor, dockerStatus } from './docker';
import { DockerMonitor } from './docker-monitor';
import { EventBus } from './event-bus';
import { createFromBlueprint, listBlueprints } from './projects/blueprints';
import { ProjectCatalog } from './projects/catalog';
import type { Executor } from './runtime/executor';
import { imageMap } from './runtime/image-map';
import { Invoker } from './runtime/invoker';
import { Pool } from './runtime/pool';
import { ProcessExecutor } from './runtime/process-executor';
import { openDatabase } from './store/database';
import { InvocationsRepo } from './store/invocations-repo';
import { ProjectsRepo } from './store/projects-repo';

export interface Engine {
  handlers: Handlers;
  events: EventBus;
  close(): Promise<void>;
}

export interface EngineOptions {
  home: string;
  /** 'docker' (default) isolates environments; 'process' runs them unisolated, for machines without Docker. */
  executor?: 'docker' | 'process';
  keepAliveMs?: number;
  concurrencyLimit?: number;
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const events = new EventBus();
  mkdirSync(options.home, { recursive: true });
  const db = openDatabase(join(options.home, 'lambench.db'));
  const records = new InvocationsRepo(db);
  records.markInterrupted(isAlive);
  const catalog = new ProjectCatalog(new ProjectsRepo(db), events);

  const docker = createDockerClient();
  const monitor = new DockerMonitor(() => dockerStatus(docker), docker.endpoint, events);
  monitor.start();
  const kind = options.executor ?? (process.env.LAMBENCH_EXECUTOR === 'process' ? 'process' : 'docker');
  const executor: Executor =
    kind === 'process'
      ? new ProcessExecutor()
      : new DockerExecutor(docker, { onPullProgress: (p) => events.emit('image:pull', p) });
  if (kind === 'docker') void executor.reapOrphans().catch(() => 0);

  const pool = new Pool(executor, {
    keepAliveMs: options.keepAliveMs ?? 10 * 60_000,
    globalLimit: options.concurrencyLimit ?? 20,
  });
  const images = imageMap();
  const invoker = new Invoker(pool, events, records);

  const handlers: Handlers = {
    'app:status': async () => ({
      version,
      home: options.home,
      executor: kind,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
    }),
    'docker:status': () => (monitor.status.state === 'checking' ? monitor.check() : Promise.resolve(monitor.status)),
    'projects:list': async () => catalog.list(),
    'projects:open': ({ path }) => catalog.open(path),
    'projects:create': async ({ blueprint, path, name }) => {
      const created = await createFromBlueprint(blueprint, path, name);
      return catalog.open(created.path, created.name);
    },
    'projects:functions': ({ projectId }) => catalog.functions(projectId),
    'blueprints:list': async () => listBlueprints(),
    'functions:invoke': async ({ projectId, functionId, payload, invocationId, trigger }) => {
      const project = catalog.get(projectId);
      const { fn, codeVersion } = await catalog.function(projectId, functionId);
      return invoker.invoke({
        projectId,
        projectName: project.name,
        fn,
        payload,
        invocationId,
        trigger,
        codeVersion,
        image: images[fn.runtime] ?? '',
      });
    },
  };

  return {
    handlers,
    events,
    async close() {
      monitor.stop();
      await pool.shutdown();
      await catalog.close();
      records.flush();
      db.close();
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
