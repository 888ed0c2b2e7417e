/**
 * The local API Gateway (issue 12): a warm HTTP API request (payload 2.0) to a no-op function, end to end
 * (HTTP in, proxy event, invoke through the pool, result mapped back), against a bare HTTP round trip into
 * a warm container measured in the same run, call by call in turn: p50 ≤ 1.5×. Beside it, the same request
 * against a pass-through proxy into that container: any server in the middle adds the two hops it has.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine } from '../../electron/engine/engine';
import { ensureLocalImages, LOCAL_IMAGES_JSON, localImageMap } from '../../test/support/images.js';
import { percentile, type BenchRow, type BenchSuite } from '../report';
import { httpBaseline, noopProject, passThroughProxy, timeAlternately, WARM_SAMPLES, WARMUP } from './engine';

/** The URLs timed in turn by one client on its own thread (see http-client-worker.mjs for why). */
function timeFromWorker(urls: string[]): Promise<number[][]> {
  const worker = new Worker(new URL('../http-client-worker.mjs', import.meta.url), {
    workerData: { urls, samples: WARM_SAMPLES, warmup: WARMUP },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

const EVENTS = `      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /noop
            Method: GET
`;

export const suite: BenchSuite = {
  name: 'http-api',
  async run(): Promise<BenchRow[]> {
    process.env.LAMBENCH_IMAGES = LOCAL_IMAGES_JSON;
    await ensureLocalImages();
    const image = localImageMap()['nodejs22.x'];
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-bench-http-'));
    fs.chmodSync(root, 0o755);
    const engine = await createEngine({ home: path.join(root, 'home') });
    try {
      const client = createDirectClient(engine);
      const project = await client.call('projects:open', { path: noopProject(root, EVENTS) });
      await engine.services.triggers.start();
      const { port, error } = await engine.services.triggers.startHttp(0);
      if (!port) throw new Error(`HTTP API did not start: ${error}`);
      const baseline = await httpBaseline(image);
      const proxy = await passThroughProxy(baseline.url);
      const [bare, api, floor] = await timeFromWorker([
        baseline.url,
        `http://127.0.0.1:${port}/noop`,
        proxy.url,
      ]);
      await proxy.stop();
      // For reading the figure: the same function invoked directly (engine P1's path), against the same baseline.
      const invoke = () =>
        client.call('functions:invoke', { projectId: project.id, functionId: 'Noop', payload: '{}' });
      const [bareDirect, direct] = await timeAlternately(WARM_SAMPLES, WARMUP, baseline.get, invoke);
      await baseline.stop();
      const bareP50 = percentile(bare, 50);
      const apiP50 = percentile(api, 50);
      return [
        {
          id: 'H1',
          what: 'warm HTTP API request to a no-op function p50',
          value: apiP50,
          unit: 'ms',
          baseline: { what: 'bare HTTP round trip into a container', value: bareP50 },
          goal: '≤ 1.5×',
          pass: apiP50 <= 1.5 * bareP50,
        },
        {
          id: 'H1',
          what: 'the same request against the two-hop floor: a pass-through proxy into the bare container, p50',
          value: apiP50,
          unit: 'ms',
          baseline: { what: 'pass-through proxy', value: percentile(floor, 50) },
          goal: 'reported',
          pass: true,
        },
        {
          id: 'H1',
          what: 'warm HTTP API request p99',
          value: percentile(api, 99),
          unit: 'ms',
          baseline: { what: 'bare HTTP p99', value: percentile(bare, 99) },
          goal: 'reported',
          pass: true,
        },
        {
          id: 'H1',
          what: 'for reference: the same no-op invoked directly p50',
          value: percentile(direct, 50),
          unit: 'ms',
          baseline: { what: 'bare HTTP round trip (same run)', value: percentile(bareDirect, 50) },
          goal: 'reported',
          pass: true,
        },
      ];
    } finally {
      await engine.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
};
