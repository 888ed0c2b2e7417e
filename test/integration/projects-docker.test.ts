/**
 * Projects end to end on the real Docker engine and the local images: every blueprint answers like
 * `sam init`'s hello-world, and a change of code or config makes the next invoke cold with the change.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine, type Engine } from '../../electron/engine/engine';
import type { WorkbenchClient } from '../../shared/rpc/client';
import type { InvocationResult } from '../../shared/types';
import { ensureLocalImages, LOCAL_IMAGES_JSON } from '../support/images.js';

let root: string;
let engine: Engine;
let client: WorkbenchClient;

beforeAll(async () => {
  process.env.LAMBENCH_IMAGES = LOCAL_IMAGES_JSON;
  await ensureLocalImages();
  root = mkdtempSync(join(tmpdir(), 'lambench-projects-docker-'));
  // The sandbox user in the container must be able to read the code.
  chmodSync(root, 0o755);
  engine = await createEngine({ home: join(root, 'home') });
  client = createDirectClient(engine);
});
afterAll(async () => {
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

async function create(blueprint: string): Promise<{ projectId: number; path: string }> {
  const project = await client.call('projects:create', { blueprint, path: join(root, blueprint) });
  return { projectId: project.id, path: project.path };
}

function invoke(projectId: number, payload = '{}'): Promise<InvocationResult> {
  return client.call('functions:invoke', {
    projectId,
    functionId: 'HelloWorldFunction',
    payload,
    trigger: 'cli',
  });
}

function body(result: InvocationResult): unknown {
  expect(result.status, `${result.error?.type}: ${result.error?.message}\n${result.logs}`).toBe('success');
  const response = JSON.parse(result.response!) as { statusCode: number; body: string };
  expect(response.statusCode).toBe(200);
  return JSON.parse(response.body);
}

describe('blueprints', () => {
  const names = ['nodejs20-hello', 'nodejs22-hello', 'python312-hello', 'provided-bash'];

  it('ships the blueprints this test covers', async () => {
    expect((await client.call('blueprints:list')).map((b) => b.name).sort()).toEqual([...names].sort());
  });

  it.each(names)('%s answers 200 hello world with its own sample event', async (name) => {
    const { projectId } = await create(name);
    const [event] = await client.call('events:list', {
      projectId,
      functionId: 'HelloWorldFunction',
    });
    expect(event).toMatchObject({ source: 'file', name: 'event.json' });
    const result = await invoke(projectId, event.body);
    expect(body(result)).toEqual({ message: 'hello world' });
    expect(result.coldStart).toBe(true);
    expect(result.logs).toMatch(/^START RequestId: /);
  });
});

describe('changes on disk', () => {
  let projectId: number;
  let path: string;

  it('runs new handler code on the next invoke, in a fresh (cold) environment', async () => {
    // A project of its own, so the blueprint tests' warm environments do not count here.
    const created = await client.call('projects:create', {
      blueprint: 'nodejs22-hello',
      path: join(root, 'code-change'),
    });
    projectId = created.id;
    path = created.path;
    expect((await invoke(projectId)).coldStart).toBe(true);
    const warm = await invoke(projectId);
    expect(warm.coldStart).toBe(false);
    expect(body(warm)).toEqual({ message: 'hello world' });

    const { codeVersion } = await engine.services.catalog.function(projectId, 'HelloWorldFunction');
    const app = join(path, 'hello-world', 'app.mjs');
    writeFileSync(app, readFileSync(app, 'utf8').replace("message: 'hello world'", "message: 'hello again'"));
    await until(async () => {
      const now = await engine.services.catalog.function(projectId, 'HelloWorldFunction');
      return now.codeVersion !== codeVersion;
    });

    const changed = await invoke(projectId);
    expect(changed.coldStart).toBe(true);
    expect(body(changed)).toEqual({ message: 'hello again' });
  });

  it('applies a config change on the next invoke, in a fresh (cold) environment', async () => {
    // An invoke right after a code change may be cold once more (see the catalog's settle pass).
    await invoke(projectId);
    const warm = await invoke(projectId);
    expect(warm).toMatchObject({ coldStart: false, memorySizeMb: 128 });
    const updated = await client.call('functions:updateConfig', {
      projectId,
      functionId: 'HelloWorldFunction',
      patch: { memorySize: 256, environment: { GREETING: 'hi' } },
    });
    expect(updated).toMatchObject({ memorySize: 256, environment: { GREETING: 'hi' } });
    const after = await invoke(projectId);
    expect(after).toMatchObject({ coldStart: true, memorySizeMb: 256 });
    expect(after.logs).toMatch(/Memory Size: 256 MB/);
  });
});

async function until(probe: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + 10_000; Date.now() < end;) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting for the watcher to see the change');
}
