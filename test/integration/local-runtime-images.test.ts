/**
 * A fresh machine with no registry and no images: the first invoke fails with an error that offers the local
 * build (engine and CLI), `images:buildLocal` builds it with progress and points the runtime at it, and the
 * invoke then succeeds. A repository of its own (LAMBENCH_LOCAL_IMAGE_REPO) keeps the shared
 * lambench-local/* images out of it; its images are removed afterwards.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine, type Engine } from '../../electron/engine/engine';
import type { WorkbenchClient } from '../../shared/rpc/client';
import type { ImagePullProgress } from '../../shared/types';

const run = promisify(execFile);
const REPO = `lambench-test-${process.pid}-${Date.now().toString(36)}`;
const CLI = path.resolve('bin/lambench.js');
let root: string;
let engine: Engine;
let client: WorkbenchClient;
let projectId: number;
const saved = { images: process.env.LAMBENCH_IMAGES, repo: process.env.LAMBENCH_LOCAL_IMAGE_REPO };

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-first-run-'));
  fs.chmodSync(root, 0o755);
  delete process.env.LAMBENCH_IMAGES; // the defaults: public.ecr.aws/lambda/*, which no registry serves here
  process.env.LAMBENCH_LOCAL_IMAGE_REPO = REPO;
  engine = await createEngine({ home: path.join(root, 'home') });
  client = createDirectClient(engine);
  const project = await client.call('projects:create', {
    blueprint: 'nodejs20-hello',
    path: path.join(root, 'hello'),
  });
  projectId = project.id;
});

afterAll(async () => {
  await engine?.close();
  const { stdout } = await run('docker', ['images', '-q', `${REPO}/*`]);
  const ids = [...new Set(stdout.split('\n').filter(Boolean))];
  if (ids.length) await run('docker', ['image', 'rm', '-f', ...ids]);
  process.env.LAMBENCH_IMAGES = saved.images;
  if (saved.repo === undefined) delete process.env.LAMBENCH_LOCAL_IMAGE_REPO;
  else process.env.LAMBENCH_LOCAL_IMAGE_REPO = saved.repo;
  fs.rmSync(root, { recursive: true, force: true });
});

async function functionId(): Promise<string> {
  return (await client.call('projects:functions', { projectId }))[0].id;
}

describe('first run without images', () => {
  it('the invoke error says no registry answered and offers the local build', async () => {
    const r = await client.call('functions:invoke', {
      projectId,
      functionId: await functionId(),
      payload: '{}',
    });
    expect(r.status).toBe('error');
    expect(r.error?.type).toBe('ImageNotAvailable');
    expect(r.error?.message).toContain('public.ecr.aws/lambda/nodejs:20');
    expect(r.error?.message).toContain('No image registry answered');
    expect(r.error?.message).not.toContain('HTTP code');
    expect(r.error?.message).toContain('`lambench images build nodejs20.x`');
  });

  it('the CLI prints the command to run', async () => {
    if (!fs.existsSync('out/main/cli.js'))
      throw new Error('The CLI is not built: run `npm run build` first.');
    const env = { ...process.env, LAMBENCH_HOME: path.join(root, 'cli-home') };
    const args = [CLI, 'invoke', await functionId(), '--project', path.join(root, 'hello')];
    const failed = (await run(process.execPath, args, { env }).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/ImageNotAvailable: .*`lambench images build nodejs20\.x`/);
    // The last line is the command to run.
    expect(failed.stderr.trimEnd().split('\n').at(-1)).toBe('  lambench images build nodejs20.x');
  });

  it('builds the local image with progress, points the runtime at it, and the invoke succeeds', async () => {
    const events: ImagePullProgress[] = [];
    const off = client.on('image:pull', (p) => events.push(p));
    const outcome = await client.call('images:buildLocal', { runtime: 'nodejs20.x' });
    off();
    expect(outcome).toMatchObject({ runtime: 'nodejs20.x', image: `${REPO}/nodejs:20`, built: true });
    expect(outcome.sizeBytes).toBeGreaterThan(10e6);
    expect(events.every((e) => e.kind === 'build' && e.image === outcome.image)).toBe(true);
    expect(events.map((e) => e.status)).toEqual(
      expect.arrayContaining(['Reading host binaries', 'Importing into Docker']),
    );
    expect(events.at(-1)).toMatchObject({
      status: expect.stringMatching(/^Built · \d+ MB in [\d.]+ s$/),
      done: true,
    });

    const { settings } = await client.call('settings:get');
    expect(settings.images['nodejs20.x']).toBe(outcome.image);
    const images = await client.call('images:list');
    expect(images.find((i) => i.runtime === 'nodejs20.x')).toMatchObject({
      image: outcome.image,
      present: true,
    });

    const r = await client.call('functions:invoke', {
      projectId,
      functionId: await functionId(),
      payload: '{}',
    });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('success');
    expect(JSON.parse(r.response!)).toMatchObject({ statusCode: 200 });

    // A second build is a no-op: the image's input label still matches the host's binaries.
    const again = await client.call('images:buildLocal', { runtime: 'nodejs22.x' });
    expect(again).toMatchObject({ image: outcome.image, built: false });
  });

  it('says which runtimes have a local image', async () => {
    await expect(client.call('images:buildLocal', { runtime: 'java21' })).rejects.toThrow(
      /No local runtime image for java21: one of .*nodejs20\.x/,
    );
  });
});
