/**
 * The one place a qualifier becomes something to run: $LATEST is the project's working folder, a number is
 * that version's snapshot, an alias is its version or (by weight) its additional version. Every caller that
 * names a function (UI, CLI, Invoke API) resolves through here, then hands the result to Invoker.invoke().
 */
import type { LoadedFunction } from '../projects/template';
import type { AliasRow } from './versions-repo';
import { LATEST, checkQualifier, functionNotFound } from './lambda-errors';

export interface Resolved {
  /** The function as it runs: $LATEST's as loaded, or a version's snapshot (code and layers under the home). */
  fn: LoadedFunction;
  /** The code version its environments must match: the watcher's counter for $LATEST, 0 for a snapshot. */
  codeVersion: number;
  /** What the caller named, if anything (unqualified runs $LATEST; the ARN the code sees has no suffix). */
  qualifier?: string;
  /** The version that runs: $LATEST or a number, as Lambda's ExecutedVersion. */
  executedVersion: string;
}

/** What resolving needs from the engine; VersionService provides it. */
export interface ResolveSource {
  latest(projectId: number, functionId: string): Promise<{ fn: LoadedFunction; codeVersion: number }>;
  /** The snapshot of a published version, or undefined if there is no such version. */
  snapshot(projectId: number, functionId: string, version: number): LoadedFunction | undefined;
  alias(projectId: number, functionId: string, name: string): Promise<AliasRow | undefined>;
  /** The function's name for error messages (its FunctionName, else the logical id). */
  functionName(projectId: number, functionId: string): Promise<string>;
}

/** Random numbers in [0, 1): Math.random, or a seeded one in tests. */
export type Random = () => number;

export async function resolveQualifier(
  source: ResolveSource,
  projectId: number,
  functionId: string,
  qualifier?: string,
  random: Random = Math.random,
): Promise<Resolved> {
  const named = qualifier === undefined || qualifier === '' ? LATEST : qualifier;
  checkQualifier(named);
  let version = named;
  if (!/^(\$LATEST|[0-9]+)$/.test(named)) {
    const alias = await source.alias(projectId, functionId, named);
    if (!alias) throw functionNotFound(await source.functionName(projectId, functionId), named);
    version = routeAlias(alias, random);
  }
  if (version === LATEST) {
    const { fn, codeVersion } = await source.latest(projectId, functionId);
    // No conditional spread: this is every warm invoke's path, and V8 copies those slowly.
    return { fn, codeVersion, qualifier: qualifier || undefined, executedVersion: LATEST };
  }
  const fn = source.snapshot(projectId, functionId, Number(version));
  if (!fn) throw functionNotFound(await source.functionName(projectId, functionId), version);
  return { fn, codeVersion: 0, qualifier: named, executedVersion: version };
}

/** Lambda's weighted alias: the additional version gets its weight's share of invokes, the alias's the rest. */
export function routeAlias(
  alias: Pick<AliasRow, 'functionVersion' | 'routingConfig'>,
  random: Random,
): string {
  const extra = Object.entries(alias.routingConfig?.additionalVersionWeights ?? {})[0];
  if (extra && random() < extra[1]) return extra[0];
  return alias.functionVersion;
}
