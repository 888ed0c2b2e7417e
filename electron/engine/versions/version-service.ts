/**
 * Versions and aliases of a function (`services.versions`): publishing snapshots, Lambda's rules for
 * deleting and pointing, SAM's AutoPublishAlias, and the qualifier resolver every invoke path goes through.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  FunctionAlias,
  FunctionVersion,
  FunctionVersions,
  PublishOutcome,
  VersionComparison,
} from '../../../shared/api/versions';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { EventBus } from '../event-bus';
import type { ProjectCatalog } from '../projects/catalog';
import { DEFAULT_ASYNC_CONFIG } from '../projects/async-config';
import type { LoadedFunction } from '../projects/template';
import type { Db } from '../store/database';
import { compareFigures } from './compare';
import { deploymentEnd, deploymentPlan, deploymentWeight } from './deployment';
import {
  LATEST,
  aliasExists,
  aliasNotFound,
  checkAliasName,
  checkVersionRef,
  functionNotFound,
  invalidParameter,
  versionInUse,
} from './lambda-errors';
import { resolveQualifier, type Random, type Resolved, type ResolveSource } from './resolve';
import { codeSha256, snapshotFolder } from './snapshot';
import { VersionsRepo, type AliasRow, type StoredConfig, type VersionRow } from './versions-repo';

type Routing = FunctionAlias['routingConfig'];

/** The lock of `<home>/code`. */
const CODE_STORE = 'code-store';

export interface AliasInput {
  name: string;
  functionVersion?: string;
  description?: string;
  routingConfig?: Routing | null;
}

export class VersionService {
  readonly repo: VersionsRepo;
  /** Where snapshots live: `<home>/code/<sha256 hex>/`. */
  readonly codeRoot: string;
  /** Snapshots as runnable functions, by version row id: one object each, so the pool's config key is cached. */
  private readonly snapshots = new Map<number, LoadedFunction>();
  /** Publishes and alias changes per function, and auto-publish passes per project, one at a time. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly source: ResolveSource;
  /** The clock DeploymentPreference shifts run on (tests move it). */
  now: () => number = Date.now;

  constructor(
    private readonly db: Db,
    home: string,
    private readonly catalog: ProjectCatalog,
    private readonly events: EventBus,
  ) {
    this.repo = new VersionsRepo(db);
    this.codeRoot = join(home, 'code');
    this.source = {
      latest: (p, f) => this.catalog.function(p, f),
      snapshot: (p, f, v) => this.snapshot(p, f, v),
      alias: async (p, f, name) => {
        // An alias the template manages may be moving right now: wait for it, as an invoke after a deploy does.
        await this.locks.get(`auto:${p}`)?.catch(() => undefined);
        return this.alias(p, f, name);
      },
      functionName: (p, f) => this.functionName(p, f),
    };
  }

  /** Publishes for AutoPublishAlias when a project's code or template settles after a change. */
  start(): void {
    this.catalog.onSettled((projectId) => void this.autoPublish(projectId));
  }

  /**
   * The qualifier as something to invoke: spread the result into Invoker.invoke()'s request.
   * `random` picks an alias's weighted version (tests pass a seeded one).
   */
  resolve(projectId: number, functionId: string, qualifier?: string, random?: Random): Promise<Resolved> {
    return resolveQualifier(this.source, projectId, functionId, qualifier, random);
  }

  async list(projectId: number, functionId: string): Promise<FunctionVersions> {
    await this.requireFunction(projectId, functionId);
    const managed = await this.catalog
      .find(projectId, functionId)
      .then((fn) => fn.autoPublishAlias)
      .catch(() => undefined);
    return {
      projectId,
      functionId,
      versions: this.repo.versions(projectId, functionId).map(toVersion),
      aliases: this.repo.aliases(projectId, functionId).map((row) => {
        const { deployment, ...a } = this.current(projectId, functionId, row);
        return {
          ...a,
          ...(a.name === managed ? { managedByTemplate: true } : {}),
          ...(deployment ? { deployment: { ...deployment, endsAt: deploymentEnd(deployment) } } : {}),
        };
      }),
    };
  }

  /** PublishVersion: a new number only when the code or configuration differs from the last version. */
  async publish(projectId: number, functionId: string, description = ''): Promise<PublishOutcome> {
    const fn = await this.catalog.find(projectId, functionId);
    if (fn.unsupported)
      throw new WorkbenchError('FunctionNotRunnable', fn.unsupported, { functionId: fn.id });
    // Snapshots are made and freed under one lock: a delete must not free a folder a publish just found.
    return this.locked(`${projectId}/${functionId}`, () =>
      this.locked(CODE_STORE, async () => {
        const code = await snapshotFolder(fn.codeUri, this.codeRoot);
        const layers: string[] = [];
        for (const dir of fn.layers) layers.push((await snapshotFolder(dir, this.codeRoot)).hex);
        const config: StoredConfig = {
          functionName: fn.functionName,
          resourceType: fn.resourceType,
          runtime: fn.runtime,
          handler: fn.handler,
          memorySize: fn.memorySize,
          timeout: fn.timeout,
          architecture: fn.architecture,
          ephemeralStorage: fn.ephemeralStorage,
          environment: Object.fromEntries(
            Object.entries(fn.environment).sort(([a], [b]) => a.localeCompare(b)),
          ),
          layers,
          ...(fn.reservedConcurrency === undefined ? {} : { reservedConcurrency: fn.reservedConcurrency }),
          code: code.hex,
        };
        const last = this.repo.versions(projectId, functionId).at(-1);
        if (last && JSON.stringify(last.config) === JSON.stringify(config))
          return { version: toVersion(last), created: false };
        const row = this.repo.publish(projectId, functionId, {
          description,
          codeSha256: codeSha256(code.hex),
          codeSize: code.size,
          config,
        });
        this.changed(projectId, functionId);
        return { version: toVersion(row), created: true };
      }),
    );
  }

  /** DeleteFunction with a version qualifier; the snapshot folder stays (other versions may share it). */
  async deleteVersion(projectId: number, functionId: string, version: string): Promise<{ deleted: string }> {
    const name = await this.functionName(projectId, functionId);
    if (version === LATEST)
      throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    checkVersionRef(version, 'qualifier');
    return this.locked(`${projectId}/${functionId}`, async () => {
      const row = this.repo.version(projectId, functionId, Number(version));
      if (!row) throw functionNotFound(name, version);
      const users = this.repo
        .aliases(projectId, functionId)
        .filter(
          (a) =>
            a.functionVersion === version || version in (a.routingConfig?.additionalVersionWeights ?? {}),
        )
        .map((a) => a.name);
      if (users.length) throw versionInUse(version, users);
      this.repo.remove(projectId, functionId, row.version);
      this.snapshots.delete(row.id);
      await this.locked(CODE_STORE, () => this.freeSnapshots([row.config.code, ...row.config.layers]));
      this.changed(projectId, functionId);
      return { deleted: version };
    });
  }

  async createAlias(
    projectId: number,
    functionId: string,
    input: Required<Pick<AliasInput, 'functionVersion'>> & AliasInput,
  ): Promise<FunctionAlias> {
    const name = await this.requireFunction(projectId, functionId);
    checkAliasName(input.name);
    return this.locked(`${projectId}/${functionId}`, async () => {
      if (this.repo.alias(projectId, functionId, input.name)) throw aliasExists(name, input.name);
      const alias = {
        name: input.name,
        functionVersion: input.functionVersion,
        description: input.description ?? '',
        ...(input.routingConfig ? { routingConfig: input.routingConfig } : {}),
      };
      this.checkTarget(projectId, functionId, name, alias);
      return this.putAlias(projectId, functionId, alias);
    });
  }

  /** UpdateAlias: fields left out keep their value; `routingConfig: null` drops the second version. */
  async updateAlias(projectId: number, functionId: string, input: AliasInput): Promise<FunctionAlias> {
    const name = await this.requireFunction(projectId, functionId);
    checkAliasName(input.name);
    return this.locked(`${projectId}/${functionId}`, async () => {
      // A change by hand ends a DeploymentPreference shift where it stands, as stopping CodeDeploy would.
      const existing = this.alias(projectId, functionId, input.name);
      if (!existing) throw aliasNotFound(name, input.name);
      const routing = input.routingConfig === undefined ? existing.routingConfig : input.routingConfig;
      const alias = {
        name: input.name,
        functionVersion: input.functionVersion ?? existing.functionVersion,
        description: input.description ?? existing.description,
        ...(routing ? { routingConfig: routing } : {}),
      };
      this.checkTarget(projectId, functionId, name, alias);
      return this.putAlias(projectId, functionId, alias);
    });
  }

  async deleteAlias(projectId: number, functionId: string, aliasName: string): Promise<{ deleted: string }> {
    const name = await this.requireFunction(projectId, functionId);
    checkAliasName(aliasName);
    if (!this.repo.removeAlias(projectId, functionId, aliasName)) throw aliasNotFound(name, aliasName);
    this.changed(projectId, functionId);
    return { deleted: aliasName };
  }

  /** p50/p95, Max Memory Used and cost per 1M of two qualifiers' invocations. */
  async compare(projectId: number, functionId: string, a: string, b: string): Promise<VersionComparison> {
    const name = await this.requireFunction(projectId, functionId);
    const side = (q: string) => {
      const qualifier = q || LATEST;
      if (/^(\$LATEST|[0-9]+)$/.test(qualifier))
        return compareFigures(this.db, { projectId, functionId, qualifier, executedVersion: qualifier });
      const alias = this.alias(projectId, functionId, qualifier);
      if (!alias) throw functionNotFound(name, qualifier);
      return compareFigures(this.db, { projectId, functionId, qualifier, alias: aliasVersions(alias) });
    };
    return { a: side(a), b: side(b) };
  }

  /**
   * SAM's AutoPublishAlias, as `sam deploy` does it: a function whose code or configuration changed gets a new
   * version and its alias moves there (routing dropped); nothing changed, nothing happens, so the user's own
   * moves of the alias (a rollback) stand until the next change. Failures are logged; the project still opens.
   */
  autoPublish(projectId: number): Promise<void> {
    return this.locked(`auto:${projectId}`, async () => {
      let functions;
      try {
        functions = await this.catalog.functions(projectId);
      } catch {
        return; // A broken or missing project is reported where it is opened.
      }
      for (const info of functions) {
        if (!info.autoPublishAlias || info.unsupported) continue;
        try {
          checkAliasName(info.autoPublishAlias);
          const fn = await this.catalog.find(projectId, info.id);
          const { version, created } = await this.publish(projectId, info.id, fn.versionDescription ?? '');
          const existing = this.alias(projectId, info.id, info.autoPublishAlias);
          if (created || !existing) {
            // With a DeploymentPreference the alias stays on its version and the new one gets the first step.
            const plan = fn.deploymentPreference ? deploymentPlan(fn.deploymentPreference) : undefined;
            const shift = plan && existing && existing.functionVersion !== version.version;
            await this.locked(`${projectId}/${info.id}`, async () =>
              this.putAlias(projectId, info.id, {
                name: info.autoPublishAlias!,
                description: existing?.description ?? '',
                ...(shift
                  ? {
                      functionVersion: existing.functionVersion,
                      routingConfig: { additionalVersionWeights: { [version.version]: plan.step } },
                      deployment: {
                        type: fn.deploymentPreference!,
                        toVersion: version.version,
                        startedAt: this.now(),
                      },
                    }
                  : { functionVersion: version.version }),
              }),
            );
          }
        } catch (error) {
          console.error(`lambench: AutoPublishAlias of ${info.id} failed: ${(error as Error).message}`);
        }
      }
    });
  }

  /** Waits for auto-publish passes in flight (tests, and callers that must see their result). */
  async settled(projectId: number): Promise<void> {
    await this.locks.get(`auto:${projectId}`)?.catch(() => undefined);
  }

  /** Removes the snapshot folders no remaining version of any function uses. */
  private async freeSnapshots(hexes: string[]): Promise<void> {
    for (const hex of new Set(hexes)) {
      if (this.repo.snapshotInUse(hex)) continue;
      await rm(join(this.codeRoot, hex), { recursive: true, force: true });
    }
  }

  /** An alias as of now. */
  private alias(projectId: number, functionId: string, name: string): AliasRow | undefined {
    const row = this.repo.alias(projectId, functionId, name);
    return row && this.current(projectId, functionId, row);
  }

  /** A DeploymentPreference shift advanced to the clock; a complete one is written back as a plain alias. */
  private current(projectId: number, functionId: string, alias: AliasRow): AliasRow {
    const d = alias.deployment;
    if (!d) return alias;
    const weight = deploymentWeight(d, this.now());
    if (weight === undefined)
      return this.putAlias(projectId, functionId, {
        name: alias.name,
        functionVersion: d.toVersion,
        description: alias.description,
      });
    return { ...alias, routingConfig: { additionalVersionWeights: { [d.toVersion]: weight } } };
  }

  private snapshot(projectId: number, functionId: string, version: number): LoadedFunction | undefined {
    const row = this.repo.version(projectId, functionId, version);
    if (!row) return undefined;
    let fn = this.snapshots.get(row.id);
    if (!fn) this.snapshots.set(row.id, (fn = this.toFunction(functionId, row)));
    return fn;
  }

  private toFunction(functionId: string, row: VersionRow): LoadedFunction {
    const c = row.config;
    return {
      id: functionId,
      resourceType: c.resourceType as LoadedFunction['resourceType'],
      functionName: c.functionName,
      description: row.description,
      runtime: c.runtime,
      handler: c.handler,
      codeUri: join(this.codeRoot, c.code),
      memorySize: c.memorySize,
      timeout: c.timeout,
      architecture: c.architecture,
      ephemeralStorage: c.ephemeralStorage,
      environment: c.environment,
      reservedConcurrency: c.reservedConcurrency,
      layers: c.layers.map((hex) => join(this.codeRoot, hex)),
      events: [],
      unresolved: [],
      // Not part of a version: the async invoker applies the template's current EventInvokeConfig.
      asyncConfig: DEFAULT_ASYNC_CONFIG,
    };
  }

  /** Lambda's checks of what an alias points at. */
  private checkTarget(
    projectId: number,
    functionId: string,
    name: string,
    alias: Omit<AliasRow, 'updatedAt'>,
  ): void {
    checkVersionRef(alias.functionVersion);
    const exists = (v: string) =>
      v === LATEST || this.repo.version(projectId, functionId, Number(v)) !== undefined;
    if (!exists(alias.functionVersion)) throw functionNotFound(name, alias.functionVersion);
    const weights = Object.entries(alias.routingConfig?.additionalVersionWeights ?? {});
    if (weights.length === 0) {
      delete alias.routingConfig;
      return;
    }
    if (weights.length > 1)
      throw invalidParameter('An alias can point to at most two versions: give one additional version', {
        versions: weights.map(([v]) => v),
      });
    const [extra, weight] = weights[0];
    checkVersionRef(extra, 'routingConfig.additionalVersionWeights');
    if (!Number.isFinite(weight) || weight < 0 || weight > 1)
      throw new WorkbenchError(
        'ValidationException',
        `1 validation error detected: Value '{${extra}=${weight}}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]`,
      );
    if (extra === LATEST || alias.functionVersion === LATEST)
      throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
    if (extra === alias.functionVersion)
      throw invalidParameter(
        `Version ${extra} cannot be both the alias's version and its additional version`,
      );
    if (!exists(extra)) throw functionNotFound(name, extra);
  }

  /** The function's name for messages; it must be in the template or have versions (its folder may be gone). */
  private async requireFunction(projectId: number, functionId: string): Promise<string> {
    try {
      return (await this.catalog.find(projectId, functionId)).functionName;
    } catch (error) {
      const last = this.repo.versions(projectId, functionId).at(-1);
      const name = (error as Error).name;
      if (last && (name === 'ProjectMissing' || name === 'FunctionNotFound' || name === 'TemplateError'))
        return last.config.functionName;
      throw error;
    }
  }

  private async functionName(projectId: number, functionId: string): Promise<string> {
    return this.requireFunction(projectId, functionId).catch((error: Error) => {
      if (error.name === 'ProjectNotFound') throw error;
      return functionId;
    });
  }

  private putAlias(projectId: number, functionId: string, alias: Omit<AliasRow, 'updatedAt'>): AliasRow {
    const row = this.repo.putAlias(projectId, functionId, alias);
    this.changed(projectId, functionId);
    return row;
  }

  private changed(projectId: number, functionId: string): void {
    this.events.emit('versions:changed', { projectId, functionId });
  }

  private locked<T>(key: string, task: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(key) ?? Promise.resolve()).catch(() => undefined).then(task);
    this.locks.set(key, run);
    void run
      .finally(() => {
        if (this.locks.get(key) === run) this.locks.delete(key);
      })
      .catch(() => undefined);
    return run;
  }
}

function toVersion(row: VersionRow): FunctionVersion {
  const { runtime, handler, memorySize, timeout, architecture, ephemeralStorage, environment, layers } =
    row.config;
  return {
    version: String(row.version),
    description: row.description,
    codeSha256: row.codeSha256,
    codeSize: row.codeSize,
    createdAt: row.createdAt,
    config: { runtime, handler, memorySize, timeout, architecture, ephemeralStorage, environment, layers },
  };
}

function aliasVersions(alias: AliasRow): string[] {
  return [alias.functionVersion, ...Object.keys(alias.routingConfig?.additionalVersionWeights ?? {})];
}
