/**
 * Open projects and their functions: the registry in SQLite, each template loaded once and reloaded when
 * it changes, and a watcher whose code-change counter makes the next invoke cold with fresh code.
 */
import { watch, type FSWatcher } from 'chokidar';
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { FunctionInfo, Project } from '../../../shared/types';
import type { EventBus } from '../event-bus';
import type { ProjectsRepo } from '../store/projects-repo';
import { triggerSummary } from './function-events';
import { findTemplate, loadTemplate, type LoadedFunction, type LoadedTemplate } from './template';
import { updateFunctionConfig, type FunctionConfigPatch } from './template-writer';
import { EVENTS_DIR } from './test-events';

interface Watched {
  watcher: FSWatcher;
  template?: Promise<LoadedTemplate>;
  codeVersion: number;
  /** The trailing pass of a burst of changes, and what the burst touched. */
  settle?: NodeJS.Timeout;
  templateChanged: boolean;
  codeChanged: boolean;
  /** An invoke took the current code version: an environment may run the code as it was then. */
  codeVersionTaken: boolean;
}

/**
 * chokidar drops a second change to the same file within 50 ms of the first, so an editor's quick
 * second write would go unseen: every burst of changes gets a second pass this long after its last one.
 */
const SETTLE_MS = 100;

export class ProjectCatalog {
  private readonly watched = new Map<number, Watched>();
  /** Template writes per project, one at a time, so two quick edits cannot overwrite each other. */
  private readonly writing = new Map<number, Promise<unknown>>();
  /** Code versions come from one counter, so a folder watched anew never reuses an old version. */
  private lastCodeVersion = 0;
  private readonly settledListeners: ((projectId: number) => void)[] = [];
  /** Told when a project is opened, renamed or removed (the triggers follow the project list). */
  private readonly registryListeners = new Set<() => void>();

  constructor(
    private readonly repo: ProjectsRepo,
    private readonly events: EventBus,
  ) {}

  /** Called once a burst of code or template changes has settled (AutoPublishAlias publishes then). */
  onSettled(listener: (projectId: number) => void): void {
    this.settledListeners.push(listener);
  }

  list(): Project[] {
    return this.repo.list();
  }

  onRegistryChange(listener: () => void): () => void {
    this.registryListeners.add(listener);
    return () => this.registryListeners.delete(listener);
  }

  private registryChanged<T>(value: T): T {
    for (const listener of this.registryListeners) listener();
    return value;
  }

  /** Registers a SAM folder; its template must load, so a broken one is reported before it is listed. */
  async open(path: string, name?: string): Promise<Project> {
    const dir = resolve(path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new WorkbenchError('ProjectNotFound', `${dir} is not a folder`, { path: dir });
    }
    if (!findTemplate(dir)) {
      throw new WorkbenchError(
        'TemplateNotFound',
        `${dir} has no template.yaml: is it a SAM project folder?`,
        {
          path: dir,
        },
      );
    }
    await loadTemplate(dir);
    return this.registryChanged(this.repo.open(dir, name ?? basename(dir)));
  }

  get(projectId: number): Project {
    // A watched folder's watcher reports it gone, so the cached check can be trusted (one stat less per invoke).
    const project = this.known(projectId, this.watched.has(projectId));
    if (project.missing) {
      // A watcher on a deleted folder sees nothing; a new one starts if the folder comes back.
      this.unwatch(projectId);
      throw new WorkbenchError(
        'ProjectMissing',
        `The folder of project '${project.name}' is gone: ${project.path}`,
        {
          projectId,
          path: project.path,
        },
      );
    }
    return project;
  }

  rename(projectId: number, name: string): Project {
    this.known(projectId);
    return this.registryChanged(this.repo.rename(projectId, name)!);
  }

  /** Forgets the project (a missing one too); its folder is left as it is. */
  remove(projectId: number): Project {
    const project = this.known(projectId);
    this.unwatch(projectId);
    this.repo.remove(projectId);
    return this.registryChanged(project);
  }

  /** Writes a config change into template.yaml; the next invoke loads it (and so starts cold). */
  async updateConfig(
    projectId: number,
    functionId: string,
    patch: FunctionConfigPatch,
  ): Promise<FunctionInfo> {
    const project = this.get(projectId);
    await this.find(projectId, functionId);
    const watched = this.watch(project);
    const write = async (): Promise<FunctionInfo> => {
      try {
        return toInfo(projectId, await updateFunctionConfig(project.path, functionId, patch));
      } finally {
        // The watcher would notice too, but only after the caller may already have invoked again.
        watched.template = undefined;
      }
    };
    const run = (this.writing.get(projectId) ?? Promise.resolve()).catch(() => undefined).then(write);
    this.writing.set(projectId, run);
    return run;
  }

  async functions(projectId: number): Promise<FunctionInfo[]> {
    const template = await this.template(projectId);
    return template.functions.map((fn) => toInfo(projectId, fn));
  }

  /** The whole template as loaded (the triggers read its events and APIs; the Invoke API its FunctionNames). */
  loaded(projectId: number): Promise<LoadedTemplate> {
    return this.template(projectId);
  }

  /** The function to invoke, and the code version its environment must match. */
  async function(
    projectId: number,
    functionId: string,
  ): Promise<{ fn: LoadedFunction; codeVersion: number }> {
    const fn = await this.find(projectId, functionId);
    const watched = this.watched.get(projectId)!;
    watched.codeVersionTaken = true;
    return { fn, codeVersion: watched.codeVersion };
  }

  /** The function as loaded, or FunctionNotFound with the ids there are. */
  async find(projectId: number, functionId: string): Promise<LoadedFunction> {
    const template = await this.template(projectId);
    const fn = template.functions.find((f) => f.id === functionId);
    if (!fn) {
      throw new WorkbenchError('FunctionNotFound', `No function '${functionId}' in ${template.file}`, {
        projectId,
        functionId,
        available: template.functions.map((f) => f.id),
      });
    }
    return fn;
  }

  async close(): Promise<void> {
    for (const w of this.watched.values()) clearTimeout(w.settle);
    await Promise.allSettled([...this.watched.values()].map((w) => w.watcher.close()));
    this.watched.clear();
  }

  /** The project's row, missing folder or not. */
  private known(projectId: number, trustFolder = false): Project {
    const project = this.repo.get(projectId, trustFolder);
    if (!project)
      throw new WorkbenchError('ProjectNotFound', `No project with id ${projectId}`, { projectId });
    return project;
  }

  /** The second pass: whatever changed in the burst is read afresh once more, and the UI told once. */
  private settleLater(projectId: number, watched: Watched): void {
    clearTimeout(watched.settle);
    watched.settle = setTimeout(() => {
      // Only an environment started mid-burst may hold code from before a dropped write.
      if (watched.codeChanged && watched.codeVersionTaken) this.bumpCode(watched);
      if (watched.templateChanged) {
        watched.template = undefined;
        this.events.emit('project:changed', { projectId, reason: 'template' });
      }
      const changed = watched.codeChanged || watched.templateChanged;
      watched.codeChanged = watched.templateChanged = false;
      if (changed) for (const listener of this.settledListeners) listener(projectId);
    }, SETTLE_MS);
  }

  private bumpCode(watched: Watched): void {
    watched.codeVersion = ++this.lastCodeVersion;
    watched.codeVersionTaken = false;
  }

  private unwatch(projectId: number): void {
    const watched = this.watched.get(projectId);
    if (!watched) return;
    clearTimeout(watched.settle);
    this.watched.delete(projectId);
    void watched.watcher.close().catch(() => undefined);
  }

  private template(projectId: number): Promise<LoadedTemplate> {
    const project = this.get(projectId);
    const watched = this.watch(project);
    watched.template ??= loadTemplate(project.path).catch((error) => {
      watched.template = undefined;
      throw error;
    });
    return watched.template;
  }

  private watch(project: Project): Watched {
    const existing = this.watched.get(project.id);
    if (existing) return existing;
    const watcher = watch(project.path, {
      ignoreInitial: true,
      // .lambench holds the file-drop buckets: a file dropped there is an S3 event, not a code change.
      ignored: (path) => /[\\/](node_modules|\.git|\.aws-sam|\.lambench|__pycache__)([\\/]|$)/.test(path),
    });
    const watched: Watched = {
      watcher,
      codeVersion: ++this.lastCodeVersion,
      templateChanged: false,
      codeChanged: false,
      codeVersionTaken: false,
    };
    const eventsDir = join(project.path, EVENTS_DIR) + sep;
    watcher.on('all', (event, path) => {
      // A closed watcher may still deliver queued events; they no longer concern anyone.
      if (this.watched.get(project.id) !== watched) return;
      if (event === 'unlinkDir' && resolve(path) === project.path) {
        this.unwatch(project.id);
        this.repo.forget(project.id);
        this.events.emit('project:changed', { projectId: project.id, reason: 'missing' });
      } else if (basename(path).startsWith('template.y')) {
        watched.template = undefined;
        watched.templateChanged = true;
        this.settleLater(project.id, watched);
      } else if (!path.startsWith(eventsDir)) {
        // Saved test events are not code: editing one must not make the next invoke cold.
        this.bumpCode(watched);
        watched.codeChanged = true;
        this.settleLater(project.id, watched);
      }
    });
    this.watched.set(project.id, watched);
    return watched;
  }
}

function toInfo(projectId: number, fn: LoadedFunction): FunctionInfo {
  return {
    id: fn.id,
    projectId,
    runtime: fn.runtime,
    handler: fn.handler,
    codeUri: fn.codeUri,
    memorySize: fn.memorySize,
    timeout: fn.timeout,
    architecture: fn.architecture,
    ephemeralStorage: fn.ephemeralStorage,
    environment: fn.environment,
    reservedConcurrency: fn.reservedConcurrency,
    ...(fn.provisionedConcurrency === undefined ? {} : { provisionedConcurrency: fn.provisionedConcurrency }),
    unsupported: fn.unsupported,
    events: fn.events.map(triggerSummary),
    unresolved: fn.unresolved,
    layers: fn.layers,
    packageType: fn.packageType,
    image: fn.image,
    autoPublishAlias: fn.autoPublishAlias,
  };
}
