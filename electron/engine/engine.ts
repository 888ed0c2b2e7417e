/**
 * The engine: plain Node, no Electron. It wires the store, projects, Docker and the runtime together;
 * the handlers in handlers/ implement the Workbench API on top, and every transport calls those.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Handlers } from '../../shared/contract';
import { SweepRunner } from './cost/sweep-runner';
import { createDockerClient, DockerExecutor, dockerStatus } from './docker';
import { DockerMonitor } from './docker-monitor';
import { FunctionImages } from './docker/function-images';
import { withEnvironmentEvents } from './environment-events';
import { EventBus } from './event-bus';
import { isProcessAlive } from './process-alive';
import { appHandlers } from './handlers/app';
import { costHandlers } from './handlers/cost';
import { eventHandlers } from './handlers/events';
import { historyHandlers } from './handlers/history';
import { imageHandlers } from './handlers/images';
import { invocationHandlers } from './handlers/invocations';
import { projectHandlers } from './handlers/projects';
import { settingsHandlers } from './handlers/settings';
import { ProjectCatalog } from './projects/catalog';
import type { Executor } from './runtime/executor';
import { imageMap } from './runtime/image-map';
import { Invoker } from './runtime/invoker';
import { Pool } from './runtime/pool';
import { ProcessExecutor } from './runtime/process-executor';
import type { Services } from './services';
import { EventsRepo } from './store/events-repo';
import { HistoryRepo } from './store/history-repo';
import { InvocationsRepo } from './store/invocations-repo';
import { MetricsQuery } from './store/metrics-query';
import { ProvisionedConcurrency } from './runtime/provisioned';
import { openStore } from './store/open-store';
import { ProjectsRepo } from './store/projects-repo';
import { Retention } from './store/retention';
import { SettingsRepo } from './store/settings-repo';

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
  // An unusable database file falls back to memory with a warning, so the app still opens.
  const store = openStore(join(options.home, 'lambench.db'));
  if (store.warning) console.error(`lambench: ${store.warning}`);
  const { db } = store;
  const records = new InvocationsRepo(db);
  records.markInterrupted(isProcessAlive);
  const catalog = new ProjectCatalog(new ProjectsRepo(db), events);
  const settingsRepo = new SettingsRepo(db);
  const settings = settingsRepo.get();
  const flushFirst = () => records.flush();
  const retention = new Retention(db, () => settingsRepo.get(), flushFirst);
  retention.start(undefined, (e) => console.error(`lambench: History retention failed: ${e.message}`));

  const docker = dockerClientFor(settings.dockerEndpoint);
  const dockerMonitor = new DockerMonitor(() => dockerStatus(docker), docker.endpoint, events);
  dockerMonitor.start();
  const executorKind =
    options.executor ?? (process.env.LAMBENCH_EXECUTOR === 'process' ? 'process' : 'docker');
  const executor: Executor =
    executorKind === 'process'
      ? new ProcessExecutor()
      : new DockerExecutor(docker, {
          cpuScaling: settings.cpuScaling,
          onPullProgress: (p) => events.emit('image:pull', p),
        });
  await executor.reapOrphans().catch(() => 0);

  const pool = new Pool(withEnvironmentEvents(executor, events), {
    keepAliveMs: options.keepAliveMs ?? settings.keepAliveSeconds * 1000,
    globalLimit: options.concurrencyLimit ?? settings.concurrencyLimit,
  });
  const imageBuilder = new FunctionImages(docker, {
    projectName: (projectId) => catalog.get(projectId).name,
    onProgress: (p) => events.emit('image:pull', p),
    executorKind,
  });
  const invoker = new Invoker(pool, events, records, imageBuilder);
  const services: Services = {
    home: options.home,
    executorKind,
    events,
    db,
    records,
    history: new HistoryRepo(db, flushFirst),
    metrics: new MetricsQuery(db, flushFirst),
    retention,
    storeWarning: () => store.warning ?? records.writeError,
    savedEvents: new EventsRepo(db),
    catalog,
    docker,
    dockerMonitor,
    pool,
    invoker,
    images: imageMap(settings.images),
    settings: settingsRepo,
    startupSettings: { dockerEndpoint: settings.dockerEndpoint, cpuScaling: settings.cpuScaling },
    sweeps: new SweepRunner(db),
    imageBuilder,
  };
  services.provisioned = new ProvisionedConcurrency(
    catalog,
    pool,
    services.images,
    () => settingsRepo.get().provisionedConcurrency,
  );
  services.provisioned.start();

  return {
    handlers: {
      ...appHandlers(services),
      ...projectHandlers(services),
      ...eventHandlers(services),
      ...invocationHandlers(services),
      ...settingsHandlers(services),
      ...costHandlers(services),
      ...historyHandlers(services),
      ...imageHandlers(services),
    },
    events,
    services,
    async close() {
      const sweepStopped = services.sweeps.stop(); // ends after the invocation in flight, which shutdown ends
      dockerMonitor.stop();
      services.provisioned?.stop();
      await pool.shutdown();
      await sweepStopped;
      await catalog.close();
      await retention.stop();
      records.flush(true);
      db.close();
    },
  };
}

/** The saved endpoint, or the default one if it cannot be used: a bad setting must not stop the engine. */
function dockerClientFor(endpoint: string) {
  try {
    return createDockerClient({ host: endpoint || undefined });
  } catch {
    return createDockerClient();
  }
}
