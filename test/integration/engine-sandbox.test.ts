/**
 * What a function sees inside its environment (read-only code, writable /tmp, the sandbox user, its
 * variables and layers), and logs reaching clients live, for Node, Python and a Bash custom runtime.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type RuntimeFixture, type TestEngine } from '../fixtures/functions/engine-harness';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine(['node', 'python', 'bash']);
});

afterAll(async () => {
  await t?.close();
});

describe.each<RuntimeFixture>(['node', 'python', 'bash'])('%s', (runtime) => {
  it('runs with a read-only /var/task, a writable /tmp, a non-root user, its variables and layers', async () => {
    const r = await t.invoke(runtime, 'Sandbox');
    expect(r.status).toBe('success');
    const seen = JSON.parse(r.response!) as Record<string, unknown>;
    expect(seen).toMatchObject({
      idU: '993',
      writeTask: 'EROFS',
      writeTmp: 'ok',
      readTmp: 'x',
      greeting: 'hello from the template',
      layer: 'hello layer',
    });
    if (runtime !== 'bash') expect(seen.uid).toBe(993);
  });

  it('streams log lines as they are printed, before the invocation finishes', async () => {
    const invocationId = randomUUID();
    const seen: { what: string; at: number }[] = [];
    const offLog = t.client.on('invocation:log', (e) => {
      if (e.invocationId === invocationId)
        for (const what of e.lines) seen.push({ what, at: performance.now() });
    });
    const offFinished = t.client.on('invocation:finished', (e) => {
      if (e.invocationId === invocationId) seen.push({ what: 'finished', at: performance.now() });
    });
    const r = await t.client.call('functions:invoke', {
      projectId: t.projects[runtime],
      functionId: 'LiveLog',
      payload: '{}',
      invocationId,
    });
    offLog();
    offFinished();
    expect(r.response).toBe('"done"');
    const before = seen.findIndex((s) => s.what.endsWith('before sleep'));
    const after = seen.findIndex((s) => s.what.endsWith('after sleep'));
    const finished = seen.findIndex((s) => s.what === 'finished');
    expect(before).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(before);
    expect(finished).toBe(seen.length - 1);
    // The line printed before the 1 s sleep arrived well before the end, not with it.
    expect(seen[finished].at - seen[before].at).toBeGreaterThan(500);
    expect(seen.map((s) => s.what).slice(0, -1)).toEqual(r.logs.split('\n'));
  });
});
