/**
 * The Docker executor against the real engine and the locally built images. Functions here are
 * `provided` runtimes whose bootstrap is a shell script, so each test controls what runs.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient, ping } from '../../electron/engine/docker/client';
import { cpuLimit, DockerExecutor, signalName } from '../../electron/engine/docker/docker-executor';
import { ensureImage } from '../../electron/engine/docker/images';
import { layerBinds } from '../../electron/engine/docker/layers';
import type { EnvironmentSpec, ExitInfo, RunningEnvironment } from '../../electron/engine/runtime/executor';
import { startRuntimeApi } from '../../electron/engine/runtime/runtime-api';
import { ensureLocalImages, localImageMap } from '../support/images.js';

const client = createDockerClient();
const executor = new DockerExecutor(client, { runtimesDir: path.resolve('resources/runtimes') });
const images = localImageMap();
const tmpDirs: string[] = [];

beforeAll(async () => {
  const started = Date.now();
  await ensureLocalImages({ log: (l) => console.log(`[images] ${l}`) });
  console.log(`[images] ensureLocalImages took ${Date.now() - started} ms`);
});

afterAll(async () => {
  await executor.reapOrphans();
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A folder readable by the sandbox user (uid 993), as mkdtemp makes 0700 folders. */
function tempDir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-docker-'));
  fs.chmodSync(dir, 0o755);
  tmpDirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, text, { mode: 0o755 });
  }
  return dir;
}

function spec(bootstrap: string, overrides: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return {
    id: `test-${randomUUID().slice(0, 8)}`,
    functionName: 'docker-test-fn',
    runtime: 'provided.al2023',
    handler: 'handler.run',
    codeDir: tempDir({ bootstrap: `#!/bin/sh\n${bootstrap}\n` }),
    layerDirs: [],
    memoryMb: 512,
    timeoutSec: 30,
    ephemeralMb: 512,
    architecture: 'x86_64',
    environment: { MY_VAR: 'hello world', AWS_REGION: 'eu-west-9' },
    image: images['provided.al2023'],
    runtimeApi: '172.17.0.1:9999',
    labels: { 'lambench.test': 'docker-executor' },
    ...overrides,
  };
}

interface Run {
  env: RunningEnvironment;
  lines: string[];
  exit: ExitInfo;
}

/** Starts, waits for the exit, removes the container. */
async function runToExit(s: EnvironmentSpec): Promise<Run> {
  const env = await executor.start(s);
  const lines: string[] = [];
  env.onLine((l) => lines.push(l));
  try {
    return { env, lines, exit: await env.exited };
  } finally {
    await env.destroy();
  }
}

function waitForLine(lines: string[], text: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (lines.some((l) => l.includes(text))) resolve();
      else if (Date.now() > until) reject(new Error(`no line "${text}" in ${JSON.stringify(lines)}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

function ours(owner = executor.owner): string[] {
  const out = execFileSync('docker', ['ps', '-aq', '--filter', `label=lambench.owner=${owner}`]);
  return out.toString().trim().split('\n').filter(Boolean);
}

describe('docker client', () => {
  it('pings the engine', async () => {
    const r = await ping(client);
    expect(r.ok).toBe(true);
    expect(r.apiVersion).toMatch(/^1\.\d+/);
  });

  it('fails fast with a hint when the engine is unreachable', async () => {
    for (const host of ['unix:///nonexistent/docker.sock', 'tcp://127.0.0.1:1']) {
      const started = Date.now();
      const r = await ping(createDockerClient({ host }));
      expect(r.ok).toBe(false);
      expect(r.hint).toContain(host);
      expect(Date.now() - started).toBeLessThan(2500);
    }
    const r = await ping(createDockerClient({ host: 'unix:///nonexistent/docker.sock' }));
    expect(r.hint).toMatch(/Docker is not running.*systemctl start docker/);
  });

  it('gives up on an engine that accepts but never answers', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    const r = await ping(createDockerClient({ host: `tcp://127.0.0.1:${port}` }), 500);
    silent.close();
    expect(r).toMatchObject({ ok: false, error: 'timed out after 500 ms' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reports a missing, unpullable image as ImageNotAvailable', async () => {
    const err = await ensureImage(client.docker, 'lambench-local/does-not-exist:1').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('ImageNotAvailable');
    expect((err as Error).message).toMatch(/lambench-local\/does-not-exist:1.*LAMBENCH_IMAGES/s);
  });

  it('finds local images without pulling', async () => {
    expect(await ensureImage(client.docker, images['nodejs20.x'])).toBe('present');
  });
});

describe('docker executor', () => {
  it('binds the Runtime API to the bridge gateway', async () => {
    expect(await executor.runtimeApiHost()).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('runs as the sandbox user with no capabilities and Lambda variables', async () => {
    // Alive for a moment: an exited container has no IP address left to inspect (a real runtime keeps polling).
    const s = spec('sleep 2; id -u; id -g; grep CapEff /proc/self/status; env; pwd');
    const { env, lines, exit } = await runToExit(s);
    expect(exit).toEqual({ exitCode: 0, signal: null, oomKilled: false });
    expect(env.callerAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(lines.slice(0, 3)).toEqual(['993', '990', 'CapEff:\t0000000000000000']);
    expect(lines).toContain('MY_VAR=hello world');
    expect(lines).toContain('AWS_LAMBDA_FUNCTION_NAME=docker-test-fn');
    expect(lines).toContain('AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512');
    expect(lines).toContain('AWS_LAMBDA_FUNCTION_VERSION=$LATEST');
    expect(lines).toContain('AWS_LAMBDA_RUNTIME_API=172.17.0.1:9999');
    expect(lines).toContain('_HANDLER=handler.run');
    expect(lines).toContain('LAMBDA_TASK_ROOT=/var/task');
    // Reserved variables win over the function's own.
    expect(lines).toContain('AWS_REGION=us-east-1');
    expect(lines.some((l) => l.startsWith('AWS_LAMBDA_LOG_STREAM_NAME='))).toBe(true);
    // OS-only runtimes have no AWS_EXECUTION_ENV on Lambda.
    expect(lines.some((l) => l.startsWith('AWS_EXECUTION_ENV='))).toBe(false);
    expect(lines[lines.length - 1]).toBe('/var/task');
  });

  it('has a read-only root with a writable /tmp', async () => {
    const script = [
      '(echo x > /var/task/f) 2>/dev/null && echo task-writable || echo task-ro',
      '(echo x > /etc/f) 2>/dev/null && echo root-writable || echo root-ro',
      'echo x > /tmp/f && cat /tmp/f && echo tmp-ok',
      'ls /var/runtime >/dev/null && echo runtime-mounted',
    ].join('\n');
    const { lines, exit } = await runToExit(spec(script));
    expect(exit.exitCode).toBe(0);
    expect(lines).toEqual(['task-ro', 'root-ro', 'x', 'tmp-ok', 'runtime-mounted']);
  });

  it('sends lines live, stdout and stderr alike, and the last unterminated one at exit', async () => {
    const env = await executor.start(spec('echo first; echo to-stderr >&2; sleep 1.5; printf last'));
    const seen: { line: string; at: number }[] = [];
    env.onLine((line) => seen.push({ line, at: Date.now() }));
    await env.exited;
    const exitedAt = Date.now();
    await env.destroy();
    // stdout and stderr are separate pipes, so their relative order is not kept (as on Lambda).
    expect(seen.map((s) => s.line).sort()).toEqual(['first', 'last', 'to-stderr']);
    expect(seen[2].line).toBe('last');
    expect(exitedAt - Math.min(seen[0].at, seen[1].at)).toBeGreaterThan(1000);
  });

  it('reports a non-zero exit and its signal', async () => {
    const { exit } = await runToExit(spec('exit 3'));
    expect(exit).toEqual({ exitCode: 3, signal: null, oomKilled: false });
    expect(signalName(137)).toBe('SIGKILL');
    const env = await executor.start(spec('sleep 30'));
    await env.destroy();
    expect((await env.exited).exitCode).toBe(137);
  });

  it('reads the real peak memory from the cgroup', async () => {
    const alloc =
      'const b = Buffer.alloc(100 * 1024 * 1024, 1); console.log("allocated", b.length); setTimeout(() => {}, 60000)';
    const s = spec(`exec node -e '${alloc}'`, { image: images['nodejs20.x'], memoryMb: 512 });
    const env = await executor.start(s);
    const lines: string[] = [];
    env.onLine((l) => lines.push(l));
    await waitForLine(lines, 'allocated');
    const peak = await env.maxMemoryUsedMb();
    console.log(`[memory] 100 MB buffer under 512 MB: Max Memory Used ${peak} MB`);
    expect(peak).toBeGreaterThanOrEqual(100);
    expect(peak).toBeLessThan(512);
    await env.destroy();
    // Once the cgroup is gone the last reading stands.
    expect(await env.maxMemoryUsedMb()).toBe(peak);
  });

  it('counts the runtime it runs even when an earlier container was charged for its files', async () => {
    // The second container's cgroup is charged for almost none of node's pages (the first one read them).
    const idle = `exec node -e 'console.log("up"); setTimeout(() => {}, 60000)'`;
    const figures: number[] = [];
    for (let i = 0; i < 2; i++) {
      const env = await executor.start(spec(idle, { image: images['nodejs20.x'], memoryMb: 256 }));
      const lines: string[] = [];
      env.onLine((l) => lines.push(l));
      await waitForLine(lines, 'up');
      figures.push(await env.maxMemoryUsedMb());
      await env.destroy();
    }
    console.log(`[memory] idle node, first and second container: ${figures.join(' and ')} MB`);
    // Node alone is resident at ~40 MB; the bare cgroup charge of a second container was ~8.
    expect(figures[1]).toBeGreaterThanOrEqual(25);
    expect(figures[1]).toBeLessThanOrEqual(256);
  });

  it('is OOM-killed above its memory size', async () => {
    const alloc =
      'const a = []; for (let i = 0; i < 20; i++) a.push(Buffer.alloc(10 * 1024 * 1024, 1)); console.log("survived")';
    const s = spec(`exec node -e '${alloc}'`, { image: images['nodejs20.x'], memoryMb: 128 });
    const { lines, exit } = await runToExit(s);
    expect(lines).not.toContain('survived');
    expect(exit.oomKilled || exit.exitCode === 137).toBe(true);
    expect(exit.signal).toBe('SIGKILL');
  });

  it('scales the CPU share with memory', async () => {
    expect(cpuLimit(1769, 8)).toEqual({ CpuPeriod: 20_000, CpuQuota: 20_000 });
    expect(cpuLimit(128, 8).CpuQuota).toBe(Math.round((128 / 1769) * 20_000));
    expect(cpuLimit(10240, 2).CpuQuota).toBe(40_000);
    expect(cpuLimit(1, 2).CpuQuota).toBe(1000);
    const env = await executor.start(spec('sleep 30', { memoryMb: 1769 }));
    const boosted = (await client.docker.getContainer(env.handle).inspect()).HostConfig;
    await env.endInitBoost();
    const info = await client.docker.getContainer(env.handle).inspect();
    await env.destroy();
    const host = info.HostConfig;
    // Unlimited during init (Lambda's boost), then the memory-scaled share.
    expect(boosted.CpuQuota).toBe(0);
    expect(host.CpuQuota).toBe(cpuLimit(1769, os.availableParallelism()).CpuQuota);
    expect(host.CpuPeriod).toBe(20_000);
    expect(host.Memory).toBe(1769 * 1024 * 1024);
    expect(host.MemorySwap).toBe(host.Memory);
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.SecurityOpt).toEqual(['no-new-privileges']);
    expect(host.PidsLimit).toBe(1024);
    expect(info.Config.User).toBe('993:990');
    expect(info.Config.Labels).toMatchObject({ lambench: '1', 'lambench.test': 'docker-executor' });
    expect(JSON.stringify(info.Mounts)).not.toContain('docker.sock');
  });

  it('merges layers into /opt, later layers winning', async () => {
    const a = tempDir({ 'nodejs/node_modules/a/index.js': 'a', 'bin/tool': 'from-a', 'lib/only-a': 'a' });
    const b = tempDir({ 'nodejs/node_modules/b/index.js': 'b', 'bin/tool': 'from-b' });
    expect(layerBinds([a])).toEqual([`${a}:/opt:ro`]);
    const script = 'ls /opt/nodejs/node_modules; cat /opt/bin/tool; echo; ls /opt/lib';
    const { lines } = await runToExit(spec(script, { layerDirs: [a, b] }));
    expect(lines).toEqual(['a', 'b', 'from-b', 'only-a']);
  });

  it('runs a provided bootstrap from a layer when the code has none', async () => {
    const layer = tempDir({ bootstrap: '#!/bin/sh\necho layer-bootstrap\n' });
    const s = spec('', { layerDirs: [layer] });
    fs.rmSync(path.join(s.codeDir, 'bootstrap'));
    const { lines } = await runToExit(s);
    expect(lines).toEqual(['layer-bootstrap']);
  });

  it('runs python and node images with a shell inside', async () => {
    for (const image of [images['python3.12'], images['nodejs22.x']]) {
      const cmd = 'command -v python3 >/dev/null && python3 -c "print(1+1)" || node -p 1+1';
      const { lines, exit } = await runToExit(spec(`id -u; ${cmd}`, { image }));
      expect(exit.exitCode).toBe(0);
      expect(lines).toEqual(['993', '2']);
    }
  });

  it('serves invocations through the Runtime API from the bridge (node and python clients)', async () => {
    const cases: { runtime: string; handler: string; files: Record<string, string> }[] = [
      {
        runtime: 'nodejs20.x',
        handler: 'app.handler',
        files: { 'app.mjs': 'export const handler = async (e) => ({ got: e, uid: process.getuid() });' },
      },
      {
        runtime: 'python3.12',
        handler: 'app.handler',
        files: { 'app.py': 'import os\ndef handler(e, ctx):\n    return {"got": e, "uid": os.getuid()}\n' },
      },
    ];
    for (const c of cases) {
      const api = await startRuntimeApi({ host: await executor.runtimeApiHost() });
      const s = spec('', {
        runtime: c.runtime,
        handler: c.handler,
        image: images[c.runtime],
        runtimeApi: api.address,
      });
      s.codeDir = tempDir(c.files);
      const env = await executor.start(s);
      const lines: string[] = [];
      env.onLine((l) => lines.push(l));
      api.setCallerCheck((addr) => addr === env.callerAddress);
      try {
        await Promise.race([
          api.firstPoll,
          env.exited.then(() => Promise.reject(new Error(lines.join('\n')))),
        ]);
        const o = await api.invoke({
          requestId: randomUUID(),
          payload: JSON.stringify({ k: c.runtime }),
          deadlineMs: Date.now() + 10_000,
          functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:docker-test-fn',
        });
        expect(o.ok, o.body).toBe(true);
        expect(JSON.parse(o.body)).toEqual({ got: { k: c.runtime }, uid: 993 });
      } finally {
        await env.destroy();
        await api.close();
      }
    }
  });

  it('hands a Node environment its Runtime API on a Unix socket, and falls back to TCP without one', async () => {
    const socketDir = executor.runtimeApiSocketDir();
    expect(socketDir).toBeDefined();
    expect(fs.statSync(socketDir!).mode & 0o777).toBe(0o700);
    const files = {
      'app.mjs':
        'export const handler = async () => ({ env: process.env.LAMBENCH_RUNTIME_API_SOCKET ?? null });',
    };
    // With the socket: TCP callers are refused, so an answer can only have come over the socket.
    // Without it (a path nothing listens on): the client finds no socket and polls over TCP.
    for (const withSocket of [true, false]) {
      const socketPath = path.join(socketDir!, `${randomUUID().slice(0, 8)}.sock`);
      const api = await startRuntimeApi({
        host: await executor.runtimeApiHost(),
        allowCaller: withSocket ? () => false : 'hold',
        ...(withSocket ? { socketPath } : {}),
      });
      if (!withSocket) fs.writeFileSync(socketPath, ''); // a file, not a socket: connect fails
      expect(api.socketPath).toBe(withSocket ? socketPath : undefined);
      const s = spec('', {
        runtime: 'nodejs22.x',
        handler: 'app.handler',
        image: images['nodejs22.x'],
        runtimeApi: api.address,
        runtimeApiSocket: socketPath,
      });
      s.codeDir = tempDir(files);
      const env = await executor.start(s);
      const lines: string[] = [];
      env.onLine((l) => lines.push(l));
      if (!withSocket) api.setCallerCheck((addr) => addr === env.callerAddress);
      try {
        await Promise.race([
          api.firstPoll,
          env.exited.then(() => Promise.reject(new Error(lines.join('\n')))),
        ]);
        const o = await api.invoke({
          requestId: randomUUID(),
          payload: '{}',
          deadlineMs: Date.now() + 10_000,
          functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:docker-test-fn',
        });
        expect(o.ok, o.body).toBe(true);
        // The socket's variable is the runtime client's, not the function's.
        expect(JSON.parse(o.body)).toEqual({ env: null });
      } finally {
        await env.destroy();
        await api.close();
      }
      expect(fs.existsSync(socketPath)).toBe(!withSocket); // the API removes its own socket
    }
  });

  it('measures create+start time', async () => {
    const times: number[] = [];
    const envs: RunningEnvironment[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      envs.push(await executor.start(spec('sleep 30')));
      times.push(performance.now() - started);
    }
    await Promise.all(envs.map((e) => e.destroy()));
    times.sort((x, y) => x - y);
    console.log(`[timing] create+start p50 ${times[4].toFixed(0)} ms, max ${times[9].toFixed(0)} ms`);
    expect(times[4]).toBeLessThan(5000);
  });

  it('reaps orphans, destroy is idempotent, and leaves nothing behind', async () => {
    // An earlier Lambench process that had this pid (pids restart in containers) left these behind.
    const earlier = new DockerExecutor(client, {
      runtimesDir: path.resolve('resources/runtimes'),
      owner: `${os.hostname()}/${process.pid}/earlier`,
    });
    const envs = [await earlier.start(spec('sleep 30')), await earlier.start(spec('exit 0'))];
    await envs[1].exited;
    expect(ours(earlier.owner)).toHaveLength(2);
    // This process's own environments are alive and spared.
    const live = await executor.start(spec('sleep 30'));
    // A fresh executor, as when an engine starts.
    const reaped = await new DockerExecutor(client).reapOrphans();
    expect(reaped).toBeGreaterThanOrEqual(2);
    expect(ours(earlier.owner)).toEqual([]);
    expect(ours()).toEqual([live.handle.slice(0, 12)]);
    await live.destroy();
    expect(ours()).toEqual([]);
    await envs[0].destroy();
    await envs[0].destroy();
    expect((await envs[0].exited).exitCode).not.toBe(0);
  });
});
