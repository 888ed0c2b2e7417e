/**
 * Writes config changes from the UI back into template.yaml. Only the changed values move;
 * comments, ordering and formatting stay as the user wrote them (see yaml-splice.ts).
 */
import { chmod, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { Architecture } from '../../../shared/types';
import { ValidationError } from './errors';
import {
  LAMBDA_FUNCTION,
  SERVERLESS_FUNCTION,
  loadTemplate,
  readTemplateFile,
  type LoadedFunction,
} from './template';
import { YamlEditor } from './yaml-splice';
import { ENV_KEY, ENV_MAX_BYTES, isReservedEnvKey, LIMITS } from '../../../shared/function-limits';

export interface FunctionConfigPatch {
  memorySize?: number;
  timeout?: number;
  /** The function's complete set of variables after the change. */
  environment?: Record<string, string>;
  architecture?: Architecture;
  ephemeralStorage?: number;
  /** null removes the reservation. */
  reservedConcurrency?: number | null;
}

function intInRange(name: string, v: number | undefined, min: number, max: number, unit: string): void {
  if (v === undefined) return;
  if (!Number.isInteger(v) || v < min || v > max)
    throw new ValidationError(`${name} must be a whole number from ${min} to ${max} ${unit} (got ${v})`, {
      field: name,
    });
}

export function validatePatch(patch: FunctionConfigPatch): void {
  intInRange('Memory', patch.memorySize, LIMITS.memorySize.min, LIMITS.memorySize.max, 'MB');
  intInRange('Timeout', patch.timeout, LIMITS.timeout.min, LIMITS.timeout.max, 'seconds');
  intInRange(
    'Ephemeral storage',
    patch.ephemeralStorage,
    LIMITS.ephemeralStorage.min,
    LIMITS.ephemeralStorage.max,
    'MB',
  );
  if (patch.reservedConcurrency !== undefined && patch.reservedConcurrency !== null) {
    const r = patch.reservedConcurrency;
    if (!Number.isInteger(r) || r < 0)
      throw new ValidationError(`Reserved concurrency must be a whole number of 0 or more (got ${r})`, {
        field: 'Reserved concurrency',
      });
  }
  if (patch.architecture !== undefined && patch.architecture !== 'x86_64' && patch.architecture !== 'arm64')
    throw new ValidationError(`Architecture must be x86_64 or arm64 (got '${String(patch.architecture)}')`);
  if (patch.environment) {
    let bytes = 0;
    for (const [k, v] of Object.entries(patch.environment)) {
      if (!ENV_KEY.test(k))
        throw new ValidationError(
          `Environment variable name '${k}' is not valid: use a letter, then letters, digits or _ (at least 2 characters)`,
          { key: k },
        );
      if (isReservedEnvKey(k))
        throw new ValidationError(`Environment variable '${k}' is reserved by Lambda`, { key: k });
      if (typeof v !== 'string')
        throw new ValidationError(`Environment variable '${k}' must be a string`, { key: k });
      bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
    }
    if (bytes > ENV_MAX_BYTES)
      throw new ValidationError(`Environment variables total ${bytes} bytes; Lambda allows ${ENV_MAX_BYTES}`);
  }
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await chmod(tmp, (await stat(file)).mode & 0o777);
  await rename(tmp, file);
}

/**
 * Applies `patch` to function `functionId` in the project's template and returns the reloaded
 * function. Values inherited from Globals are written onto the function; Globals stay untouched.
 */
export async function updateFunctionConfig(
  projectDir: string,
  functionId: string,
  patch: FunctionConfigPatch,
): Promise<LoadedFunction> {
  validatePatch(patch);
  const loaded = await loadTemplate(projectDir);
  const current = loaded.functions.find((f) => f.id === functionId);
  const { data } = await readTemplateFile(loaded.file);
  const resource = obj(obj(data.Resources)[functionId]);
  if (!current || (resource.Type !== SERVERLESS_FUNCTION && resource.Type !== LAMBDA_FUNCTION))
    throw new ValidationError(`No function '${functionId}' in ${loaded.file}`, { functionId });
  const own = obj(resource.Properties);
  const globals = resource.Type === SERVERLESS_FUNCTION ? obj(obj(data.Globals).Function) : {};

  const text = await readFile(loaded.file, 'utf8');
  const editor = new YamlEditor(text);
  const P = ['Resources', functionId, 'Properties'];
  let changed = false;
  const set = (path: (string | number)[], value: string | number | string[]): void => {
    editor.set([...P, ...path], value);
    changed = true;
  };
  const del = (path: string[]): void => {
    editor.delete([...P, ...path]);
    changed = true;
  };

  if (patch.memorySize !== undefined && patch.memorySize !== current.memorySize)
    set(['MemorySize'], patch.memorySize);
  if (patch.timeout !== undefined && patch.timeout !== current.timeout) set(['Timeout'], patch.timeout);
  if (patch.ephemeralStorage !== undefined && patch.ephemeralStorage !== current.ephemeralStorage)
    set(['EphemeralStorage', 'Size'], patch.ephemeralStorage);

  if (patch.architecture !== undefined && patch.architecture !== current.architecture) {
    // SAM concatenates lists from Globals, so a function cannot override a global Architectures.
    if (globals.Architectures !== undefined)
      throw new ValidationError(
        'Architectures is set in Globals.Function; change it there for all functions',
      );
    if (Array.isArray(own.Architectures) && own.Architectures.length === 1)
      set(['Architectures', 0], patch.architecture);
    else set(['Architectures'], [patch.architecture]);
  }

  if (patch.reservedConcurrency !== undefined && patch.reservedConcurrency !== current.reservedConcurrency) {
    if (patch.reservedConcurrency !== null) set(['ReservedConcurrentExecutions'], patch.reservedConcurrency);
    else if (own.ReservedConcurrentExecutions !== undefined) del(['ReservedConcurrentExecutions']);
    else
      throw new ValidationError(
        'ReservedConcurrentExecutions comes from Globals.Function; remove it there to lift the reservation',
      );
  }

  if (patch.environment) {
    const wanted = patch.environment;
    const globalVars = obj(obj(globals.Environment).Variables);
    const ownEnv = obj(own.Environment);
    const ownVars = obj(ownEnv.Variables);
    for (const k of Object.keys(globalVars)) {
      if (!(k in wanted))
        throw new ValidationError(
          `Environment variable '${k}' comes from Globals.Function; remove it there (it applies to every function)`,
          { key: k },
        );
    }
    const removed = Object.keys(ownVars).filter((k) => !(k in wanted));
    const updated = Object.entries(wanted).filter(([k, v]) => current.environment[k] !== v);
    const remaining =
      Object.keys(ownVars).length - removed.length + updated.filter(([k]) => !(k in ownVars)).length;
    if (remaining === 0 && removed.length > 0) {
      // No variables left on the function: drop the empty block rather than leave `Variables: null`.
      del(Object.keys(ownEnv).length === 1 ? ['Environment'] : ['Environment', 'Variables']);
    } else {
      for (const k of removed) del(['Environment', 'Variables', k]);
      for (const [k, v] of updated) set(['Environment', 'Variables', k], v);
    }
  }

  if (changed) {
    const { text: out } = editor.result();
    if (out !== text) await writeAtomic(loaded.file, out);
  }
  const reloaded = await loadTemplate(projectDir);
  return reloaded.functions.find((f) => f.id === functionId) ?? current;
}
