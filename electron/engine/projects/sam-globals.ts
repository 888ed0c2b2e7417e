/**
 * SAM's Globals merge (samtranslator/plugins/globals): scalars are overridden by the function,
 * maps are merged key by key, lists are concatenated with the globals first. An intrinsic
 * (`{Ref: …}`) counts as a scalar, so the function's value simply wins.
 */
import { intrinsicKey } from './intrinsics';

type Kind = 'map' | 'list' | 'scalar';

function kindOf(v: unknown): Kind {
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object' && v !== null && !intrinsicKey(v)) return 'map';
  return 'scalar';
}

export function mergeGlobal(global: unknown, local: unknown): unknown {
  if (local === undefined) return global;
  if (global === undefined) return local;
  const kind = kindOf(global);
  if (kind !== kindOf(local)) return local;
  if (kind === 'list') return [...(global as unknown[]), ...(local as unknown[])];
  if (kind === 'scalar') return local;
  const g = global as Record<string, unknown>;
  const l = local as Record<string, unknown>;
  const out: Record<string, unknown> = { ...g };
  for (const [k, v] of Object.entries(l)) out[k] = mergeGlobal(g[k], v);
  return out;
}

/** The function's properties with Globals.Function applied. */
export function withGlobals(
  globals: Record<string, unknown> | undefined,
  props: Record<string, unknown>,
): Record<string, unknown> {
  return (mergeGlobal(globals ?? {}, props) as Record<string, unknown>) ?? {};
}
