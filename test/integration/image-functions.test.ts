/**
 * Container-image functions on the real Docker engine: Dockerfiles built FROM the local base images with
 * the official runtime interface clients as their entrypoints, compared with the same handlers run as
 * zip functions; the context-hash cache; ImageConfig overrides; a failing build.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImagePullProgress, InvocationResult } from '../../shared/types';
import { docker, startTestEngine, type TestEngine } from '../fixtures/functions/engine-harness';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Built by scripts/fetch-runtime-clients.sh (.ci/run calls it). */
const NODE_RIC = path.join(REPO, '.cache/runtime-clients/node/node_modules/aws-lambda-ric');
/** `pip install --target .cache/runtime-clients/python awslambdaric`, where PyPI is reachable. */
const PYTHON_RIC = path.join(REPO, '.cache/runtime-clients/python');

const hasNodeRic = fs.existsSync(path.join(NODE_RIC, 'dist/rapid-client.node'));
const hasPythonRic = fs.existsSync(path.join(PYTHON_RIC, 'awslambdaric'));
if (!hasNodeRic)
  console.warn(
    `SKIPPING the aws-lambda-ric image tests: ${NODE_RIC} is not built. Run scripts/fetch-runtime-clients.sh ` +
      '(needs the npm registry and autoconf, automake, libtool, cmake, g++).',
  );
if (!hasPythonRic)
  console.warn(
    `SKIPPING the awslambdaric (Python) image tests: ${PYTHON_RIC}/awslambdaric is absent and PyPI is not ` +
      'reachable from this machine. Where it is: pip install --target .cache/runtime-clients/python awslambdaric',
  );

const REPORT =
  /^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 512 MB\tMax Memory Used: \d+ MB/m;

let t: TestEngine;
let project: number;
const builds: ImagePullProgress[] = [];
const dir = () => path.join(t.root, 'image');

beforeAll(async () => {
  t = await startTestEngine(['image']);
  project = t.projects.image;
  t.engine.events.subscribe((event, payload) => {
    const p = payload as ImagePullProgress;
    if (event === 'image:pull' && p.kind === 'build') builds.push(p);
  });
  const bash = path.join(REPO, 'test/fixtures/functions/bash/src');
  for (const f of ['bootstrap', 'function.sh']) fs.cpSync(path.join(bash, f), path.join(dir(), 'custom', f));
  if (hasNodeRic) {
    // Only what the client runs: its entry, bundle and native addon (built against the host's node).
    const into = path.join(dir(), 'node/node_modules/aws-lambda-ric');
    for (const part of ['package.json', 'bin', 'dist'])
      fs.cpSync(path.join(NODE_RIC, part), path.join(into, part), { recursive: true });
  }
  if (hasPythonRic) fs.cpSync(PYTHON_RIC, path.join(dir(), 'python/python-packages'), { recursive: true });
  // Let the watcher take in the copies before the first invoke, so no invoke races a code change.
  await new Promise((r) => setTimeout(r, 300));
}, 120_000);

afterAll(async () => {
  await t?.close();
  const tags = await docker('images', '--format', '{{.Repository}}:{{.Tag}}', 'lambench-fn/image-*');
  const ours = tags.split('\n').filter(Boolean);
  if (ours.length) await docker('rmi', '-f', ...ours).catch(() => '');
});

/** Polls an async check every 50 ms until it returns a value. */
async function eventually<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const invoke = (functionId: string, event: unknown = {}) => t.invoke('image', functionId, event);
const status = (functionId: string) => t.client.call('functions:image', { projectId: project, functionId });

/** What must be the same for an image function and the zip function running the same handler. */
function comparable(r: InvocationResult) {
  return {
    status: r.status,
    response: r.response && r.status === 'success' ? JSON.parse(r.response) : undefined,
    errorType: r.error?.type,
    errorMessage: r.error?.message,
    coldStart: r.coldStart,
    memorySizeMb: r.memorySizeMb,
    billed: r.billedDurationMs === Math.ceil(r.durationMs),
  };
}

describe.skipIf(!hasNodeRic)('a Node image with aws-lambda-ric', () => {
  it('builds through dockerode with progress, then answers like the zip function', async () => {
    builds.length = 0;
    const image = await invoke('NodeOk', { n: 1 });
    const zip = await invoke('ZipNodeOk', { n: 1 });
    expect(image.error).toBeUndefined();
    expect(comparable(image)).toEqual(comparable(zip));
    expect(JSON.parse(image.response!)).toEqual({ ok: true, event: { n: 1 } });
    expect(image.coldStart).toBe(true);
    expect(image.initDurationMs).toBeGreaterThan(0);
    expect(image.maxMemoryUsedMb).toBeGreaterThan(0);
    expect(image.logs).toMatch(new RegExp(`^START RequestId: ${image.requestId} Version: \\$LATEST`, 'm'));
    expect(image.logs).toContain(`END RequestId: ${image.requestId}`);
    expect(image.logs).toMatch(REPORT);
    expect(image.logs).toMatch(/\tInit Duration: \d+\.\d\d ms$/m);
    // The client's own start-up line: the image's ENTRYPOINT ran with the image's CMD.
    expect(image.logs).toContain("Executing 'cases.ok' in function directory '/var/task'");

    const st = await status('NodeOk');
    expect(st).toMatchObject({ built: true, functionId: 'NodeOk' });
    expect(st.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(st.tag).toBe(`lambench-fn/image-nodeok:${st.hash}`);
    expect(st.builtAt).toBeGreaterThan(0);
    // SAM's DockerTag names the latest build too.
    expect(
      await docker('image', 'inspect', '--format', '{{.Id}}', 'lambench-fn/image-nodeok:nodejs20.x-v1'),
    ).toBe(await docker('image', 'inspect', '--format', '{{.Id}}', st.tag));
    const lines = builds.filter((b) => b.image === st.tag).map((b) => b.status);
    expect(lines.some((l) => /^Step 1\/\d+ : FROM lambench-local\/nodejs:20/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('Built');

    const warm = await invoke('NodeOk', { n: 2 });
    expect(warm.coldStart).toBe(false);
    expect(JSON.parse(warm.response!)).toEqual({ ok: true, event: { n: 2 } });
  }, 120_000);

  it('runs hardened like a zip function: sandbox user, read-only root, /tmp, Lambda variables', async () => {
    const image = await invoke('NodeWhoami');
    const zip = await invoke('ZipNodeWhoami');
    const expected = {
      uid: 993,
      gid: 990,
      cwd: '/var/task',
      memoryLimitInMB: '512',
      remainingOk: true,
      runtimeApiSet: true,
      greeting: 'hello from the template',
      taskRoot: '/var/task',
      region: 'us-east-1',
      tmp: true,
      root: 'EROFS',
    };
    expect(JSON.parse(image.response!)).toEqual({ ...expected, functionName: 'NodeWhoami' });
    expect(JSON.parse(zip.response!)).toEqual({ ...expected, functionName: 'ZipNodeWhoami' });
    expect(image.logs).toMatch(/\tINFO\twhoami called$/m);
    const [id] = await t.containers('image', 'NodeWhoami');
    const info = JSON.parse(await docker('inspect', id))[0];
    expect(info.HostConfig).toMatchObject({
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      Memory: 512 * 1024 * 1024,
    });
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(info.Config.User).toBe('993:990');
  }, 60_000);

  it.each([
    ['NodeThrows', 'ZipNodeThrows', 'Error', 'boom'],
    [
      'NodeNoHandler',
      'ZipNodeNoHandler',
      'Runtime.HandlerNotFound',
      'cases.missing is undefined or not exported',
    ],
    [
      'NodeBadRequire',
      'ZipNodeBadRequire',
      'Runtime.ImportModuleError',
      "Cannot find module 'not-installed-package'",
    ],
    // The official client's own rule: an ES module's missing import is a plain Error.
    ['NodeBadImport', 'ZipNodeBadImport', 'Error', "Cannot find package 'not-installed-package'"],
  ])(
    '%s fails like its zip twin %s: %s',
    async (imageFn, zipFn, type, message) => {
      const image = await invoke(imageFn);
      const zip = await invoke(zipFn);
      expect(image.status).toBe('error');
      expect(image.error!.type).toBe(type);
      expect(zip.error!.type).toBe(type);
      expect(image.error!.message).toContain(message);
      expect(zip.error!.message).toContain(message);
      if (imageFn === 'NodeThrows') {
        expect(comparable(image)).toEqual(comparable(zip));
        expect(image.logs).toMatch(REPORT);
      } else {
        const initReport = `INIT_REPORT Init Duration: \\d+\\.\\d\\d ms\\tPhase: init\\tStatus: error\\tError Type: ${type}`;
        expect(image.logs).toMatch(new RegExp(initReport));
        expect(zip.logs).toMatch(new RegExp(initReport));
        expect(image.billedDurationMs).toBe(0);
      }
    },
    120_000,
  );

  it('a handler module missing from the image fails init with Runtime.ImportModuleError', async () => {
    // (Lambench refuses such a zip function before it runs, so there is no twin to compare with.)
    const r = await invoke('NodeNoModule');
    expect(r.error!.type).toBe('Runtime.ImportModuleError');
    expect(r.error!.message).toContain("Error: Cannot find module 'nowhere'");
  }, 60_000);

  it('times out like a zip function', async () => {
    const image = await invoke('NodeSleeps');
    const zip = await invoke('ZipNodeSleeps');
    for (const r of [image, zip]) {
      expect(r.status).toBe('timeout');
      expect(r.durationMs).toBe(1000);
      expect(r.logs).toContain('Task timed out after 1.00 seconds');
    }
    expect(image.error!.type).toBe(zip.error!.type);
  }, 120_000);

  it('rebuilds only when the context changes, and the next invoke is cold', async () => {
    await invoke('NodeOk');
    const before = await status('NodeOk');
    // An ignored file (.dockerignore: *.md) changes: same hash, no build.
    builds.length = 0;
    fs.appendFileSync(path.join(dir(), 'node/README.md'), 'More words.\n');
    await eventually(async () => (await status('NodeOk')).hash === before.hash, 'the hash');
    const ignored = await invoke('NodeOk');
    expect(ignored.status).toBe('success');
    expect(builds).toEqual([]);
    expect((await status('NodeOk')).tag).toBe(before.tag);

    // The handler changes: a new hash, a build, a cold start with the new code.
    fs.appendFileSync(path.join(dir(), 'node/cases.mjs'), '\nexport const added = async () => "added";\n');
    const changed = await eventually(async () => {
      const s = await status('NodeOk');
      return s.hash !== before.hash && s;
    }, 'a new hash');
    expect(changed.built).toBe(false);
    const after = await invoke('NodeOk', { n: 3 });
    expect(after.status).toBe('success');
    expect(after.coldStart).toBe(true);
    expect(builds.some((b) => b.image === changed.tag && b.status === 'Built')).toBe(true);
    expect((await status('NodeOk')).built).toBe(true);
    // The earlier build's tag is gone: one image per function, not one per edit.
    const tags = await docker('images', '--format', '{{.Tag}}', 'lambench-fn/image-nodeok');
    expect(tags.split('\n').sort()).toEqual([changed.hash, 'nodejs20.x-v1'].sort());
  }, 120_000);
});

describe.skipIf(!hasPythonRic)('a Python image with awslambdaric', () => {
  it.each([
    ['PyOk', 'ZipPyOk'],
    ['PyThrows', 'ZipPyThrows'],
    ['PyNoHandler', 'ZipPyNoHandler'],
    ['PyBadImport', 'ZipPyBadImport'],
  ])(
    '%s answers like %s',
    async (imageFn, zipFn) => {
      const image = await invoke(imageFn, { n: 1 });
      const zip = await invoke(zipFn, { n: 1 });
      expect({ ...comparable(image), errorMessage: undefined }).toEqual({
        ...comparable(zip),
        errorMessage: undefined,
      });
      if (image.status === 'success' || image.error?.type === 'Exception') expect(image.logs).toMatch(REPORT);
    },
    120_000,
  );
});

describe('any image', () => {
  it('ImageConfig EntryPoint, Command and WorkingDirectory replace the image’s own', async () => {
    const r = await invoke('CustomOverrides', { n: 1 });
    expect(r.error).toBeUndefined();
    expect(JSON.parse(r.response!)).toEqual({ ok: true, event: { n: 1 } });
    expect(r.logs).toMatch(/Memory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration/);
    const [id] = await t.containers('image', 'CustomOverrides');
    const info = JSON.parse(await docker('inspect', id))[0];
    expect(info.Config).toMatchObject({
      Entrypoint: ['/var/task/bootstrap'],
      Cmd: ['function.ok'],
      WorkingDir: '/tmp',
      User: '993:990',
    });
    expect(info.Config.Env).toContain('_HANDLER=function.ok');
    expect(info.Config.Env).toContain('PATH=/var/lang/bin:/usr/local/bin:/usr/bin:/bin:/opt/bin');

    // The same image, named by ImageUri, runs as it is: nothing is built.
    builds.length = 0;
    const byUri = await invoke('FromLocalUri', { n: 2 });
    expect(JSON.parse(byUri.response!)).toEqual({ ok: true, event: { n: 2 } });
    expect(builds).toEqual([]);
    expect(await status('FromLocalUri')).toMatchObject({
      tag: 'lambench-fn/image-customoverrides:latest',
      built: true,
    });
  }, 120_000);

  it('a failing build shows Docker’s log and a clear error, and runs nothing', async () => {
    builds.length = 0;
    const r = await invoke('BrokenBuild');
    expect(r.status).toBe('error');
    expect(r.error!.type).toBe('ImageBuildFailed');
    expect(r.error!.message).toMatch(
      /^Building lambench-fn\/image-brokenbuild:[0-9a-f]{12} failed: .*non-zero code: 3/,
    );
    expect(r.logs).toContain("Could not build the function's image: ImageBuildFailed");
    expect(r.logs).toContain('compiling the function');
    expect(r.logs).toContain('error: the compiler gave up');
    expect(r.durationMs).toBe(0);
    expect(r.environmentId).toBeUndefined();
    expect(await t.containers('image', 'BrokenBuild', true)).toEqual([]);
    const failed = builds.filter((b) => b.error);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ kind: 'build', status: 'Failed', done: true });

    // The record says so.
    const record = await t.client.call('history:get', { invocationId: r.invocationId });
    expect(record).toMatchObject({ status: 'error', errorType: 'ImageBuildFailed' });
    expect(record.logs).toContain('compiling the function');

    // Nothing half-built is tagged, and a rebuild fails the same way with the log in its details.
    expect((await status('BrokenBuild')).built).toBe(false);
    const err = await t.client
      .call('functions:buildImage', { projectId: project, functionId: 'BrokenBuild' })
      .catch((e: unknown) => e as Error & { details?: { log?: string } });
    expect(err).toMatchObject({ name: 'ImageBuildFailed' });
    expect((err as { details: { log: string } }).details.log).toContain('error: the compiler gave up');
  }, 120_000);

  it('an ImageUri that is not on the engine fails with ImageNotAvailable', async () => {
    const r = await invoke('FromUri');
    expect(r.status).toBe('error');
    expect(r.error!.type).toBe('ImageNotAvailable');
    expect(r.error!.message).toContain('lambench-fn/not-built-anywhere:1');
  }, 60_000);

  it('a zip function is not an image function', async () => {
    await expect(status('ZipNodeOk')).rejects.toMatchObject({ name: 'NotAnImageFunction' });
  });
});

describe('without Docker', () => {
  it('the process executor refuses an image function with a clear error, and records it', async () => {
    const p = await startTestEngine(['image'], { executor: 'process' });
    try {
      const r = await p.invoke('image', 'CustomOverrides');
      expect(r.status).toBe('error');
      expect(r.error!.type).toBe('ImageFunctionNeedsDocker');
      expect(r.error!.message).toContain('runs only with Docker');
      const record = await p.client.call('history:get', { invocationId: r.invocationId });
      expect(record.errorType).toBe('ImageFunctionNeedsDocker');
    } finally {
      await p.close();
    }
  }, 60_000);
});
