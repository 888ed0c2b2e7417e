/**
 * Provisioned concurrency (issue 16): every function whose template sets
 * `ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: N}` keeps N initialized environments in the
 * pool. A pass over the open projects each second starts the missing ones (after the project opens, after a
 * code or config change retired them, after one died), so invokes that find one are never cold.
 * SAM applies the setting to the function's AutoPublishAlias; Lambench has no aliases yet and applies it to
 * $LATEST. The `provisionedConcurrency` setting overrides the template per function. Container-image functions are left on demand (their image builds on the first invoke). While a
 * memory sweep keeps environments of another size in use, provisioning waits instead of retiring them.
 */
import type { ProjectCatalog } from '../projects/catalog';
import { environmentFor } from './invoker';
import type { Pool } from './pool';

const PASS_MS = 1000;
/** After a failed start (a broken handler, no Docker), wait this long before trying that function again. */
const RETRY_MS = 10_000;

export interface ProvisionedStatus {
  functionKey: string;
  configured: number;
  ready: number;
  error?: string;
}

export class ProvisionedConcurrency {
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  /** Functions with provisioned concurrency at the last pass, and what they asked for. */
  private readonly configured = new Map<string, number>();
  private readonly failures = new Map<string, { error: string; at: number }>();

  constructor(
    private readonly catalog: ProjectCatalog,
    private readonly pool: Pool,
    private readonly images: Record<string, string>,
    /** The per-function override setting, read on every pass so a saved change applies within a second. */
    private readonly overrides: () => Record<string, number> = () => ({}),
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.pass(), PASS_MS);
    this.timer.unref();
    void this.pass();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass over every project's functions; concurrent calls share the pass in flight. */
  pass(): Promise<void> {
    this.passing ??= this.run().finally(() => (this.passing = undefined));
    return this.passing;
  }

  status(): ProvisionedStatus[] {
    return [...this.configured].map(([functionKey, configured]) => ({
      functionKey,
      configured,
      ready: this.pool.provisionedCount(functionKey),
      ...(this.failures.has(functionKey) ? { error: this.failures.get(functionKey)!.error } : {}),
    }));
  }

  private async run(): Promise<void> {
    const seen = new Set<string>();
    const starts: Promise<void>[] = [];
    const overrides = this.overrides();
    for (const project of this.catalog.list()) {
      if (project.missing) continue;
      const functions = await this.catalog.functions(project.id).catch(() => []);
      for (const info of functions) {
        const count = overrides[`${project.id}/${info.id}`] ?? info.provisionedConcurrency ?? 0;
        if (count <= 0 || info.unsupported || info.packageType === 'Image') continue;
        const { fn, codeVersion } = await this.catalog.function(project.id, info.id);
        const req = {
          projectId: project.id,
          fn,
          payload: '',
          trigger: 'api' as const,
          codeVersion,
          image: this.images[fn.runtime] ?? '',
        };
        const { functionKey, configKey, spec } = environmentFor(req);
        seen.add(functionKey);
        this.configured.set(functionKey, count);
        const failed = this.failures.get(functionKey);
        if (failed && Date.now() - failed.at < RETRY_MS) continue;
        if (this.pool.othersInUse(functionKey, configKey)) continue;
        starts.push(
          this.pool
            .provision(functionKey, configKey, spec, count)
            .then((initError) => {
              if (initError) throw new Error(`${initError.errorType}: ${initError.errorMessage}`);
              this.failures.delete(functionKey);
            })
            .catch((error: Error) => {
              this.failures.set(functionKey, { error: error.message, at: Date.now() });
            }),
        );
      }
    }
    // Functions that lost the setting (or their project) keep their environments only as keep-alive does.
    for (const functionKey of this.configured.keys()) {
      if (seen.has(functionKey)) continue;
      this.configured.delete(functionKey);
      this.failures.delete(functionKey);
      this.pool.unprovision(functionKey);
    }
    await Promise.all(starts);
  }
}
