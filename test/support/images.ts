/**
 * Lambench's local runtime images for tests and benchmarks: the engine's own builder
 * (electron/engine/docker/local-runtime-images.ts), the one `npm run images` and the app's
 * "Build local runtime image" run too. A second run is a no-op while the host's binaries are unchanged.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDockerClient } from '../../electron/engine/docker';
import {
  LocalImageBuilder,
  localImageMap as engineLocalImageMap,
  type LocalBuildResult,
} from '../../electron/engine/docker/local-runtime-images';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The runtime → image map for LAMBENCH_IMAGES (the default `lambench-local` repository). */
export const LOCAL_IMAGES_JSON = path.join(here, 'local-images.json');

/** ldd answers kept across runs: the warm path must be fast. */
const LDD_CACHE = path.join(here, '../../node_modules/.cache/lambench/ldd.json');

export type LocalImageResult = LocalBuildResult;

/** The runtime → image map for local images. */
export function localImageMap(): Record<string, string> {
  return engineLocalImageMap('lambench-local');
}

/** Builds every local image that is missing or out of date. */
export async function ensureLocalImages(
  options: { log?: (line: string) => void } = {},
): Promise<{ map: Record<string, string>; results: LocalImageResult[] }> {
  const log = options.log ?? ((line) => console.log(`[images] ${line}`));
  const map = localImageMap();
  const builder = new LocalImageBuilder(createDockerClient().docker, { cacheFile: LDD_CACHE });
  const results = await Promise.all([...new Set(Object.values(map))].map((image) => builder.build(image)));
  for (const r of results.filter((r) => r.built))
    log(`built ${r.image} (${((r.size ?? 0) / 1e6).toFixed(1)} MB) in ${((r.ms ?? 0) / 1000).toFixed(1)} s`);
  return { map, results };
}
