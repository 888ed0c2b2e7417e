import { join } from 'node:path';
import { localImageDifferences } from '../../shared/local-runtime-images';
import type { ImagePullProgress } from '../../shared/types';
import { createDockerClient } from '../engine/docker';
import { LocalImageBuilder, type LocalBuildResult } from '../engine/docker/local-runtime-images';
import { resolveHome } from '../engine/home';
import { withEngine } from './engine-client';
import type { Command } from './run';

export const images: Command = {
  summary: "Build a runtime's image locally from this machine's binaries (when no registry answers)",
  usage: 'lambench images build <runtime>… | --all',
  options: { all: { type: 'boolean' }, json: { type: 'boolean' } },
  async run({ values, positionals }) {
    const [sub, ...runtimes] = positionals;
    if (sub !== 'build' || (!values.all && !runtimes.length)) {
      throw new Error(`say which runtime(s) to build, or --all\nUsage: ${this.usage}`);
    }
    return values.all ? buildAll(Boolean(values.json)) : buildForRuntimes(runtimes, Boolean(values.json));
  },
};

const mb = (bytes?: number) => (bytes === undefined ? '' : ` (${(bytes / 1e6).toFixed(1)} MB)`);
const secs = (ms?: number) => (ms === undefined ? '' : ` in ${(ms / 1000).toFixed(1)} s`);

function progressPrinter(json: boolean) {
  return (p: ImagePullProgress) => {
    if (!json && p.kind === 'build' && !p.done && p.status !== 'Reading host binaries')
      console.error(`${p.image}: ${p.status}…`);
  };
}

/** Through the engine, as the app does: each runtime then runs on its local image (a Settings override). */
async function buildForRuntimes(runtimes: string[], json: boolean): Promise<number> {
  const outcomes = await withEngine(async (client) => {
    const off = client.on('image:pull', progressPrinter(json));
    try {
      const done = [];
      for (const runtime of runtimes) done.push(await client.call('images:buildLocal', { runtime }));
      return done;
    } finally {
      off();
    }
  });
  if (json) {
    console.log(JSON.stringify(outcomes, null, 2));
    return 0;
  }
  for (const o of outcomes) {
    const what = o.built
      ? `Built ${o.image}${mb(o.sizeBytes)}${secs(o.durationMs)}`
      : `${o.image} is up to date`;
    console.log(`${what}; ${o.runtime} now runs on it (Settings → runtime images).`);
  }
  console.log(
    `\nHow it differs from the official image:\n${localImageDifferences.map((d) => `  - ${d}`).join('\n')}`,
  );
  return 0;
}

/** Every local image, settings untouched: CI's `npm run images`, with LAMBENCH_IMAGES pointing at them. */
async function buildAll(json: boolean): Promise<number> {
  const started = Date.now();
  const builder = new LocalImageBuilder(createDockerClient().docker, {
    cacheFile: join(resolveHome(), 'cache', 'ldd.json'),
    onProgress: progressPrinter(json),
  });
  const results: LocalBuildResult[] = await builder.buildAll();
  if (json) console.log(JSON.stringify(results, null, 2));
  else {
    for (const r of results.filter((r) => r.built))
      console.log(`[images] built ${r.image}${mb(r.size)}${secs(r.ms)}`);
    const fresh = results.filter((r) => r.built).length;
    console.log(`[images] ${fresh} built, ${results.length - fresh} up to date (${Date.now() - started} ms)`);
  }
  return 0;
}
