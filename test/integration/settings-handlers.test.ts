import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine, type Engine } from '../../electron/engine/engine';
import { defaultSettings } from '../../shared/api/settings';
import type { WorkbenchClient } from '../../shared/rpc/client';
import type { EnvironmentChange, ImagePullProgress } from '../../shared/types';
import { ensureLocalImages, LOCAL_IMAGES_JSON, localImageMap } from '../support/images.js';

let root: string;
let home: string;
let engine: Engine;
let client: WorkbenchClient;

async function start(): Promise<void> {
  engine = await createEngine({ home });
  client = createDirectClient(engine);
}

beforeAll(async () => {
  process.env.LAMBENCH_IMAGES = LOCAL_IMAGES_JSON;
  await ensureLocalImages();
  root = mkdtempSync(join(tmpdir(), 'lambench-settings-'));
  home = join(root, 'home');
  await start();
});
afterAll(async () => {
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error) => error,
  );

describe('settings handlers', () => {
  it('returns the defaults, and applies keep-alive, concurrency and images live', async () => {
    expect(await client.call('settings:get')).toEqual({ settings: defaultSettings, pendingRestart: [] });
    expect(engine.services.pool.settings).toEqual({ keepAliveMs: 600_000, globalLimit: 20, spares: true });
    const images = engine.services.images;

    const state = await client.call('settings:update', {
      partial: {
        keepAliveSeconds: 30,
        concurrencyLimit: 3,
        images: { 'nodejs22.x': 'example.org/custom/node:22' },
      },
    });
    expect(state.settings).toMatchObject({ keepAliveSeconds: 30, concurrencyLimit: 3, theme: 'system' });
    expect(state.pendingRestart).toEqual([]);
    expect(engine.services.pool.settings).toEqual({ keepAliveMs: 30_000, globalLimit: 3, spares: true });
    // The same object the invocation handler reads, now with the override over LAMBENCH_IMAGES.
    expect(engine.services.images).toBe(images);
    expect(images['nodejs22.x']).toBe('example.org/custom/node:22');
    expect(images['nodejs20.x']).toBe(localImageMap()['nodejs20.x']);

    // Removing the override falls back to LAMBENCH_IMAGES.
    await client.call('settings:update', { partial: { images: {} } });
    expect(images['nodejs22.x']).toBe(localImageMap()['nodejs22.x']);
  });

  it('refuses bad input at the boundary and changes nothing', async () => {
    const before = await client.call('settings:get');
    const error = await failure(
      client.call('settings:update', { partial: { keepAliveSeconds: -1, theme: 'dark' } }),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain('partial.keepAliveSeconds: At least 0');
    expect(await client.call('settings:get')).toEqual(before);
    expect(engine.services.pool.settings.keepAliveMs).toBe(30_000);
  });

  it('marks the Docker endpoint and CPU scaling as waiting for a restart', async () => {
    const state = await client.call('settings:update', {
      partial: { dockerEndpoint: 'unix:///var/run/docker.sock', cpuScaling: false },
    });
    expect(state.pendingRestart).toEqual(['dockerEndpoint', 'cpuScaling']);
    expect((await client.call('settings:get')).pendingRestart).toEqual(['dockerEndpoint', 'cpuScaling']);
  });

  it('keeps the settings across an engine restart and starts the pool with them', async () => {
    await client.call('settings:update', { partial: { theme: 'dark', retentionDays: 7 } });
    await engine.close();
    await start();
    const { settings, pendingRestart } = await client.call('settings:get');
    expect(settings).toEqual({
      ...defaultSettings,
      keepAliveSeconds: 30,
      concurrencyLimit: 3,
      dockerEndpoint: 'unix:///var/run/docker.sock',
      cpuScaling: false,
      theme: 'dark',
      retentionDays: 7,
    });
    expect(pendingRestart).toEqual([]);
    expect(engine.services.pool.settings).toEqual({ keepAliveMs: 30_000, globalLimit: 3, spares: true });
    expect(engine.services.docker.endpoint).toBe('unix:///var/run/docker.sock');
    expect(engine.services.settings.get().retentionDays).toBe(7);
  });
});

describe('Docker checks and images', () => {
  it('tests the default endpoint and reports an unreachable one with a hint', async () => {
    const ok = await client.call('docker:test', {});
    expect(ok.ok).toBe(true);
    expect(ok.version).toMatch(/^\d+\.\d+/);
    expect(ok.endpoint).toMatch(/^unix:\/\//);

    const refused = await client.call('docker:test', { endpoint: 'tcp://127.0.0.1:1' });
    expect(refused).toMatchObject({ ok: false, endpoint: 'tcp://127.0.0.1:1' });
    expect(refused.error).toMatch(/ECONNREFUSED/);
    expect(refused.hint).toContain('No answer from the Docker engine at tcp://127.0.0.1:1');

    const error = await failure(client.call('docker:test', { endpoint: 'ftp://x' }));
    expect(error.name).toBe('ValidationError');
  });

  it('lists every runtime with its image, where it comes from, and whether it is here', async () => {
    const list = await client.call('images:list');
    const byRuntime = Object.fromEntries(list.map((i) => [i.runtime, i]));
    expect(byRuntime['nodejs20.x']).toEqual({
      runtime: 'nodejs20.x',
      image: 'lambench-local/nodejs:20',
      base: 'lambench-local/nodejs:20',
      source: 'env',
      present: true,
    });
    expect(byRuntime['nodejs18.x']).toEqual({
      runtime: 'nodejs18.x',
      image: 'public.ecr.aws/lambda/nodejs:18',
      base: 'public.ecr.aws/lambda/nodejs:18',
      source: 'default',
      present: false,
    });
    expect(list.map((i) => i.runtime).slice(0, 3)).toEqual(['nodejs18.x', 'nodejs20.x', 'nodejs22.x']);
    expect(list.map((i) => i.runtime)).toContain('python3.9');
    expect(list.findIndex((i) => i.runtime === 'python3.9')).toBeLessThan(
      list.findIndex((i) => i.runtime === 'python3.12'),
    );

    await client.call('settings:update', {
      partial: { images: { 'nodejs18.x': 'lambench-local/nodejs:20' } },
    });
    const after = await client.call('images:list');
    expect(after.find((i) => i.runtime === 'nodejs18.x')).toMatchObject({
      image: 'lambench-local/nodejs:20',
      base: 'public.ecr.aws/lambda/nodejs:18',
      source: 'settings',
      present: true,
    });
  });

  it('pulls: a local image is already present; an unreachable one fails naming the image and the setting', async () => {
    expect(await client.call('images:pull', { image: 'lambench-local/nodejs:20' })).toEqual({
      image: 'lambench-local/nodejs:20',
      result: 'present',
    });
    const progress: ImagePullProgress[] = [];
    const off = client.on('image:pull', (p) => progress.push(p));
    // A registry on a closed loopback port: the pull fails at once and no traffic leaves the machine.
    const image = '127.0.0.1:1/lambench/missing:1';
    const error = await failure(client.call('images:pull', { image }));
    off();
    expect(error.name).toBe('ImageNotAvailable');
    expect(error.message).toContain(`Image ${image} is not available`);
    expect(error.message).toContain('Settings (runtime → image map');
    expect(progress.at(-1)).toMatchObject({ image, status: 'Failed', done: true });
  });
});

describe('warm environments', () => {
  it('counts, reports and stops them; a keep-alive of 0 applies at once', async () => {
    const dir = join(root, 'hello');
    cpSync('test/fixtures/templates/hello-world', dir, { recursive: true });
    const project = await client.call('projects:open', { path: dir });
    const changes: EnvironmentChange[] = [];
    const off = client.on('environment:changed', (c) => changes.push(c));
    await client.call('settings:update', { partial: { keepAliveSeconds: 600, concurrencyLimit: 20 } });

    const invoke = () =>
      client.call('functions:invoke', {
        projectId: project.id,
        functionId: 'HelloWorldFunction',
        payload: '{}',
      });
    const first = await invoke();
    expect(first.status).toBe('success');
    expect(changes.map((c) => c.state)).toEqual(['starting', 'started']);
    expect(changes[0]).toMatchObject({
      projectId: project.id,
      functionId: 'HelloWorldFunction',
      image: 'lambench-local/nodejs:20',
    });
    expect(await client.call('environments:list')).toEqual({
      total: 1,
      functions: [
        {
          key: `${project.id}/HelloWorldFunction`,
          projectId: project.id,
          functionId: 'HelloWorldFunction',
          projectName: project.name,
          count: 1,
        },
      ],
    });

    expect(await client.call('environments:stopAll')).toEqual({ stopped: 1 });
    expect(await client.call('environments:list')).toEqual({ total: 0, functions: [] });
    await expect.poll(() => changes.map((c) => c.state), { timeout: 10_000 }).toContain('stopped');

    // The pool's reaper reads keep-alive on every pass: 0 stops the next environment once it is idle.
    expect((await invoke()).coldStart).toBe(true);
    expect((await client.call('environments:list')).total).toBe(1);
    await client.call('settings:update', { partial: { keepAliveSeconds: 0 } });
    await expect
      .poll(async () => (await client.call('environments:list')).total, { timeout: 10_000 })
      .toBe(0);
    off();
  });
});
