/**
 * Environments over their lifetime, through the whole engine against real Docker: warm reuse, fresh
 * code, throttling, containers that die or are killed, the user's Stop, and clean-up on close.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SOCKET } from '../../electron/engine/docker/client';
import type { InvocationLog, InvocationResult } from '../../shared/types';
import {
  docker,
  ownContainers,
  startTestEngine,
  until,
  type RuntimeFixture,
  type TestEngine,
} from '../fixtures/functions/engine-harness';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine(['node', 'python', 'bash', 'reload']);
});

afterAll(async () => {
  await t?.close();
});

/** Starts an invoke and resolves once its function printed `line`, so it is mid-invoke. */
async function invokeUntilLine(
  runtime: RuntimeFixture,
  functionId: string,
  line: string,
): Promise<{ invocationId: string; result: Promise<InvocationResult> }> {
  const invocationId = randomUUID();
  const lines: string[] = [];
  const off = t.client.on('invocation:log', (e: InvocationLog) => {
    if (e.invocationId === invocationId) lines.push(...e.lines);
  });
  const result = t.client.call('functions:invoke', {
    projectId: t.projects[runtime],
    functionId,
    payload: '{}',
    invocationId,
  });
  try {
    await until(() => lines.some((l) => l.includes(line)), `"${line}" from ${functionId}`);
  } finally {
    off();
  }
  return { invocationId, result };
}

describe.each<RuntimeFixture>(['node', 'python', 'bash'])('%s', (runtime) => {
  it('reuses a warm environment: module state survives, no init the second time', async () => {
    const first = await t.invoke(runtime, 'Counter');
    const second = await t.invoke(runtime, 'Counter');
    expect(first).toMatchObject({ status: 'success', response: '1', coldStart: true });
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(second).toMatchObject({ status: 'success', response: '2', coldStart: false });
    expect(second.initDurationMs).toBeUndefined();
    expect(second.logs).not.toContain('Init Duration');
    expect(second.environmentId).toBe(first.environmentId);
  });

  it('does not reuse an idle container that was killed or removed from outside', async () => {
    await t.invoke(runtime, 'Counter');
    const [id] = await t.containers(runtime, 'Counter');
    expect(id).toBeTruthy();
    await docker('kill', id);
    // The engine notices at once (the runtime's /next poll drops) and removes the dead container.
    await expect.poll(() => t.containers(runtime, 'Counter', true), { timeout: 10_000 }).toEqual([]);
    const afterKill = await t.invoke(runtime, 'Counter');
    expect(afterKill).toMatchObject({ status: 'success', response: '1', coldStart: true });

    const [replacement] = await t.containers(runtime, 'Counter');
    await docker('rm', '-f', replacement);
    const afterRemove = await t.invoke(runtime, 'Counter');
    expect(afterRemove).toMatchObject({ status: 'success', response: '1', coldStart: true });
  });

  it('ends an invoke whose container is killed from outside with Runtime.ExitError', async () => {
    const { result } = await invokeUntilLine(runtime, 'Hang', 'hanging');
    const [id] = await t.containers(runtime, 'Hang');
    await docker('kill', id);
    const r = await result;
    expect(r.status).toBe('error');
    expect(r.error).toMatchObject({
      type: 'Runtime.ExitError',
      message: `RequestId: ${r.requestId} Error: Runtime exited with error: signal: killed`,
    });
    expect(r.logs).toMatch(/^REPORT RequestId: /m);
    expect(await t.containers(runtime, 'Hang', true)).toEqual([]);
  });

  it('stops a running invocation on functions:stop and discards its environment', async () => {
    const { invocationId, result } = await invokeUntilLine(runtime, 'Hang', 'hanging');
    expect(await t.containers(runtime, 'Hang')).toHaveLength(1);
    expect(await t.client.call('functions:stop', { invocationId })).toEqual({ stopped: true });
    const r = await result;
    expect(r.status).toBe('error');
    expect(r.error).toMatchObject({ type: 'Lambench.Stopped', message: 'Stopped by the user' });
    expect(JSON.parse(r.response!)).toEqual({
      errorType: 'Lambench.Stopped',
      errorMessage: 'Stopped by the user',
    });
    expect(r.logs).toContain(`${r.requestId} Stopped by the user`);
    expect(r.logs).toMatch(/^REPORT RequestId: /m);
    expect(await t.containers(runtime, 'Hang', true)).toEqual([]);
  });
});

describe('stop', () => {
  it('stops an invocation whose environment is still starting: the event is never delivered', async () => {
    const invocationId = randomUUID();
    const off = t.client.on('invocation:started', (e) => {
      if (e.invocationId === invocationId) void t.client.call('functions:stop', { invocationId });
    });
    const r = await t.client.call('functions:invoke', {
      projectId: t.projects.python,
      functionId: 'Hang',
      payload: '{}',
      invocationId,
    });
    off();
    expect(r).toMatchObject({
      status: 'error',
      error: { type: 'Lambench.Stopped', message: 'Stopped by the user' },
      coldStart: true,
      billedDurationMs: 0,
    });
    expect(r.logs).toContain('Stopped by the user before the invocation started');
    expect(r.logs).not.toContain('hanging');
    expect(await t.containers('python', 'Hang', true)).toEqual([]);
  });

  it('refuses to stop an invocation that is not running', async () => {
    const invocationId = randomUUID();
    await expect(t.client.call('functions:stop', { invocationId })).rejects.toMatchObject({
      name: 'InvocationNotRunning',
      message: `Invocation ${invocationId} is not running`,
    });
    await expect(t.client.call('functions:stop', { invocationId: 'nope' })).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});

describe('code changes', () => {
  it('starts a fresh environment with the new code after the handler file changes', async () => {
    expect(await t.invoke('reload', 'Version')).toMatchObject({ response: '"v1"', coldStart: true });
    expect(await t.invoke('reload', 'Version')).toMatchObject({ response: '"v1"', coldStart: false });
    fs.writeFileSync(path.join(t.root, 'reload/src/app.mjs'), "export const handler = async () => 'v2';\n");
    await new Promise((r) => setTimeout(r, 300));
    const changed = await t.invoke('reload', 'Version');
    expect(changed).toMatchObject({ status: 'success', response: '"v2"', coldStart: true });
    await expect
      .poll(async () => (await t.containers('reload', 'Version', true)).length, { timeout: 10_000 })
      .toBe(1);
  });
});

describe('concurrency', () => {
  it('throttles invokes beyond ReservedConcurrentExecutions with TooManyRequestsException', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.invoke('node', 'Sleeper', { ms: 1500 })),
    );
    const throttled = results.filter((r) => r.status === 'throttled');
    const succeeded = results.filter((r) => r.status === 'success');
    expect(throttled).toHaveLength(3);
    expect(succeeded).toHaveLength(2);
    for (const r of throttled) {
      expect(r.error).toEqual({
        type: 'TooManyRequestsException',
        message: 'Rate Exceeded.',
        reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      });
      expect(r.billedDurationMs).toBe(0);
    }
    for (const r of succeeded) expect(r.response).toBe('"slept"');
    // The two slots are free again.
    const after = await Promise.all([
      t.invoke('node', 'Sleeper', { ms: 1 }),
      t.invoke('node', 'Sleeper', { ms: 1 }),
    ]);
    expect(after.map((r) => r.status)).toEqual(['success', 'success']);
    expect(after.map((r) => r.coldStart)).toEqual([false, false]);
  });
});

/** A unix socket that forwards to the real Docker engine until cut(), which is Docker going away. */
async function dockerProxy(socketPath: string): Promise<{ cut(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(DEFAULT_SOCKET);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ]) {
      sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    cut() {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

describe('Docker going away', () => {
  it('ends the running invoke with a clear Runtime.ExitError instead of hanging', async () => {
    const proxy = await dockerProxy(path.join(t.root, 'docker.sock'));
    process.env.DOCKER_HOST = `unix://${path.join(t.root, 'docker.sock')}`;
    const lost = await startTestEngine(['node']).finally(() => delete process.env.DOCKER_HOST);
    try {
      const invocationId = randomUUID();
      const lines: string[] = [];
      lost.client.on('invocation:log', (e) => lines.push(...e.lines));
      const result = lost.client.call('functions:invoke', {
        projectId: lost.projects.node,
        functionId: 'Hang',
        payload: '{}',
        invocationId,
      });
      await until(() => lines.some((l) => l.includes('hanging')), 'the Hang function to start');
      const [id] = await lost.containers('node', 'Hang');
      proxy.cut();
      const r = await result;
      expect(r.status).toBe('error');
      expect(r.error!.type).toBe('Runtime.ExitError');
      expect(r.error!.message).toMatch(
        /^RequestId: \S+ Error: Runtime exited with error: lost the connection to the Docker engine \(.+\)$/,
      );
      expect(r.logs).toMatch(/^REPORT RequestId: /m);
      // The engine could not remove it: the container is still there for the next start's orphan reaping.
      await docker('rm', '-f', id);
    } finally {
      await lost.close();
    }
  });
});

describe('close', () => {
  it('removes every container it started', async () => {
    expect((await ownContainers()).length).toBeGreaterThan(0);
    await t.engine.close();
    expect(await ownContainers()).toEqual([]);
  });
});
