/**
 * Where Lambench's bundled resources (blueprints, runtime clients) live. The engine runs from
 * source (vitest, tsx) and bundled (out/main/*.js), so the folder is found by walking up from
 * this module; LAMBENCH_RESOURCES overrides it (e.g. a packaged app's unpacked resources).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

function looksLikeResources(dir: string): boolean {
  return existsSync(join(dir, 'blueprints')) || existsSync(join(dir, 'runtimes'));
}

/** Absolute path of the `resources` folder. */
export function resourcesDir(): string {
  const fromEnv = process.env.LAMBENCH_RESOURCES;
  if (fromEnv) return resolve(fromEnv);
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'resources');
    if (looksLikeResources(candidate)) return (cached = candidate);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `Cannot find Lambench's resources folder above ${fileURLToPath(import.meta.url)}; set LAMBENCH_RESOURCES`,
  );
}
