/**
 * Provisioned concurrency through the whole engine against real Docker: N environments are initialized once
 * the project is open, invokes on them are warm and billed at provisioned prices, a killed one is replaced,
 * a code change replaces them all with environments running the new code, and the per-function setting
 * overrides the template.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invocationCost, provisionedConcurrencyCost } from '../../shared/pricing';
import {
  docker,
  ownContainers,
  startTestEngine,
  type TestEngine,
} from '../fixtures/functions/engine-harness';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine(['provisioned']);
});

afterAll(async () => {
  await t?.close();
  // Provisioned environments go with the engine, including any that were starting.
  expect(await ownContainers()).toEqual([]);
});

const POLL = { timeout: 30_000, interval: 200 };

function storedCost(invocationId: string): number {
  t.engine.services.records.flush();
  return t.engine.services.db
    .prepare<[string], number>('SELECT cost_usd FROM invocations WHERE id = ?')
    .pluck()
    .get(invocationId)!;
}

describe('provisioned concurrency', () => {
  it('keeps N environments initialized from the time the project opens', async () => {
    await expect.poll(() => t.containers('provisioned', 'Warm'), POLL).toHaveLength(2);
    // Containers exist before their init ends: on a loaded machine, wait for both to be ready.
    await expect
      .poll(() => t.engine.services.provisioned!.status(), POLL)
      .toEqual([{ functionKey: `${t.projects.provisioned}/Warm`, configured: 2, ready: 2 }]);
    // The on-demand function starts nothing until it is invoked.
    expect(await t.containers('provisioned', 'OnDemand')).toEqual([]);
  });

  it('serves the first invoke warm, with no init in its REPORT, at the provisioned duration price', async () => {
    const first = await t.invoke('provisioned', 'Warm');
    expect(first).toMatchObject({ status: 'success', coldStart: false });
    expect(first.initDurationMs).toBeUndefined();
    expect(first.logs).toMatch(/REPORT RequestId/);
    expect(first.logs).not.toContain('Init Duration');
    // Init output went to no invocation.
    expect(first.logs).not.toContain('init of a provisioned environment');
    expect(JSON.parse(first.response!)).toMatchObject({ version: 1, served: 1 });

    const usage = { durationMs: first.billedDurationMs, memoryMb: 256, arch: first.architecture };
    const provisioned = provisionedConcurrencyCost({
      ...usage,
      concurrency: 0,
      hoursConfigured: 0,
      requests: 1,
    });
    expect(storedCost(first.invocationId)).toBeCloseTo(provisioned.totalUsd, 15);
    expect(provisioned.totalUsd).toBeLessThan(invocationCost(usage).totalUsd);

    // Two at once: both provisioned environments serve, neither is cold.
    const both = await Promise.all([t.invoke('provisioned', 'Warm'), t.invoke('provisioned', 'Warm')]);
    expect(both.map((r) => r.coldStart)).toEqual([false, false]);
    expect(new Set(both.map((r) => r.environmentId)).size).toBe(2);

    const onDemand = await t.invoke('provisioned', 'OnDemand');
    expect(onDemand.coldStart).toBe(true);
  });

  it('replaces an environment that was killed', async () => {
    const before = await t.containers('provisioned', 'Warm');
    expect(before).toHaveLength(2);
    await docker('kill', before[0]);
    await expect
      .poll(async () => {
        const now = await t.containers('provisioned', 'Warm');
        return now.length === 2 && !now.includes(before[0]);
      }, POLL)
      .toBe(true);
    await expect.poll(() => t.engine.services.provisioned!.status()[0]?.ready, POLL).toBe(2);
    const after = await t.invoke('provisioned', 'Warm');
    expect(after.coldStart).toBe(false);
  });

  it('re-creates them after a code change, running the new code', async () => {
    const before = await t.containers('provisioned', 'Warm');
    const file = path.join(t.root, 'provisioned', 'src', 'app.mjs');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('const version = 1;', 'const version = 2;'));
    await expect
      .poll(async () => {
        const now = await t.containers('provisioned', 'Warm');
        return now.length === 2 && now.every((id) => !before.includes(id));
      }, POLL)
      .toBe(true);
    // Created is not initialized: under load the new ones may still be in init.
    await expect.poll(() => t.engine.services.provisioned!.status()[0]?.ready, POLL).toBe(2);
    const fresh = await t.invoke('provisioned', 'Warm');
    expect(fresh.coldStart).toBe(false);
    expect(JSON.parse(fresh.response!)).toMatchObject({ version: 2, served: 1 });
  });

  it('takes the per-function setting over the template', async () => {
    const key = (fn: string) => `${t.projects.provisioned}/${fn}`;
    await t.client.call('settings:update', {
      partial: { provisionedConcurrency: { [key('OnDemand')]: 1, [key('Warm')]: 0 } },
    });
    await expect
      .poll(() => t.engine.services.provisioned!.status(), POLL)
      .toEqual([{ functionKey: key('OnDemand'), configured: 1, ready: 1 }]);
    // The on-demand environment of the code before the change was retired, not counted.
    await expect.poll(() => t.containers('provisioned', 'OnDemand'), POLL).toHaveLength(1);
    // Warm's environments are no longer provisioned: keep-alive has them now.
    expect(t.engine.services.pool.provisionedCount(key('Warm'))).toBe(0);
    const onDemand = await t.invoke('provisioned', 'OnDemand');
    expect(onDemand).toMatchObject({ coldStart: false, provisioned: true });
    await expect(
      t.client.call('settings:update', { partial: { provisionedConcurrency: { [key('OnDemand')]: -1 } } }),
    ).rejects.toThrow(/At least 0/);
  });
});
