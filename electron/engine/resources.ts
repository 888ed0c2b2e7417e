/**
 * Where Lambench's bundled resources (blueprints, runtime clients) live. The engine runs from
 * source (vitest, tsx) and bundled (out/main/*.js), so the folder is found by walking up from
 * this module; LAMBENCH_RESOURCES overrides it (a packaged app sets it to packagedResourcesDir()).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

function looksLikeResources(dir: string): boolean {
  return existsSync(join(dir, 'blueprints')) || existsSync(join(dir, 'runtimes'));
}

/**
 * In a packaged app: electron-builder's `extraResources` (electron-builder.yml) copy the folder beside
 * app.asar as real files, which Docker can bind-mount; `resourcesPath` is Electron's process.resourcesPath.
 */
export function packagedResourcesDir(resourcesPath: string): string {
  return join(resourcesPath, 'resources');
}

/** The nearest `resources` folder at or above `start`, or undefined. */
export function findResourcesFrom(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'resources');
    if (looksLikeResources(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Absolute path of the `resources` folder. */
export function resourcesDir(): string {
  const fromEnv = process.env.LAMBENCH_RESOURCES;
  if (fromEnv) return resolve(fromEnv);
  const here = dirname(fileURLToPath(import.meta.url));
  cached ??= findResourcesFrom(here);
  if (cached) return cached;
  throw new Error(`Cannot find Lambench's resources folder above ${here}; set LAMBENCH_RESOURCES`);
}
