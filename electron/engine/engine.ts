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
import { LocalImageBuilder } from './docker/local-runtime-images';
import { withEnvironmentEvents } from './environment-events';
import { EventBus } from './event-bus';
import { isProcessAlive } from './process-alive';
import { appHandlers } from './handlers/app';
import { asyncHandlers } from './handlers/async';
import { costHandlers } from './handlers/cost';
import { eventHandlers } from './handlers/events';
import { historyHandlers } from './handlers/history';
import { imageHandlers } from './handlers/images';
import { hostOpenHandlers } from './handlers/host-open';
import { invocationHandlers } from './handlers/invocations';
import { localImageHandlers } from './handlers/local-images';
import { projectHandlers } from './handlers/projects';
import { settingsHandlers } from './handlers/settings';
import { versionHandlers } from './handlers/versions';
import { triggerHandlers } from './handlers/triggers';
import { ProjectCatalog } from './projects/catalog';
import type { Executor } from './runtime/executor';
import { imageMap } from './runtime/image-map';
import { AsyncInvoker, asyncOptionsFromEnv, type AsyncInvokerOptions } from './runtime/async-invoker';
import { Invoker } from './runtime/invoker';
import { Pool } from './runtime/pool';
import { ProcessExecutor } from './runtime/process-executor';
import type { Services } from './services';
import { AsyncEventsRepo } from './store/async-events-repo';
import { EventsRepo } from './store/events-repo';
import { HistoryRepo } from './store/history-repo';
import { InvocationsRepo } from './store/invocations-repo';
import { MetricsQuery } from './store/metrics-query';
import { ProvisionedConcurrency } from './runtime/provisioned';
import { openStore } from './store/open-store';
import { ProjectsRepo } from './store/projects-repo';
import { Retention } from './store/retention';
import { SettingsRepo } from './store/settings-repo';
import { VersionService } from './versions/version-service';
import type { Clock } from './triggers/clock';
import { clockFromEnv } from './triggers/clock';
import { TriggerManager } from './triggers/trigger-manager';
import { InvokeApiEndpoint } from './triggers/invoke-api/endpoint';

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
  /** Pre-started spare containers (runtime/spares.ts); default on, LAMBENCH_SPARES=0 turns them off. */
  spares?: boolean;
  /** The schedules' time (tests drive a fake one); LAMBENCH_CLOCK_SCALE speeds the real one up. */
  clock?: Clock;
  /** Retry and throttle delays of asynchronous invocation (tests use ms); else LAMBENCH_ASYNC_* or Lambda's. */
  async?: AsyncInvokerOptions;
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
          // LAMBENCH_RUNTIME_API_SOCKETS=0 keeps every environment's Runtime API on TCP (a diagnostic switch).
          runtimeApiSockets: process.env.LAMBENCH_RUNTIME_API_SOCKETS !== '0',
          onPullProgress: (p) => events.emit('image:pull', p),
        });
  await executor.reapOrphans().catch(() => 0);

  const pool = new Pool(withEnvironmentEvents(executor, events), {
    keepAliveMs: options.keepAliveMs ?? settings.keepAliveSeconds * 1000,
    globalLimit: options.concurrencyLimit ?? settings.concurrencyLimit,
    spares: options.spares ?? process.env.LAMBENCH_SPARES !== '0',
  });
  const functionImages = new FunctionImages(docker, {
    projectName: (projectId) => catalog.get(projectId).name,
    onProgress: (p) => events.emit('image:pull', p),
    executorKind,
  });
  const invoker = new Invoker(pool, events, records, functionImages);
  const images = imageMap(settings.images);
  const versions = new VersionService(db, options.home, catalog, events);
  const asyncEvents = new AsyncEventsRepo(db, flushFirst);
  const asyncInvoker = new AsyncInvoker(
    asyncEvents,
    { catalog, versions, invoker, pool, events, images },
    { ...asyncOptionsFromEnv(), ...options.async },
  );
  const triggers = new TriggerManager({
    catalog,
    invoker,
    asyncInvoker,
    versions,
    images,
    events,
    db,
    clock: options.clock ?? clockFromEnv(),
  });
  const invokeApi = new InvokeApiEndpoint({
    catalog,
    versions,
    invoker,
    asyncInvoker,
    images,
    dockerMonitor,
    executorKind,
  });
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
    images,
    settings: settingsRepo,
    startupSettings: { dockerEndpoint: settings.dockerEndpoint, cpuScaling: settings.cpuScaling },
    sweeps: new SweepRunner(db),
    functionImages,
    localImages: new LocalImageBuilder(docker.docker, {
      cacheFile: join(options.home, 'cache', 'ldd.json'),
      onProgress: (p) => events.emit('image:pull', p),
    }),
    versions,
    triggers,
    asyncInvoker,
    asyncEvents,
    invokeApi,
  };
  services.provisioned = new ProvisionedConcurrency(
    catalog,
    pool,
    services.images,
    () => settingsRepo.get().provisionedConcurrency,
  );
  services.versions.start();
  asyncInvoker.start();
  services.provisioned.start();

  let closing: Promise<void> | undefined;
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
      ...localImageHandlers(services),
      ...hostOpenHandlers(services),
      ...versionHandlers(services),
      ...triggerHandlers(services),
      ...asyncHandlers(services),
      'invokeApi:status': async () => invokeApi.status(),
    },
    events,
    services,
    // Once: a second close (a test's cleanup after its own) must not touch the closed database.
    close: () => (closing ??= closeOnce()),
  };

  async function closeOnce(): Promise<void> {
    const sweepStopped = services.sweeps.stop(); // ends after the invocation in flight, which shutdown ends
    const apiClosed = invokeApi.close(); // refuses new requests from now on
    dockerMonitor.stop();
    services.provisioned?.stop();
    // Not awaited before the pool's shutdown: a request in flight ends when the pool stops its environment.
    const triggersClosed = triggers.close(); // no schedule or request starts an invocation from now on
    const asyncStopped = asyncInvoker.stop(); // its attempts in flight end with the pool, and stay queued
    await pool.shutdown();
    await asyncStopped;
    await triggersClosed;
    await sweepStopped;
    await apiClosed;
    await catalog.close();
    await retention.stop();
    records.flush(true);
    db.close();
  }
}

/** The saved endpoint, or the default one if it cannot be used: a bad setting must not stop the engine. */
function dockerClientFor(endpoint: string) {
  try {
    return createDockerClient({ host: endpoint || undefined });
  } catch {
    return createDockerClient();
  }
}
