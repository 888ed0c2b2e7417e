/** Why Lambench cannot run a function, found before any container starts. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_KEY, ENV_MAX_BYTES, isReservedEnvKey, LIMITS } from '../../../shared/function-limits';

export const SUPPORTED_RUNTIMES = [
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'provided.al2',
  'provided.al2023',
] as const;

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();

/** Runtime and code-location problems, or undefined when the function can run. */
export function checkRuntime(runtime: string): string | undefined {
  if (!runtime) return 'Runtime is missing (set Runtime on the function or in Globals.Function)';
  if (!(SUPPORTED_RUNTIMES as readonly string[]).includes(runtime))
    return `Runtime '${runtime}' is not supported by Lambench yet`;
  return undefined;
}

/**
 * Values outside Lambda's limits, in the words of Lambda's ValidationException: a function Lambda would
 * refuse to create must not run here with a 20 GB container or a zero timeout.
 */
export function checkLimits(fn: {
  memorySize: number;
  timeout: number;
  ephemeralStorage: number;
  reservedConcurrency?: number;
  environment: Record<string, string>;
}): string | undefined {
  const ranges: [string, number, { min: number; max: number }][] = [
    ['MemorySize', fn.memorySize, LIMITS.memorySize],
    ['Timeout', fn.timeout, LIMITS.timeout],
    ['EphemeralStorage.Size', fn.ephemeralStorage, LIMITS.ephemeralStorage],
    ['ReservedConcurrentExecutions', fn.reservedConcurrency ?? 0, { min: 0, max: Infinity }],
  ];
  for (const [name, value, { min, max }] of ranges) {
    const bound =
      value < min ? `greater than or equal to ${min}` : value > max ? `less than or equal to ${max}` : '';
    if (bound)
      return `Value '${value}' at '${name}' failed to satisfy constraint: Member must have value ${bound}`;
  }
  return checkEnvironment(fn.environment);
}

/** The function's variables, against the rules Lambda applies when it configures them. */
function checkEnvironment(env: Record<string, string>): string | undefined {
  const unable =
    'Lambda was unable to configure your environment variables because the environment variables you have provided';
  const reserved = Object.keys(env).filter(isReservedEnvKey);
  if (reserved.length)
    return `${unable} contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`;
  const badName = Object.keys(env).find((k) => !ENV_KEY.test(k));
  if (badName)
    return `Environment variable name '${badName}' is not valid: use a letter, then letters, digits or _ (at least 2 characters)`;
  const bytes = Object.entries(env).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)),
    0,
  );
  if (bytes > ENV_MAX_BYTES) return `${unable} exceeded the 4KB limit (${bytes} bytes)`;
  return undefined;
}

/** The code folder exists and holds the file the handler names. */
export function checkCode(
  runtime: string,
  handler: string,
  codeDir: string,
  codeUriText: string,
  buildMethod?: string,
): string | undefined {
  if (!isDir(codeDir)) {
    if (isFile(codeDir)) return `CodeUri '${codeUriText}' is a file (${codeDir}); Lambench needs a folder`;
    return `CodeUri '${codeUriText}' does not exist (${codeDir})`;
  }
  if (runtime.startsWith('provided')) {
    return isFile(join(codeDir, 'bootstrap'))
      ? undefined
      : `Handler file 'bootstrap' not found in ${codeDir}`;
  }
  if (!handler) return 'Handler is missing';
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) return `Handler '${handler}' must look like 'file.function'`;
  const base = handler.slice(0, dot);
  if (runtime.startsWith('nodejs')) {
    if (['.js', '.mjs', '.cjs'].some((ext) => isFile(join(codeDir, base + ext)))) return undefined;
    // sam init's TypeScript templates need `sam build` (esbuild) before the handler exists.
    const hint =
      isFile(join(codeDir, `${base}.ts`)) || buildMethod === 'esbuild'
        ? ` (found ${base}.ts: run 'sam build' and open the built function, or compile to JavaScript)`
        : '';
    return `Handler file '${base}.js' (or .mjs, .cjs) not found in ${codeDir}${hint}`;
  }
  // Python: `pkg.module.fn` → pkg/module.py (or a package's __init__.py).
  const mod = base.replace(/\./g, '/');
  if (isFile(join(codeDir, `${mod}.py`)) || isFile(join(codeDir, mod, '__init__.py'))) return undefined;
  return `Handler file '${mod}.py' not found in ${codeDir}`;
}
