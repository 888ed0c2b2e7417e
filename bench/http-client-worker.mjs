/**
 * A keep-alive HTTP client on its own thread, timing URLs call by call in turn. A client on the engine's
 * own thread would wait for whatever the engine does after answering (History's batched write, events) before
 * it could read the answer; curl or a browser, in another process, does not.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ urls: string[], samples: number, warmup: number }} */
const { urls, samples, warmup } = workerData;
const agents = urls.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));

/** @param {number} i */
function get(i) {
  return new Promise((resolve, reject) => {
    const req = http.get(urls[i], { agent: agents[i] }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${urls[i]} answered ${res.statusCode}`));
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
  });
}

/** @type {number[][]} */
const times = urls.map(() => []);
for (let n = 0; n < warmup + samples; n++) {
  for (const i of urls.keys()) {
    const t0 = performance.now();
    await get(i);
    if (n >= warmup) times[i].push(performance.now() - t0);
  }
}
agents.forEach((a) => a.destroy());
parentPort?.postMessage(times.map((t) => t.sort((a, b) => a - b)));
