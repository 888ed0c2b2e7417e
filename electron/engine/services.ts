import type { SweepRunner } from './cost/sweep-runner';
import type { DockerClient } from './docker';
import type { FunctionImages } from './docker/function-images';
import type { LocalImageBuilder } from './docker/local-runtime-images';
import type { DockerMonitor } from './docker-monitor';
import type { EventBus } from './event-bus';
import type { ProjectCatalog } from './projects/catalog';
import type { AsyncInvoker } from './runtime/async-invoker';
import type { Invoker } from './runtime/invoker';
import type { Pool } from './runtime/pool';
import type { ProvisionedConcurrency } from './runtime/provisioned';
import type { Settings } from '../../shared/api/settings';
import type { AsyncEventsRepo } from './store/async-events-repo';
import type { InvokeApiEndpoint } from './triggers/invoke-api/endpoint';
import type { Db } from './store/database';
import type { EventsRepo } from './store/events-repo';
import type { HistoryRepo } from './store/history-repo';
import type { InvocationsRepo } from './store/invocations-repo';
import type { MetricsQuery } from './store/metrics-query';
import type { Retention } from './store/retention';
import type { SettingsRepo } from './store/settings-repo';
import type { VersionService } from './versions/version-service';
import type { TriggerManager } from './triggers/trigger-manager';

/** What the engine is made of; each domain's handlers take what they need from here. */
export interface Services {
  home: string;
  executorKind: 'docker' | 'process';
  events: EventBus;
  db: Db;
  records: InvocationsRepo;
  /** History reads: pages, detail, metrics; retention trims it. */
  history: HistoryRepo;
  metrics: MetricsQuery;
  retention: Retention;
  /** Why History is not being saved right now, if it is not. */
  storeWarning: () => string | undefined;
  /** Saved test events per function. */
  savedEvents: EventsRepo;
  catalog: ProjectCatalog;
  docker: DockerClient;
  dockerMonitor: DockerMonitor;
  pool: Pool;
  invoker: Invoker;
  /** runtime → image, after defaults, LAMBENCH_IMAGES and settings. */
  images: Record<string, string>;
  settings: SettingsRepo;
  /** The settings that only apply at start-up, as they were then: a saved change waits for a restart. */
  startupSettings: Pick<Settings, 'dockerEndpoint' | 'cpuScaling'>;
  /** Memory sweeps (power tuning): one at a time, stored in the sweeps table. */
  sweeps: SweepRunner;
  /** Container-image functions: Dockerfile builds cached by context hash, and ImageUri checks. */
  functionImages: FunctionImages;
  /** Builds runtime images locally (from the host's binaries) when no registry answers. */
  localImages: LocalImageBuilder;
  /** Published versions and aliases, and the qualifier resolver every invoke goes through. */
  versions: VersionService;
  /** The template's event sources: HTTP routes, schedules, file-drop buckets. */
  triggers: TriggerManager;
  /** Asynchronous invocation: the queue in SQLite, retries and dead letters. */
  asyncInvoker: AsyncInvoker;
  asyncEvents: AsyncEventsRepo;
  /** The Lambda Invoke API endpoint; the desktop app and `lambench serve` start it. */
  invokeApi: InvokeApiEndpoint;
  /** Keeps provisioned-concurrency environments initialized (issue 16); set once the engine is up. */
  provisioned?: ProvisionedConcurrency;
}
