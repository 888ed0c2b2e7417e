/**
 * History through the whole engine and Docker: an invocation's row has every field right, and a process
 * killed mid-invoke leaves a row that the next start-up marks interrupted, with its container reaped.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine } from '../../electron/engine/engine';
import { invocationCost } from '../../shared/pricing';
import { docker, startTestEngine, type TestEngine } from '../fixtures/functions/engine-harness';

let t: TestEngine;
beforeAll(async () => {
  process.env.LAMBENCH_IMAGES = 'test/support/local-images.json';
  t = await startTestEngine(['node']);
});
afterAll(async () => {
  await t?.close();
});

describe('an invocation in History', () => {
  it('is recorded with every field as the invoke returned it', async () => {
    const event = { order: 42, items: ['a', 'b'] };
    const before = Date.now();
    const result = await t.invoke('node', 'Ok', event);
    expect(result.status).toBe('success');
    const d = await t.client.call('history:get', { invocationId: result.invocationId });
    const cost = invocationCost({ durationMs: result.durationMs, memoryMb: 512, arch: 'x86_64' });
    expect(d).toEqual({
      invocationId: result.invocationId,
      requestId: result.requestId,
      projectId: t.projects.node,
      functionId: 'Ok',
      trigger: 'ui',
      status: 'success',
      startedAt: result.startedAt,
      durationMs: result.durationMs,
      billedDurationMs: Math.ceil(result.durationMs),
      initDurationMs: result.initDurationMs,
      coldStart: true,
      memorySizeMb: 512,
      maxMemoryUsedMb: result.maxMemoryUsedMb,
      architecture: 'x86_64',
      invocationType: 'RequestResponse',
      gbSeconds: cost.gbSeconds,
      costUsd: cost.totalUsd,
      qualifier: '$LATEST',
      executedVersion: '$LATEST',
      endedAt: expect.any(Number),
      event: JSON.stringify(event),
      eventTruncated: false,
      response: result.response,
      responseTruncated: false,
      logs: result.logs,
      logsTruncated: false,
      environmentId: result.environmentId,
      phases: expect.objectContaining({ initMs: result.initDurationMs, invokeMs: result.durationMs }),
    });
    expect(d.startedAt).toBeGreaterThanOrEqual(before);
    expect(d.endedAt! - d.startedAt).toBeGreaterThanOrEqual(Math.round(result.durationMs));
    expect(d.maxMemoryUsedMb).toBeGreaterThan(0);

    // The same row is the newest of its function in a page, and a warm second invoke is not cold.
    const warm = await t.invoke('node', 'Ok', event);
    const page = await t.client.call('history:list', {
      projectId: t.projects.node,
      functionId: 'Ok',
      limit: 2,
    });
    expect(page.rows.map((r) => [r.invocationId, r.coldStart])).toEqual([
      [warm.invocationId, false],
      [result.invocationId, true],
    ]);
  });

  it('records a thrown error with its type and message, found by searching for the type', async () => {
    const result = await t.invoke('node', 'Throws');
    const page = await t.client.call('history:list', { status: ['error'], text: 'boom', limit: 5 });
    expect(page.rows[0]).toMatchObject({
      invocationId: result.invocationId,
      status: 'error',
      errorType: 'Error',
      errorMessage: 'boom',
    });
  });
});

describe('a process killed mid-invoke', () => {
  it('leaves an interrupted row and no container after the next start-up', async () => {
    const home = path.join(t.root, 'killed-home');
    const script = `
      import { createEngine } from '${path.resolve('electron/engine/engine.ts')}';
      import { createDirectClient } from '${path.resolve('electron/engine/direct-client.ts')}';
      // No spares: the one container left behind below is the hanging invoke's own.
      const engine = await createEngine({ home: ${JSON.stringify(home)}, spares: false });
      const client = createDirectClient(engine);
      const project = await client.call('projects:open', { path: ${JSON.stringify(path.join(t.root, 'node'))} });
      client.on('invocation:log', (l) => {
        if (!l.lines.some((line) => line.includes('hanging'))) return;
        engine.services.records.flush();
        console.log('HANGING ' + l.invocationId);
      });
      await client.call('functions:invoke', { projectId: project.id, functionId: 'Hang', payload: '{"wait":true}', trigger: 'cli' });
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, LAMBENCH_IMAGES: 'test/support/local-images.json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (d) => (output += d));
    const invocationId = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        output += d;
        const match = /HANGING (\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) =>
        reject(new Error(`child exited with ${code} before the invoke ran:\n${output}`)),
      );
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const owner = `${os.hostname()}/${child.pid}/`;
    const left = async () =>
      (await docker('ps', '-a', '--filter', 'label=lambench=1', '--format', '{{.Label "lambench.owner"}}'))
        .split('\n')
        .filter((o) => o.startsWith(owner));
    // The killed engine could not clean up: its container is still there.
    expect(await left()).toHaveLength(1);

    const engine = await createEngine({ home });
    try {
      expect(await left()).toEqual([]);
      const row = await createDirectClient(engine).call('history:get', { invocationId });
      expect(row).toMatchObject({
        invocationId,
        functionId: 'Hang',
        trigger: 'cli',
        status: 'interrupted',
        errorType: 'Lambench.Interrupted',
        errorMessage: 'Lambench stopped before this invocation finished',
        event: '{"wait":true}',
      });
      expect(row.phases).toEqual({});
      expect(row.endedAt).toBeGreaterThan(row.startedAt);
      expect(row.durationMs).toBeUndefined();
    } finally {
      await engine.close();
    }
  }, 90_000);
});
