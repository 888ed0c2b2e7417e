/**
 * The Lambda Invoke API (issue 11), against real Docker and the local images, with @aws-sdk/client-lambda:
 *   I1 warm sync no-op Invoke through the endpoint (the SDK on a keep-alive agent) vs the same SDK client's
 *      Invoke answered by a bare Node HTTP server in a container (a keep-alive round trip with the SDK's own
 *      cost on both sides), timed call by call in turn: p50 ≤ 1.5×. The ratio against a raw http.get is
 *      printed too, and the ratio to the same call through a pass-through proxy into the bare server (the
 *      two hops any endpoint in the middle adds).
 * Lambench runs in its own process (bench/support/invoke-api-engine.ts), as the app or `lambench serve` does,
 * so the SDK client and the engine do not share one event loop, which they never do for a user.
 *   I2 1,000 Event invokes accepted (202) in ≤ 1 s, then all executed and recorded in History. The burst is
 *      sent as the SDK's requests are on the wire, over 32 keep-alive sockets, without the SDK itself: its
 *      signing and middleware cost more CPU per call than Lambench's acceptance (~1.3 ms against ~0.3 ms,
 *      measured here), and it runs in this same process, so it would time the client, not the endpoint.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ensureLocalImages, LOCAL_IMAGES_JSON, localImageMap } from '../../test/support/images.js';
import { percentile, type BenchRow, type BenchSuite } from '../report';
import { httpBaseline, noopProject, passThroughProxy, timeAlternately } from './engine';

const SAMPLES = 2000;
const WARMUP = 2000;
const EVENTS = 1000;
/** Concurrent connections the burst of Event invokes is sent over. */
const SENDERS = 32;

/** A second no-op with reserved concurrency 4: the queue drains it four at a time, as Lambda would. */
const ASYNC_FUNCTION = `
  NoopAsync:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: src/
      Handler: app.handler
      MemorySize: 256
      ReservedConcurrentExecutions: 4
`;

function sdk(endpoint: string, maxSockets: number): LambdaClient {
  return new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
    requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets }) },
  });
}

/** POST …/invocations with X-Amz-Invocation-Type: Event, as the SDK sends it; resolves with the request id. */
function sendEvent(url: string, agent: http.Agent, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/2015-03-31/functions/NoopAsync/invocations`,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Length': Buffer.byteLength(body),
          'X-Amz-Invocation-Type': 'Event',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 202
            ? resolve(String(res.headers['x-amzn-requestid']))
            : reject(new Error(`expected 202, got ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const suite: BenchSuite = {
  name: 'invoke-api',
  async run(): Promise<BenchRow[]> {
    process.env.LAMBENCH_IMAGES = LOCAL_IMAGES_JSON;
    await ensureLocalImages();
    const image = localImageMap()['nodejs22.x'];
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-bench-invoke-api-'));
    fs.chmodSync(root, 0o755);
    const dir = noopProject(root);
    fs.appendFileSync(path.join(dir, 'template.yaml'), ASYNC_FUNCTION);
    const child = fork(
      path.join(import.meta.dirname, '../support/invoke-api-engine.ts'),
      [path.join(root, 'home'), dir],
      { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    const reply = <T>(message?: string) =>
      new Promise<T>((resolve, reject) => {
        const exited = (code: number | null) => reject(new Error(`the engine process exited (${code})`));
        child.once('exit', exited);
        child.once('message', (m) => {
          child.off('exit', exited);
          resolve(m as T);
        });
        if (message) child.send(message);
      });
    const rows: BenchRow[] = [];
    const clients: LambdaClient[] = [];
    let baseline: Awaited<ReturnType<typeof httpBaseline>> | undefined;
    try {
      const api = await reply<{ url: string; projectId: number }>();
      const lambda = sdk(api.url!, 1);
      clients.push(lambda);
      const payload = new TextEncoder().encode('{}');
      const invoke = async () => {
        const r = await lambda.send(new InvokeCommand({ FunctionName: 'Noop', Payload: payload }));
        if (r.FunctionError) throw new Error(`invoke failed: ${new TextDecoder().decode(r.Payload)}`);
      };

      // I1: the same SDK call, answered by Lambench vs by a bare Node server in a container.
      baseline = await httpBaseline(image);
      const bareSdk = sdk(baseline.url, 1);
      clients.push(bareSdk);
      const bareInvoke = () => bareSdk.send(new InvokeCommand({ FunctionName: 'Noop', Payload: payload }));
      const [bare, warm] = await timeAlternately(SAMPLES, WARMUP, bareInvoke, invoke);
      // The two-hop floor: the same SDK call through a proxy that only forwards to the bare server.
      const proxy = await passThroughProxy(baseline.url);
      const proxySdk = sdk(proxy.url, 1);
      clients.push(proxySdk);
      const [floor] = await timeAlternately(SAMPLES, 200, () =>
        proxySdk.send(new InvokeCommand({ FunctionName: 'Noop', Payload: payload })),
      );
      await proxy.stop();
      const [raw] = await timeAlternately(SAMPLES, 200, baseline.get);
      const p50 = percentile(warm, 50);
      rows.push({
        id: 'I1',
        what: 'warm sync Invoke through the endpoint, SDK keep-alive, p50',
        value: p50,
        unit: 'ms',
        baseline: {
          what: 'the SDK’s Invoke into a bare Node server in a container',
          value: percentile(bare, 50),
        },
        goal: '≤ 1.5×',
        pass: p50 <= 1.5 * percentile(bare, 50),
      });
      rows.push({
        id: 'I1',
        what: 'the same Invoke against the two-hop floor: a pass-through proxy into the bare server, p50',
        value: p50,
        unit: 'ms',
        baseline: { what: 'pass-through proxy', value: percentile(floor, 50) },
        goal: 'reported',
        pass: true,
      });
      console.log(
        `     (p99 ${percentile(warm, 99).toFixed(2)} ms; vs a raw keep-alive http.get into the container, ` +
          `${percentile(raw, 50).toFixed(3)} ms p50: ${(p50 / percentile(raw, 50)).toFixed(2)}×)`,
      );

      // I2: a burst of Event invokes: accepted (stored, 202) within a second, then all run and recorded.
      const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
      const ids: string[] = [];
      let next = 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: SENDERS }, async () => {
          while (next < EVENTS) ids.push(await sendEvent(api.url!, agent, `{"n":${next++}}`));
        }),
      );
      agent.destroy();
      const acceptedMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      console.log(
        `     (the sender used ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms of CPU, ` +
          `load average ${os.loadavg()[0].toFixed(1)} ` +
          `on ${os.cpus().length} cores)`,
      );
      rows.push({
        id: 'I2',
        what: `${EVENTS} Event invokes accepted (202, stored)`,
        value: acceptedMs,
        unit: 'ms',
        goal: '≤ 1000 ms',
        pass: acceptedMs <= 1000,
      });
      const deadline = Date.now() + 120_000;
      type Counts = { succeeded: number; finished: number; recorded: number };
      let counts = await reply<Counts>('count');
      while (counts.finished < EVENTS && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        counts = await reply<Counts>('count');
      }
      const drainedMs = performance.now() - t0;
      const { recorded } = counts;
      rows.push({
        id: 'I2',
        what: `of them executed and recorded in History (all done ${(drainedMs / 1000).toFixed(1)} s after the first)`,
        value: recorded,
        unit: 'events',
        goal: `= ${EVENTS}`,
        pass: recorded === EVENTS && counts.succeeded === EVENTS && new Set(ids).size === EVENTS,
      });
    } finally {
      for (const c of clients) c.destroy();
      await baseline?.stop();
      if (child.connected) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.send('stop');
        await exited;
      }
      fs.rmSync(root, { recursive: true, force: true });
    }
    return rows;
  },
};
