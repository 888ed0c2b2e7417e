/**
 * Client-side checks of a function's configuration, the same limits Lambda and the engine's template writer
 * enforce, so the form can say what is wrong before anything is written.
 */
import { ENV_KEY, ENV_MAX_BYTES, isReservedEnvKey, LIMITS } from '../../../shared/function-limits';
import type { Architecture, FunctionInfo } from '../../../shared/types';

export interface EnvRow {
  id: number;
  key: string;
  value: string;
  masked: boolean;
}

export interface ConfigForm {
  memorySize: number | null;
  timeout: number | null;
  architecture: Architecture;
  ephemeralStorage: number | null;
  /** Off means unreserved (the function uses the unreserved pool). */
  reserve: boolean;
  reservedConcurrency: number | null;
  env: EnvRow[];
}

export type ConfigErrors = Partial<
  Record<'memorySize' | 'timeout' | 'ephemeralStorage' | 'reservedConcurrency' | 'env', string>
> & {
  rows?: Record<number, string>;
};

/** Values of keys like these start hidden. */
const SECRET_KEY = /secret|token|password|passwd|api_?key|private|credential/i;

let nextRow = 1;
export const envRow = (key = '', value = ''): EnvRow => ({
  id: nextRow++,
  key,
  value,
  masked: SECRET_KEY.test(key),
});

/** The form for `fn`; values hidden in `previous` rows stay hidden (a save must not reveal a secret). */
export function formFrom(fn: FunctionInfo, previous: EnvRow[] = []): ConfigForm {
  const hidden = new Set(previous.filter((r) => r.masked).map((r) => r.key.trim()));
  return {
    memorySize: fn.memorySize,
    timeout: fn.timeout,
    architecture: fn.architecture,
    ephemeralStorage: fn.ephemeralStorage,
    reserve: fn.reservedConcurrency !== undefined,
    reservedConcurrency: fn.reservedConcurrency ?? null,
    env: Object.entries(fn.environment).map(([k, v]) => {
      const row = envRow(k, v);
      if (hidden.has(k)) row.masked = true;
      return row;
    }),
  };
}

function wholeIn(v: number | null, min: number, max: number, what: string, unit: string): string | undefined {
  if (v === null || Number.isNaN(v))
    return `Enter the ${what}, ${min.toLocaleString()}–${max.toLocaleString()} ${unit}.`;
  if (!Number.isInteger(v)) return `The ${what} is a whole number of ${unit}.`;
  if (v < min || v > max)
    return `The ${what} must be ${min.toLocaleString()}–${max.toLocaleString()} ${unit}.`;
  return undefined;
}

export function envBytes(rows: EnvRow[]): number {
  const enc = new TextEncoder();
  return rows
    .filter((r) => r.key)
    .reduce((n, r) => n + enc.encode(r.key).length + enc.encode(r.value).length, 0);
}

export function validate(form: ConfigForm): ConfigErrors {
  const errors: ConfigErrors = {};
  const set = <K extends keyof ConfigErrors>(k: K, v: ConfigErrors[K] | undefined) => v && (errors[k] = v);
  const { memorySize, timeout, ephemeralStorage } = LIMITS;
  set('memorySize', wholeIn(form.memorySize, memorySize.min, memorySize.max, 'memory', 'MB'));
  set('timeout', wholeIn(form.timeout, timeout.min, timeout.max, 'timeout', 'seconds'));
  set(
    'ephemeralStorage',
    wholeIn(form.ephemeralStorage, ephemeralStorage.min, ephemeralStorage.max, 'ephemeral storage', 'MB'),
  );
  if (form.reserve) {
    const r = form.reservedConcurrency;
    if (r === null || !Number.isInteger(r) || r < 0)
      errors.reservedConcurrency = 'Reserved concurrency is a whole number of 0 or more.';
  }
  const rows: Record<number, string> = {};
  const seen = new Set<string>();
  for (const row of form.env) {
    const key = row.key.trim();
    if (!key && !row.value) continue;
    if (!key) rows[row.id] = 'Give this variable a name.';
    else if (!ENV_KEY.test(key))
      rows[row.id] = 'Names start with a letter, then letters, digits or _ (at least 2 characters).';
    else if (isReservedEnvKey(key)) rows[row.id] = `${key} is reserved by Lambda.`;
    else if (seen.has(key)) rows[row.id] = `${key} is already set above.`;
    seen.add(key);
  }
  if (Object.keys(rows).length) errors.rows = rows;
  const bytes = envBytes(form.env);
  if (bytes > ENV_MAX_BYTES)
    errors.env = `Variables take ${bytes.toLocaleString()} bytes; Lambda allows ${ENV_MAX_BYTES.toLocaleString()} in all.`;
  return errors;
}

export const hasErrors = (e: ConfigErrors): boolean => Object.keys(e).length > 0;

export function environmentOf(form: ConfigForm): Record<string, string> {
  return Object.fromEntries(form.env.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value]));
}

/** Only what changed, in the shape `functions:updateConfig` takes. */
export function patchOf(fn: FunctionInfo, form: ConfigForm) {
  const patch: {
    memorySize?: number;
    timeout?: number;
    architecture?: Architecture;
    ephemeralStorage?: number;
    reservedConcurrency?: number | null;
    environment?: Record<string, string>;
  } = {};
  if (form.memorySize !== fn.memorySize) patch.memorySize = form.memorySize!;
  if (form.timeout !== fn.timeout) patch.timeout = form.timeout!;
  if (form.architecture !== fn.architecture) patch.architecture = form.architecture;
  if (form.ephemeralStorage !== fn.ephemeralStorage) patch.ephemeralStorage = form.ephemeralStorage!;
  const reserved = form.reserve ? form.reservedConcurrency : null;
  if (reserved !== (fn.reservedConcurrency ?? null)) patch.reservedConcurrency = reserved;
  const env = environmentOf(form);
  if (JSON.stringify(env) !== JSON.stringify(fn.environment)) patch.environment = env;
  return patch;
}
