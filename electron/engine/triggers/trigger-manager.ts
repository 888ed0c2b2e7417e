/**
 * Makes the template's event sources live while projects are open: HTTP routes on one local API Gateway
 * for every project, schedules (armed only for projects whose schedules the user switched on) and a
 * folder per S3 bucket. HTTP routes and SQS batches invoke synchronously through the Invoker; schedules and
 * file drops queue asynchronous events (as EventBridge and S3 do), so they get Lambda's retries and dead
 * letters. Every invocation is recorded in History with its trigger and source. Nothing is live until start() (the app and `lambench serve` call it; a CLI command's
 * short-lived engine must not fire schedules or watch folders), and the HTTP port waits for startHttp().
 */
import type { HttpEndpointStatus, ProjectTriggers, TriggerInfo } from '../../../shared/api/triggers';
import type { InvocationResult, Project } from '../../../shared/types';
import type { EventBus } from '../event-bus';
import type { ProjectCatalog } from '../projects/catalog';
import type { AsyncInvoker } from '../runtime/async-invoker';
import type { Invoker, InvokeRequest } from '../runtime/invoker';
import type { Db } from '../store/database';
import type { VersionService } from '../versions/version-service';
import { systemClock, type Clock } from './clock';
import { HttpApiServer } from './http/http-server';
import { sortRoutes, type HttpRoute } from './http/routes';
import { projectTriggers, type ProjectTriggerSet, type S3Trigger } from './project-triggers';
import { FileDrop, type DroppedFile } from './s3/file-drop';
import { eventMatches, keyMatches, s3Event } from './s3/s3-event';
import { nextRuns } from './schedule/aws-schedule';
import { Scheduler } from './schedule/scheduler';
import { scheduledEvent } from './schedule/scheduled-event';
import { LocalQueue, MAX_MESSAGE_BYTES } from './sqs/local-queue';
import { QueuePoller } from './sqs/queue-poller';
import { TriggerStateRepo } from './trigger-state-repo';
import { WorkbenchError } from '../../../shared/rpc/errors';

export interface TriggerDeps {
  catalog: ProjectCatalog;
  invoker: Invoker;
  /** EventBridge and S3 invoke asynchronously: their events are queued, retried and dead-lettered. */
  asyncInvoker: Pick<AsyncInvoker, 'enqueue'>;
  /** The qualifier resolver: SAM points a function's event sources at its AutoPublishAlias when it has one. */
  versions: Pick<VersionService, 'resolve'>;
  /** runtime → image, as the invocation handler uses it. */
  images: Record<string, string>;
  events: EventBus;
  db: Db;
  clock?: Clock;
}

interface Live {
  project: Project;
  set: ProjectTriggerSet;
  /** Why the template could not be read, if it could not. */
  error?: string;
}

export class TriggerManager {
  private readonly live = new Map<number, Live>();
  private readonly state: TriggerStateRepo;
  private readonly scheduler: Scheduler;
  private readonly clock: Clock;
  /** When each armed rate schedule was switched on, and with which expression. */
  private readonly anchors = new Map<string, { expression: string; at: number }>();
  private readonly drops = new Map<string, FileDrop>();
  /** Local queues by `<projectId>/<queue name>`, and one poller per SQS event. */
  private readonly queues = new Map<string, LocalQueue>();
  private readonly pollers = new Map<string, QueuePoller>();
  private readonly http: HttpApiServer;
  private httpStatus: HttpEndpointStatus = { configuredPort: 3000 };
  private routes: HttpRoute[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Whether schedules fire and bucket folders are watched; before start(), list() only reads. */
  private started = false;
  private httpRequested = false;
  private httpMoves: Promise<unknown> = Promise.resolve();
  private unsubscribe?: () => void;

  constructor(private readonly deps: TriggerDeps) {
    this.clock = deps.clock ?? systemClock;
    this.state = new TriggerStateRepo(deps.db);
    this.scheduler = new Scheduler(this.clock);
    this.http = new HttpApiServer(
      () => this.routes,
      (route, payload) => this.invoke(route.projectId, route.functionId, payload, 'http', route.routeKey),
    );
  }

  /** Reads every open project's triggers and follows template changes and the project list from now on. */
  start(): Promise<void> {
    if (this.started) return this.settled();
    this.started = true;
    this.unsubscribe = this.deps.events.subscribe((event, payload) => {
      if (event === 'project:changed') void this.refresh((payload as { projectId: number }).projectId);
    });
    this.deps.catalog.onRegistryChange(() => void this.refreshAll());
    return this.refreshAll();
  }

  /** Listens for the HTTP API on 127.0.0.1:port (0: any free port); a port in use is reported, not thrown. */
  startHttp(port: number): Promise<HttpEndpointStatus> {
    this.httpRequested = true;
    // One move at a time: two saves in a row must not race for the same port.
    const move = this.httpMoves.then(async () => {
      if (port !== 0 && this.httpStatus.port === port) return this.httpStatus;
      try {
        const bound = await this.http.listen(port);
        this.httpStatus = { configuredPort: port, port: bound, url: `http://127.0.0.1:${bound}` };
      } catch (error) {
        this.httpStatus = { configuredPort: port, error: (error as Error).message };
      }
      this.changed();
      return this.httpStatus;
    });
    this.httpMoves = move;
    return move;
  }

  /** A new port from Settings: moves the listener if there is one to move (tests' engines have none). */
  async changeHttpPort(port: number): Promise<HttpEndpointStatus> {
    if (!this.httpRequested) return this.httpStatus;
    return this.startHttp(port);
  }

  httpEndpoint(): HttpEndpointStatus {
    return this.httpStatus;
  }

  /** Resolves once every reload asked for so far is done (tests, and lists that must be current). */
  settled(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  async list(projectId: number, functionId?: string): Promise<ProjectTriggers> {
    // Not started (a CLI command's engine) nothing follows the template, so each list reads it afresh.
    if (!this.started || !this.live.has(projectId)) await this.refresh(projectId);
    await this.settled();
    const live = this.live.get(projectId);
    if (!live) this.deps.catalog.get(projectId); // throws the catalog's own error: unknown or missing
    const enabled = this.state.schedulesEnabled(projectId);
    const infos = (live?.set.infos ?? []).filter(
      (i) => functionId === undefined || i.functionId === functionId,
    );
    return {
      projectId,
      schedulesEnabled: enabled,
      http: this.httpStatus,
      triggers: infos.map((info) => this.withLiveState(info, enabled)),
    };
  }

  async setSchedulesEnabled(projectId: number, enabled: boolean): Promise<ProjectTriggers> {
    this.deps.catalog.get(projectId);
    this.state.setSchedulesEnabled(projectId, enabled);
    await this.refresh(projectId);
    return this.list(projectId);
  }

  /** A message for the queue an SQS event reads; its poller invokes the function with it. */
  sendMessage(projectId: number, functionId: string, eventId: string, body: string): { messageId: string } {
    const key = `${projectId}/${functionId}/${eventId}`;
    const poller = this.pollers.get(key);
    if (!poller) {
      throw new WorkbenchError(
        'QueueNotLive',
        this.started
          ? `${functionId} has no SQS event '${eventId}' that Lambench runs`
          : 'Queues run in the Lambench app or `lambench serve`, not in a CLI command',
        { projectId, functionId, eventId },
      );
    }
    const bytes = Buffer.byteLength(body);
    if (bytes > MAX_MESSAGE_BYTES)
      throw new WorkbenchError(
        'InvalidParameterValue',
        `The message is ${bytes} bytes; SQS takes at most 262,144`,
        {
          bytes,
        },
      );
    const message = poller.queue.send(body);
    for (const p of this.pollers.values()) if (p.queue === poller.queue) p.notify();
    this.changed(projectId);
    return { messageId: message.messageId };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    await this.settled().catch(() => undefined);
    this.scheduler.stop();
    for (const poller of this.pollers.values()) poller.stop();
    await this.http.close();
    await Promise.allSettled([...this.drops.values()].map((d) => d.close()));
    this.drops.clear();
  }

  /** The info with what only the running manager knows: URLs, next fire times, on/off. */
  private withLiveState(info: TriggerInfo, schedulesEnabled: boolean): TriggerInfo {
    const out: TriggerInfo = { ...info };
    if (info.http) {
      const route = this.routes.find(
        (r) =>
          r.projectId === info.projectId && r.functionId === info.functionId && r.eventId === info.eventId,
      );
      const base = this.httpStatus.url;
      out.http = { ...info.http };
      if (base && route) {
        const url = `${base}${route.prefix}${samplePath(route.path)}`;
        out.http.url = url;
        out.http.curl = curlLine(route.method, url);
      } else if (!base) {
        out.state = 'off';
        out.reason =
          this.httpStatus.error ?? 'The HTTP API is not listening (start it with lambench serve or the app)';
      }
    }
    if (info.sqs) {
      const queue = this.queues.get(`${info.projectId}/${info.sqs.queue}`);
      out.sqs = { ...info.sqs, visible: queue?.visible ?? 0, inFlight: queue?.inFlight ?? 0 };
    }
    if (info.schedule && info.state !== 'error') {
      const key = `${info.projectId}/${info.functionId}/${info.eventId}`;
      const trigger = this.live.get(info.projectId)?.set.schedules.find((s) => s.key === key);
      // An armed schedule's own rhythm; one that is off shows what switching it on now would give.
      const anchor = this.anchors.get(key)?.at ?? this.clock.now();
      const schedule = trigger?.make?.(anchor);
      out.schedule = {
        ...info.schedule,
        nextFireTimes: schedule ? nextRuns(schedule, this.clock.now(), 5) : [],
      };
      if (info.state === 'on' && !schedulesEnabled) {
        out.state = 'off';
        out.reason = 'Schedules of this project are switched off';
      }
    }
    return out;
  }

  private refreshAll(): Promise<void> {
    return this.enqueue(async () => {
      const projects = this.deps.catalog.list();
      const ids = new Set(projects.map((p) => p.id));
      for (const id of [...this.live.keys()]) if (!ids.has(id)) this.forget(id);
      for (const p of projects) await this.load(p.id);
      await this.syncDrops(); // the folders of projects forgotten above, when no project is left to load
      this.afterChange();
    });
  }

  private refresh(projectId: number): Promise<void> {
    return this.enqueue(async () => {
      await this.load(projectId);
      this.afterChange(projectId);
    });
  }

  /** Reloads run one at a time, in order, so a late reload cannot overwrite a newer one. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(() => (this.closed ? undefined : task()));
    this.queue = run.catch((error) => console.error(`lambench: triggers: ${(error as Error).message}`));
    return run;
  }

  private async load(projectId: number): Promise<void> {
    let project: Project;
    try {
      project = this.deps.catalog.get(projectId);
    } catch {
      this.forget(projectId);
      await this.syncDrops();
      return;
    }
    try {
      const template = await this.deps.catalog.loaded(projectId);
      this.live.set(projectId, { project, set: projectTriggers(project, template) });
    } catch (error) {
      // A broken template keeps nothing live; the project's triggers come back when it is fixed.
      const set: ProjectTriggerSet = { routes: [], schedules: [], buckets: [], queues: [], infos: [] };
      this.live.set(projectId, { project, set, error: (error as Error).message });
    }
    this.armSchedules(projectId);
    this.syncPollers(projectId);
    await this.syncDrops();
  }

  private forget(projectId: number): void {
    this.live.delete(projectId);
    this.scheduler.disarmWhere((key) => key.startsWith(`${projectId}/`));
    this.syncPollers(projectId);
  }

  /** A poller per SQS event of the project; a queue keeps its messages while any event still reads it. */
  private syncPollers(projectId: number): void {
    if (!this.started) return;
    const wanted = new Map((this.live.get(projectId)?.set.queues ?? []).map((q) => [q.key, q]));
    for (const [key, poller] of this.pollers) {
      if (!key.startsWith(`${projectId}/`)) continue;
      const q = wanted.get(key);
      const same =
        q &&
        poller.queue.name === q.queueName &&
        poller.config.batchSize === (q.event.batchSize ?? 10) &&
        poller.config.windowMs === (q.event.batchingWindowSeconds ?? 0) * 1000 &&
        poller.config.reportBatchItemFailures === (q.event.reportBatchItemFailures ?? false);
      if (same) wanted.delete(key);
      else {
        poller.stop();
        this.pollers.delete(key);
      }
    }
    for (const q of wanted.values()) {
      const queueKey = `${projectId}/${q.queueName}`;
      let queue = this.queues.get(queueKey);
      if (!queue) this.queues.set(queueKey, (queue = new LocalQueue(q.queueName, q.arn, this.clock)));
      const poller = new QueuePoller(
        queue,
        {
          batchSize: q.event.batchSize ?? 10,
          windowMs: (q.event.batchingWindowSeconds ?? 0) * 1000,
          reportBatchItemFailures: q.event.reportBatchItemFailures ?? false,
        },
        this.clock,
        (payload) => this.invoke(projectId, q.functionId, payload, 'sqs', q.queueName),
      );
      this.pollers.set(q.key, poller);
      poller.notify();
    }
  }

  private afterChange(projectId?: number): void {
    this.routes = namespaced([...this.live.values()]);
    this.changed(projectId);
  }

  private changed(projectId?: number): void {
    this.deps.events.emit('triggers:changed', { projectId, http: this.httpStatus });
  }

  private armSchedules(projectId: number): void {
    if (!this.started) return;
    const live = this.live.get(projectId);
    const enabled = this.state.schedulesEnabled(projectId);
    const wanted = new Set<string>();
    for (const s of live?.set.schedules ?? []) {
      if (!enabled || !s.event.enabled || !s.make) continue;
      wanted.add(s.key);
      const prev = this.anchors.get(s.key);
      // A template reload that leaves the expression alone keeps the schedule's rhythm.
      if (prev?.expression === s.event.schedule && this.scheduler.isArmed(s.key)) continue;
      const anchor = { expression: s.event.schedule, at: this.clock.now() };
      this.anchors.set(s.key, anchor);
      this.scheduler.arm(s.key, s.make(anchor.at), (at) => {
        const payload = scheduledEvent(s.arn, at, s.event.input);
        void this.invokeAsync(projectId, s.functionId, payload, 'schedule', s.ruleName).catch((error) =>
          console.error(`lambench: schedule ${s.ruleName}: ${(error as Error).message}`),
        );
      });
    }
    this.scheduler.disarmWhere((key) => key.startsWith(`${projectId}/`) && !wanted.has(key));
    for (const key of [...this.anchors.keys()])
      if (key.startsWith(`${projectId}/`) && !wanted.has(key)) this.anchors.delete(key);
  }

  /** One watcher per bucket folder in use; folders no event uses any more are let go. Runs inside the queue. */
  private async syncDrops(): Promise<void> {
    if (!this.started) return;
    const wanted = new Map<string, S3Trigger>();
    for (const live of this.live.values()) for (const b of live.set.buckets) wanted.set(b.folder, b);
    for (const [folder, drop] of this.drops) {
      if (wanted.has(folder)) continue;
      this.drops.delete(folder);
      await drop.close();
    }
    const starting: Promise<void>[] = [];
    for (const [folder, b] of wanted) {
      if (this.drops.has(folder) || this.closed) continue;
      try {
        const drop = new FileDrop(
          folder,
          (file) => this.dropped(b.projectId, b.bucket, file),
          (error) => console.error(`lambench: watching ${folder}: ${error.message}`),
        );
        this.drops.set(folder, drop);
        starting.push(drop.ready);
      } catch (error) {
        console.error(`lambench: cannot watch ${folder}: ${(error as Error).message}`);
      }
    }
    await Promise.all(starting);
  }

  private dropped(projectId: number, bucket: string, file: DroppedFile): void {
    const live = this.live.get(projectId);
    for (const b of live?.set.buckets ?? []) {
      if (b.bucket !== bucket) continue;
      if (!eventMatches(b.event.events, file.eventName) || !keyMatches(b.event.filter, file.key)) continue;
      const payload = s3Event({
        bucket,
        key: file.key,
        eventName: file.eventName,
        size: file.size,
        eTag: file.eTag,
        configurationId: b.event.id,
        time: Date.now(),
      });
      void this.invokeAsync(projectId, b.functionId, payload, 's3', file.key).catch((error) =>
        console.error(`lambench: ${bucket}/${file.key}: ${(error as Error).message}`),
      );
    }
  }

  /** An asynchronous invocation, as EventBridge and S3 make: queued now, run (and retried) by the async invoker. */
  private async invokeAsync(
    projectId: number,
    functionId: string,
    payload: string,
    trigger: InvokeRequest['trigger'],
    triggerSource: string,
  ): Promise<void> {
    if (this.closed) return;
    const { fn } = await this.deps.catalog.function(projectId, functionId);
    this.deps.asyncInvoker.enqueue(
      { projectId, functionId, payload, trigger, triggerSource, qualifier: fn.autoPublishAlias },
      fn,
    );
  }

  private async invoke(
    projectId: number,
    functionId: string,
    payload: string,
    trigger: InvokeRequest['trigger'],
    triggerSource: string,
  ): Promise<InvocationResult> {
    if (this.closed) throw new WorkbenchError('EngineClosing', 'Lambench is shutting down');
    const latest = await this.deps.catalog.function(projectId, functionId);
    // Without an alias the lookup above is the answer: no second one on the request's path.
    const resolved = latest.fn.autoPublishAlias
      ? await this.deps.versions.resolve(projectId, functionId, latest.fn.autoPublishAlias)
      : { ...latest, executedVersion: '$LATEST' };
    return this.deps.invoker.invoke({
      projectId,
      ...resolved,
      payload,
      trigger,
      triggerSource,
      image: this.deps.images[resolved.fn.runtime] ?? '',
    });
  }
}

/**
 * All projects' routes on one server: the first project (oldest id) to declare a method and path serves it
 * at the root; a later project declaring the same one serves it under `/<project name>`.
 */
function namespaced(lives: Live[]): HttpRoute[] {
  const taken = new Set<string>();
  const slugs = new Set<string>();
  const out: HttpRoute[] = [];
  for (const live of [...lives].sort((a, b) => a.project.id - b.project.id)) {
    let slug =
      live.project.name
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, '-')
        .replace(/^-|-$/g, '') || 'project';
    if (slugs.has(slug)) slug = `${slug}-${live.project.id}`;
    slugs.add(slug);
    for (const route of live.set.routes) {
      const key = route.path === '$default' ? '$default' : `${route.method} ${route.path}`;
      const prefix = taken.has(key) ? `/${slug}` : '';
      if (!prefix) taken.add(key);
      out.push({ ...route, prefix });
    }
  }
  return sortRoutes(out);
}

/** A path to open: `{id}` becomes `id`, `{proxy+}` becomes `proxy`; `$default` is the root. */
function samplePath(path: string): string {
  if (path === '$default') return '/';
  return path.replace(/\{([^}+]+)\+?\}/g, '$1');
}

function curlLine(method: string, url: string): string {
  const m = method === 'ANY' ? 'GET' : method;
  const body = ['POST', 'PUT', 'PATCH'].includes(m) ? ` -H 'Content-Type: application/json' -d '{}'` : '';
  return `curl -i${m === 'GET' ? '' : ` -X ${m}`}${body} '${url}'`;
}
