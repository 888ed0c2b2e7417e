/**
 * Versions and aliases through the whole engine, on real Docker and a real SQLite file: snapshots run after
 * the code changed or the folder is gone, weighted aliases route by their weights, Lambda's delete rules,
 * and AutoPublishAlias publishing once per change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeAlias } from '../../electron/engine/versions/resolve';
import type { InvocationResult } from '../../shared/types';
import { startTestEngine, type TestEngine } from '../fixtures/functions/engine-harness';

let t: TestEngine;

const TEMPLATE = (extra = '') => `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
    CodeUri: src/
    MemorySize: 256
    Timeout: 5
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
  Auto:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      AutoPublishAlias: live
      VersionDescription: from the template${extra}
`;

const code = (mark: string) =>
  `export const handler = async (event, context) => ({ mark: '${mark}', ` +
  `version: process.env.AWS_LAMBDA_FUNCTION_VERSION, arn: context.invokedFunctionArn });\n`;

/** A fresh SAM project in the temp root, opened in the engine. */
async function project(name: string, extra = ''): Promise<{ id: number; dir: string }> {
  const dir = path.join(t.root, name);
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'template.yaml'), TEMPLATE(extra));
  fs.writeFileSync(path.join(dir, 'src/app.mjs'), code('A'));
  const { id } = await t.client.call('projects:open', { path: dir });
  return { id, dir };
}

const invoke = (projectId: number, functionId: string, qualifier?: string): Promise<InvocationResult> =>
  t.client.call('functions:invoke', { projectId, functionId, payload: '{}', qualifier });
const body = (r: InvocationResult) =>
  JSON.parse(r.response ?? 'null') as { mark: string; version: string; arn: string };

/** The engine sees a code change after its watcher settles. */
const settle = () => new Promise((r) => setTimeout(r, 400));

beforeAll(async () => {
  t = await startTestEngine([]);
});

afterAll(async () => {
  await t?.close();
});

describe('publishing', () => {
  it('runs the snapshot of v1 after the code changed, apart from $LATEST', async () => {
    const { id, dir } = await project('publish');
    const first = await t.client.call('versions:publish', {
      projectId: id,
      functionId: 'Fn',
      description: 'first',
    });
    expect(first.created).toBe(true);
    expect(first.version).toMatchObject({ version: '1', description: 'first' });
    expect(Buffer.from(first.version.codeSha256, 'base64')).toHaveLength(32);
    expect(first.version.codeSize).toBe(code('A').length);

    // Nothing changed: Lambda returns the last version and uses no number.
    const again = await t.client.call('versions:publish', {
      projectId: id,
      functionId: 'Fn',
      description: 'x',
    });
    expect(again).toMatchObject({ created: false, version: { version: '1', description: 'first' } });

    fs.writeFileSync(path.join(dir, 'src/app.mjs'), code('B'));
    await settle();
    const v1 = await invoke(id, 'Fn', '1');
    const latest = await invoke(id, 'Fn');
    expect(body(v1)).toMatchObject({ mark: 'A', version: '1' });
    expect(body(v1).arn).toMatch(/:function:Fn:1$/);
    expect(body(latest)).toMatchObject({ mark: 'B', version: '$LATEST' });
    expect(v1.logs).toContain(`START RequestId: ${v1.requestId} Version: 1`);
    expect(latest.logs).toContain(`START RequestId: ${latest.requestId} Version: $LATEST`);
    expect(v1).toMatchObject({ qualifier: '1', executedVersion: '1' });

    // Each keeps its own warm environment while the other runs.
    const v1Warm = await invoke(id, 'Fn', '1');
    const latestWarm = await invoke(id, 'Fn');
    expect(v1Warm).toMatchObject({ coldStart: false, environmentId: v1.environmentId });
    expect(latestWarm).toMatchObject({ coldStart: false, environmentId: latest.environmentId });

    const second = await t.client.call('versions:publish', { projectId: id, functionId: 'Fn' });
    expect(second).toMatchObject({ created: true, version: { version: '2' } });
    expect(second.version.codeSha256).not.toBe(first.version.codeSha256);

    // A config-only change is a new version too.
    await t.client.call('functions:updateConfig', {
      projectId: id,
      functionId: 'Fn',
      patch: { memorySize: 512 },
    });
    const third = await t.client.call('versions:publish', { projectId: id, functionId: 'Fn' });
    expect(third.version).toMatchObject({ version: '3', codeSha256: second.version.codeSha256 });
    expect(third.version.config.memorySize).toBe(512);
    const ran3 = await invoke(id, 'Fn', '3');
    expect(ran3).toMatchObject({ memorySizeMb: 512, executedVersion: '3' });

    // Identical content is stored once: v2 and v3 share a snapshot.
    const snapshots = fs.readdirSync(path.join(t.root, 'home/code')).filter((n) => !n.startsWith('.'));
    expect(snapshots).toHaveLength(2);

    const history = await t.client.call('history:list', { projectId: id, functionId: 'Fn', version: '1' });
    expect(history.rows.map((r) => r.executedVersion)).toEqual(['1', '1']);
  });

  it('refuses an unknown qualifier with ResourceNotFoundException, and a bad one with ValidationException', async () => {
    const { id } = await project('unknown');
    await expect(invoke(id, 'Fn', '7')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:Fn:7',
    });
    await expect(invoke(id, 'Fn', 'nope')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:Fn:nope',
    });
    await expect(invoke(id, 'Fn', 'bad name!')).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('keeps published versions runnable after the project folder is deleted', async () => {
    const { id, dir } = await project('gone');
    await t.client.call('versions:publish', { projectId: id, functionId: 'Fn' });
    await t.client.call('aliases:create', {
      projectId: id,
      functionId: 'Fn',
      name: 'prod',
      functionVersion: '1',
    });
    fs.rmSync(dir, { recursive: true, force: true });
    await settle();
    await expect(invoke(id, 'Fn')).rejects.toMatchObject({ name: 'ProjectMissing' });
    const viaAlias = await invoke(id, 'Fn', 'prod');
    expect(viaAlias).toMatchObject({ status: 'success', qualifier: 'prod', executedVersion: '1' });
    expect(body(viaAlias).mark).toBe('A');
    const list = await t.client.call('versions:list', { projectId: id, functionId: 'Fn' });
    expect(list.versions.map((v) => v.version)).toEqual(['1']);
  });
});

describe('aliases', () => {
  it('follows Lambda rules for names, targets and deletes', async () => {
    const { id, dir } = await project('rules');
    const call = (m: 'aliases:create', input: Record<string, unknown>) =>
      t.client.call(m, { projectId: id, functionId: 'Fn', ...input } as never);
    const v1 = await t.client.call('versions:publish', { projectId: id, functionId: 'Fn' });
    fs.writeFileSync(path.join(dir, 'src/app.mjs'), code('only in rules v2'));
    const v2 = await t.client.call('versions:publish', { projectId: id, functionId: 'Fn' });
    const folder = (sha: string) =>
      path.join(t.root, 'home/code', Buffer.from(sha, 'base64').toString('hex'));
    expect(fs.existsSync(folder(v2.version.codeSha256))).toBe(true);

    await expect(call('aliases:create', { name: '123', functionVersion: '1' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("Value '123' at 'name' failed to satisfy constraint"),
    });
    await expect(call('aliases:create', { name: 'prod', functionVersion: '9' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:Fn:9',
    });
    await expect(
      call('aliases:create', {
        name: 'prod',
        functionVersion: '$LATEST',
        routingConfig: { additionalVersionWeights: { '1': 0.5 } },
      }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(
      call('aliases:create', {
        name: 'prod',
        functionVersion: '2',
        routingConfig: { additionalVersionWeights: { '1': 1.5 } },
      }),
    ).rejects.toMatchObject({ name: 'ValidationException' });

    await call('aliases:create', {
      name: 'prod',
      functionVersion: '2',
      routingConfig: { additionalVersionWeights: { '1': 0.1 } },
    });
    await expect(call('aliases:create', { name: 'prod', functionVersion: '1' })).rejects.toMatchObject({
      name: 'ResourceConflictException',
      message: 'Alias already exists: arn:aws:lambda:us-east-1:123456789012:function:Fn:prod',
    });
    // Either of an alias's versions is in use.
    for (const version of ['1', '2']) {
      await expect(
        t.client.call('versions:delete', { projectId: id, functionId: 'Fn', version }),
      ).rejects.toMatchObject({
        name: 'ResourceConflictException',
        message: 'Unable to delete version because the following aliases reference it: [prod]',
      });
    }
    await expect(
      t.client.call('versions:delete', { projectId: id, functionId: 'Fn', version: '$LATEST' }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });

    // Rollback: move the alias back to v1, with no second version; v2 is free to go.
    const moved = await t.client.call('aliases:update', {
      projectId: id,
      functionId: 'Fn',
      name: 'prod',
      functionVersion: '1',
      routingConfig: null,
    });
    expect(moved).toMatchObject({ functionVersion: '1' });
    expect(moved.routingConfig).toBeUndefined();
    await t.client.call('versions:delete', { projectId: id, functionId: 'Fn', version: '2' });
    // Its snapshot is freed; v1's, which other projects' versions share, stays.
    expect(fs.existsSync(folder(v2.version.codeSha256))).toBe(false);
    expect(fs.existsSync(folder(v1.version.codeSha256))).toBe(true);
    await expect(invoke(id, 'Fn', '2')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // Numbers are never reused.
    fs.writeFileSync(path.join(dir, 'src/app.mjs'), code('C'));
    const next = await t.client.call('versions:publish', { projectId: id, functionId: 'Fn' });
    expect(next.version.version).toBe('3');
  });

  it('routes 70/30 within ±5% of the weights over 1,000 picks, and ~50 real invokes record what ran', async () => {
    // The choice itself, with a seeded generator: no container needed for a thousand draws.
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alias = { functionVersion: '2', routingConfig: { additionalVersionWeights: { '1': 0.3 } } };
    const picks = Array.from({ length: 1000 }, () => routeAlias(alias, random));
    const share = picks.filter((v) => v === '1').length / 1000;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);

    const { id, dir } = await project('weights');
    await t.client.call('versions:publish', { projectId: id, functionId: 'Fn' });
    fs.writeFileSync(path.join(dir, 'src/app.mjs'), code('B'));
    await t.client.call('versions:publish', { projectId: id, functionId: 'Fn' });
    await t.client.call('aliases:create', {
      projectId: id,
      functionId: 'Fn',
      name: 'canary',
      functionVersion: '2',
      routingConfig: { additionalVersionWeights: { '1': 0.3 } },
    });
    // The same routing through the engine's resolver, 1,000 times, with Math.random.
    const resolved = await Promise.all(
      Array.from({ length: 1000 }, () => t.engine.services.versions.resolve(id, 'Fn', 'canary')),
    );
    const viaResolver = resolved.filter((r) => r.executedVersion === '1').length / 1000;
    expect(Math.abs(viaResolver - 0.3)).toBeLessThan(0.05);

    const results: InvocationResult[] = [];
    for (let i = 0; i < 50; i++) results.push(await invoke(id, 'Fn', 'canary'));
    for (const r of results) {
      expect(r.status).toBe('success');
      expect(body(r).mark).toBe(r.executedVersion === '1' ? 'A' : 'B');
      expect(r.logs).toContain(`Version: ${r.executedVersion}`);
    }
    const ones = results.filter((r) => r.executedVersion === '1').length;
    // 50 draws at 30%: 5..27 holds with probability > 99.9%.
    expect(ones).toBeGreaterThanOrEqual(5);
    expect(ones).toBeLessThanOrEqual(27);
    const page = await t.client.call('history:list', {
      projectId: id,
      functionId: 'Fn',
      alias: 'canary',
      limit: 100,
    });
    expect(page.rows).toHaveLength(50);
    expect(page.rows.filter((r) => r.executedVersion === '1')).toHaveLength(ones);

    const compared = await t.client.call('versions:compare', {
      projectId: id,
      functionId: 'Fn',
      a: '1',
      b: '2',
    });
    expect(compared.a.count).toBe(ones);
    expect(compared.b.count).toBe(50 - ones);
    for (const side of [compared.a, compared.b]) {
      expect(side.p50).toBeGreaterThan(0);
      expect(side.p95).toBeGreaterThanOrEqual(side.p50!);
      expect(side.maxMemoryUsedMb).toBeGreaterThan(0);
      // At least the request charge: $0.20 per million.
      expect(side.costPerMillionUsd).toBeGreaterThan(0.2);
    }
  });
});

describe('AutoPublishAlias', () => {
  it('publishes once per change of code or config, and moves the alias', async () => {
    const { id, dir } = await project('auto');
    const list = () => t.client.call('versions:list', { projectId: id, functionId: 'Auto' });
    let state = await list();
    expect(state.versions.map((v) => v.version)).toEqual(['1']);
    expect(state.versions[0].description).toBe('from the template');
    expect(state.aliases).toMatchObject([{ name: 'live', functionVersion: '1', managedByTemplate: true }]);
    // The other function has no AutoPublishAlias.
    expect((await t.client.call('versions:list', { projectId: id, functionId: 'Fn' })).versions).toEqual([]);

    // Opening again, nothing changed: nothing published.
    await t.client.call('projects:open', { path: dir });
    expect((await list()).versions).toHaveLength(1);

    // A code change publishes v2 once, however many writes the burst had, and tells the UI.
    const heard: string[] = [];
    const off = t.client.on('versions:changed', (e) => {
      if (e.projectId === id) heard.push(e.functionId);
    });
    for (const mark of ['B1', 'B2', 'B']) fs.writeFileSync(path.join(dir, 'src/app.mjs'), code(mark));
    await settle();
    await t.engine.services.versions.settled(id);
    state = await list();
    expect(state.versions.map((v) => v.version)).toEqual(['1', '2']);
    expect(state.aliases[0].functionVersion).toBe('2');
    await expect.poll(() => heard).toEqual(['Auto', 'Auto']); // the version, then the alias
    off();
    expect(body(await invoke(id, 'Auto', 'live'))).toMatchObject({ mark: 'B', version: '2' });

    // A rollback by the user stands while nothing changes.
    await t.client.call('aliases:update', {
      projectId: id,
      functionId: 'Auto',
      name: 'live',
      functionVersion: '1',
    });
    await t.client.call('projects:open', { path: dir });
    expect((await list()).aliases[0].functionVersion).toBe('1');

    // A template change that touches only another property of Auto's config publishes v3.
    fs.writeFileSync(path.join(dir, 'template.yaml'), TEMPLATE('\n      MemorySize: 1024'));
    await settle();
    await t.engine.services.versions.settled(id);
    state = await list();
    expect(state.versions.map((v) => v.version)).toEqual(['1', '2', '3']);
    expect(state.versions[2].config.memorySize).toBe(1024);
    expect(state.aliases[0].functionVersion).toBe('3');
  });
});

describe('DeploymentPreference on a local clock', () => {
  it('shifts a canary, then a linear deployment, by the time since the new version was published', async () => {
    const versions = t.engine.services.versions;
    let clock = Date.now();
    versions.now = () => clock;
    try {
      const canary = '\n      DeploymentPreference:\n        Type: Canary10Percent5Minutes';
      const { id, dir } = await project('deploy', canary);
      const alias = async () =>
        (await t.client.call('versions:list', { projectId: id, functionId: 'Auto' })).aliases[0];
      // The first version has nothing to shift from: the alias simply points at it.
      expect(await alias()).toMatchObject({ functionVersion: '1' });
      expect((await alias()).deployment).toBeUndefined();

      fs.writeFileSync(path.join(dir, 'src/app.mjs'), code('B'));
      // The watcher's notice can take longer than settle() on a loaded machine: wait for version 2 itself.
      const published = async () =>
        (await t.client.call('versions:list', { projectId: id, functionId: 'Auto' })).versions.length;
      await expect.poll(published, { timeout: 10_000 }).toBe(2);
      await versions.settled(id);
      expect(await alias()).toMatchObject({
        functionVersion: '1',
        routingConfig: { additionalVersionWeights: { '2': 0.1 } },
        deployment: { type: 'Canary10Percent5Minutes', toVersion: '2', endsAt: clock + 5 * 60_000 },
      });
      clock += 4 * 60_000;
      expect((await alias()).routingConfig).toEqual({ additionalVersionWeights: { '2': 0.1 } });
      clock += 60_000;
      const done = await alias();
      expect(done).toMatchObject({ functionVersion: '2' });
      expect(done.routingConfig).toBeUndefined();
      expect(done.deployment).toBeUndefined();
      expect((await invoke(id, 'Auto', 'live')).executedVersion).toBe('2');

      // Linear: 10% more every minute until the new version has it all.
      const linear = '\n      DeploymentPreference:\n        Type: Linear10PercentEvery1Minute';
      fs.writeFileSync(path.join(dir, 'template.yaml'), TEMPLATE(linear));
      fs.writeFileSync(path.join(dir, 'src/app.mjs'), code('C'));
      await expect.poll(published, { timeout: 10_000 }).toBe(3);
      await versions.settled(id);
      const weights: number[] = [];
      for (let minute = 0; minute < 9; minute++) {
        const a = await alias();
        expect(a.functionVersion).toBe('2');
        weights.push(a.routingConfig!.additionalVersionWeights['3']);
        clock += 60_000;
      }
      expect(weights).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
      expect(await alias()).toMatchObject({ functionVersion: '3' });
      expect(
        (await t.client.call('versions:list', { projectId: id, functionId: 'Auto' })).versions,
      ).toHaveLength(3);
    } finally {
      versions.now = Date.now;
    }
  });
});
