/** Where the in-container runtime clients (resources/runtimes) live on the host. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * LAMBENCH_RESOURCES (the resources folder) wins; otherwise walk up from this module, which
 * finds the repo's folder both from source and from the electron-vite bundle in out/.
 */
export function findRuntimesDir(from = path.dirname(fileURLToPath(import.meta.url))): string {
  const env = process.env.LAMBENCH_RESOURCES;
  if (env) return path.resolve(env, 'runtimes');
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'resources', 'runtimes');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(
    'Cannot find resources/runtimes (the in-container runtime clients); set LAMBENCH_RESOURCES to the resources folder.',
  );
}
