/**
 * The engine: plain Node, no Electron. It wires the store, projects, Docker and the runtime together;
 * the handlers in handlers/ implement the Workbench API on top, and every transport calls those.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Handlers } from '../../shared/contract';
import { createDockerClient, DockerExecutor, dockerStatus } from './docker';
import { DockerMonitor } from './docker-monitor';
import { EventBus } from './event-bus';
import { appHandlers } from './handlers/app';
import { invocationHandlers } from './handlers/invocations';
import { projectHandlers } from './handlers/projects';
import { ProjectCatalog } from './projects/catalog';
import type { Executor } from './runtime/executor';
import { imageMap } from './runtime/image-map';
import { Invoker } from './runtime/invoker';
import { Pool } from './runtime/pool';
import { ProcessExecutor } from './runtime/process-executor';
import type { Services } from './services';
import { openDatabase } from './store/database';
import { InvocationsRepo } from './store/invocations-repo';
import { ProjectsRepo } from './store/projects-repo';

export interface Engine {
  handlers: Handlers;
  events: EventBus;
  /** The parts, for tests and benchmarks that need to look inside. */
  services: Services;
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
  const dockerMonitor = new DockerMonitor(() => dockerStatus(docker), docker.endpoint, events);
  dockerMonitor.start();
  const executorKind =
    options.executor ?? (process.env.LAMBENCH_EXECUTOR === 'process' ? 'process' : 'docker');
  const executor: Executor =
    executorKind === 'process'
      ? new ProcessExecutor()
      : new DockerExecutor(docker, { onPullProgress: (p) => events.emit('image:pull', p) });
  await executor.reapOrphans().catch(() => 0);

  const pool = new Pool(executor, {
    keepAliveMs: options.keepAliveMs ?? 10 * 60_000,
    globalLimit: options.concurrencyLimit ?? 20,
  });
  const invoker = new Invoker(pool, events, records);
  const services: Services = {
    home: options.home,
    executorKind,
    events,
    db,
    records,
    catalog,
    docker,
    dockerMonitor,
    pool,
    invoker,
    images: imageMap(),
  };

  return {
    handlers: { ...appHandlers(services), ...projectHandlers(services), ...invocationHandlers(services) },
    events,
    services,
    async close() {
      dockerMonitor.stop();
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
