/**
 * Spare environments (runtime/spares.ts) against real Docker: after a cold start one container of that
 * configuration waits booted and held; the next cold start takes it, runs the current code, and skips
 * Docker's start; Stop all and close leave nothing behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownContainers, startTestEngine, type TestEngine } from '../fixtures/functions/engine-harness';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine(['reload', 'python'], { spares: true });
});

afterAll(async () => {
  await t?.close();
});

describe('spares', () => {
  it('holds one started container after a cold start; the next cold start takes it with the new code', async () => {
    const first = await t.invoke('reload', 'Version');
    expect(first).toMatchObject({ status: 'success', response: '"v1"', coldStart: true });
    // The warm environment and one spare beside it.
    await expect.poll(() => t.containers('reload', 'Version'), { timeout: 15_000 }).toHaveLength(2);

    fs.writeFileSync(path.join(t.root, 'reload/src/app.mjs'), "export const handler = async () => 'v2';\n");
    await new Promise((r) => setTimeout(r, 300));
    const changed = await t.invoke('reload', 'Version');
    expect(changed).toMatchObject({ status: 'success', response: '"v2"', coldStart: true });
    expect(changed.environmentId).not.toBe(first.environmentId);
    // Taken, not started: no Docker start on this invoke's path, but Init Duration is still reported.
    const row = await t.client.call('history:get', { invocationId: changed.invocationId });
    expect(row.phases).toMatchObject({ containerStartMs: 0, createMs: 0, startMs: 0 });
    // The runtime's boot was done ahead: part of Init Duration (as Lambda's), not of this invoke's wait.
    expect(row.phases.spareBootMs).toBeGreaterThan(0);
    expect(row.phases.initMs).toBeGreaterThan(row.phases.spareBootMs!);
    expect(changed.initDurationMs).toBeGreaterThan(0);
    expect(changed.logs).toContain('Init Duration');
    // The stale v1 environment is retired and a new spare replaces the one taken.
    await expect.poll(() => t.containers('reload', 'Version'), { timeout: 15_000 }).toHaveLength(2);
    const warm = await t.invoke('reload', 'Version');
    expect(warm).toMatchObject({ response: '"v2"', coldStart: false, environmentId: changed.environmentId });
  });

  it('keeps no spare for runtimes whose client cannot start held', async () => {
    const result = await t.invoke('python', 'Counter');
    expect(result).toMatchObject({ status: 'success', coldStart: true });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await t.containers('python', 'Counter')).toHaveLength(1);
  });

  it('stops spares with Stop all, and close leaves no container', async () => {
    await t.invoke('reload', 'Version');
    await expect.poll(() => t.containers('reload', 'Version'), { timeout: 15_000 }).toHaveLength(2);
    await t.client.call('environments:stopAll');
    await expect.poll(() => t.containers('reload', 'Version', true), { timeout: 15_000 }).toHaveLength(0);
    await t.invoke('reload', 'Version');
    await expect.poll(() => t.containers('reload', 'Version'), { timeout: 15_000 }).toHaveLength(2);
    await t.engine.close();
    expect(await ownContainers()).toEqual([]);
  });
});
