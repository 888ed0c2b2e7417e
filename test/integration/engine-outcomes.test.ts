/**
 * How an invocation ends, through the whole engine (direct client → invoker → pool → Docker) for Node,
 * Python and a Bash custom runtime: results, Lambda's error types, timeouts, memory and payload limits.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_CAP_BYTES } from '../../electron/engine/runtime/log-collector';
import { MAX_RESPONSE_BYTES } from '../../electron/engine/runtime/runtime-api';
import { startTestEngine, type RuntimeFixture, type TestEngine } from '../fixtures/functions/engine-harness';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine(['node', 'python', 'bash']);
});

afterAll(async () => {
  await t?.close();
});

const REPORT =
  /^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: \d+ MB\tMax Memory Used: \d+ MB/m;

describe.each<RuntimeFixture>(['node', 'python', 'bash'])('%s', (runtime) => {
  it('returns the handler result with Lambda’s figures and log frame', async () => {
    const r = await t.invoke(runtime, 'Ok', { n: 1 });
    expect(r.status).toBe('success');
    expect(JSON.parse(r.response!)).toEqual({ ok: true, event: { n: 1 } });
    expect(r.error).toBeUndefined();
    expect(r.coldStart).toBe(true);
    expect(r.initDurationMs).toBeGreaterThan(0);
    expect(r.billedDurationMs).toBe(Math.ceil(r.durationMs));
    expect(r.memorySizeMb).toBe(runtime === 'bash' ? 1024 : 512);
    expect(r.maxMemoryUsedMb).toBeGreaterThan(0);
    expect(r.logs).toMatch(new RegExp(`^START RequestId: ${r.requestId} Version: \\$LATEST`, 'm'));
    expect(r.logs).toContain(`END RequestId: ${r.requestId}`);
    expect(r.logs).toMatch(REPORT);
    expect(r.logs).toMatch(/\tInit Duration: \d+\.\d\d ms$/);
  });

  it('reports a thrown error with its type and message', async () => {
    const r = await t.invoke(runtime, 'Throws');
    expect(r.status).toBe('error');
    const type = { node: 'Error', python: 'Exception', bash: 'HandlerError' }[runtime];
    expect(r.error).toMatchObject({ type, message: 'boom' });
    expect(JSON.parse(r.response!)).toMatchObject({ errorType: type, errorMessage: 'boom' });
    expect(r.logs).toMatch(REPORT);
    if (runtime === 'node')
      expect(r.logs).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"boom"/);
    if (runtime === 'python') expect(r.logs).toContain('[ERROR] Exception: boom');
    if (runtime === 'bash') expect(r.logs).toContain('failing on purpose');
    // The environment survives a handled error.
    const again = await t.invoke(runtime, 'Throws');
    expect(again.coldStart).toBe(false);
  });

  it('fails init with Runtime.HandlerNotFound and keeps the runtime’s own log lines', async () => {
    const r = await t.invoke(runtime, 'NoHandler');
    expect(r.status).toBe('error');
    expect(r.error!.type).toBe('Runtime.HandlerNotFound');
    expect(r.coldStart).toBe(true);
    expect(r.billedDurationMs).toBe(0);
    const printed = {
      node: 'cases.missing is undefined or not exported',
      python: "Handler 'missing' missing on module 'cases'",
      bash: "Handler 'missing' is not defined in function.sh",
    }[runtime];
    expect(r.error!.message).toContain(runtime === 'bash' ? 'function.missing is undefined' : printed);
    expect(r.logs).toContain(printed);
    expect(r.logs).toMatch(
      /INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Runtime.HandlerNotFound/,
    );
    expect(await t.containers(runtime, 'NoHandler', true)).toEqual([]);
  });

  it.skipIf(runtime === 'bash')('fails init with Runtime.UserCodeSyntaxError', async () => {
    const r = await t.invoke(runtime, 'BadSyntax');
    expect(r.status).toBe('error');
    expect(r.error!.type).toBe('Runtime.UserCodeSyntaxError');
    expect(r.error!.message).toMatch(
      runtime === 'node' ? /^SyntaxError: / : /Syntax error in module 'broken'/,
    );
    expect(r.logs).toContain('Runtime.UserCodeSyntaxError');
  });

  it('turns an exit during the invoke into Runtime.ExitError and a fresh environment', async () => {
    const r = await t.invoke(runtime, 'Exits');
    expect(r.status).toBe('error');
    expect(r.error!.type).toBe('Runtime.ExitError');
    expect(r.error!.message).toBe(
      `RequestId: ${r.requestId} Error: Runtime exited with error: exit status 3`,
    );
    expect(r.logs).toMatch(REPORT);
    expect((await t.invoke(runtime, 'Exits')).coldStart).toBe(true);
  });

  it('times out at the function’s Timeout and throws the environment away', async () => {
    const r = await t.invoke(runtime, 'Loops');
    expect(r.status).toBe('timeout');
    expect(r.error).toMatchObject({ type: 'Sandbox.Timedout', message: 'Task timed out after 2.00 seconds' });
    expect(r.durationMs).toBe(2000);
    expect(r.billedDurationMs).toBe(2000);
    expect(r.logs).toMatch(new RegExp(`\\S+ ${r.requestId} Task timed out after 2.00 seconds`));
    expect(r.logs).toMatch(REPORT);
    expect(await t.containers(runtime, 'Loops', true)).toEqual([]);
    const next = await t.invoke(runtime, 'Loops', { once: true });
    expect(next.coldStart).toBe(true);
    expect(next.response).toBe('"once"');
  });
});

describe.each<RuntimeFixture>(['node', 'python'])('%s memory and payloads', (runtime) => {
  it('is killed when it allocates 200 MB under 128 MB', async () => {
    const r = await t.invoke(runtime, 'Oom');
    expect(r.status).toBe('error');
    // Lambda's type and words for an OOM kill.
    expect(r.error!.type).toBe('Runtime.OutOfMemory');
    expect(r.error!.message).toBe(
      `RequestId: ${r.requestId} Error: Runtime exited with error: signal: killed`,
    );
    expect(r.memorySizeMb).toBe(128);
    expect(r.maxMemoryUsedMb).toBeGreaterThanOrEqual(120);
    expect(r.maxMemoryUsedMb).toBeLessThanOrEqual(128);
  });

  it('reports the real peak memory of 100 MB allocated under 512 MB', async () => {
    const r = await t.invoke(runtime, 'Alloc');
    expect(r.status).toBe('success');
    expect(JSON.parse(r.response!)).toBe(100 * 1024 * 1024);
    expect(r.maxMemoryUsedMb).toBeGreaterThanOrEqual(100);
    expect(r.maxMemoryUsedMb).toBeLessThan(512);
    expect(r.logs).toContain(`Memory Size: 512 MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB`);
  });

  it('refuses a 7 MB response with Function.ResponseSizeTooLarge and stays warm', async () => {
    const r = await t.invoke(runtime, 'BigResponse');
    expect(r.status).toBe('error');
    expect(r.error).toMatchObject({
      type: 'Function.ResponseSizeTooLarge',
      message: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
    });
    expect(r.response!.length).toBeLessThan(1000);
    const again = await t.invoke(runtime, 'BigResponse');
    expect(again.coldStart).toBe(false);
    expect(again.error!.type).toBe('Function.ResponseSizeTooLarge');
  });
});

describe('request payload', () => {
  it('refuses a synchronous payload over 6 MB before starting anything', async () => {
    const payload = JSON.stringify({ blob: 'x'.repeat(6 * 1024 * 1024) });
    const started: unknown[] = [];
    const off = t.client.on('invocation:started', (e) => started.push(e));
    const call = t.client.call('functions:invoke', {
      projectId: t.projects.node,
      functionId: 'Counter',
      payload,
    });
    await expect(call).rejects.toMatchObject({ name: 'RequestEntityTooLargeException' });
    await expect(call).rejects.toThrow(/Lambda accepts at most 6 MB \(6291456 bytes\)/);
    off();
    expect(started).toEqual([]);
    expect(await t.containers('node', 'Counter', true)).toEqual([]);
  });
});

describe('log flood', () => {
  // A real collection, so the check is on memory the engine keeps rather than garbage not yet collected.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;

  it.each<RuntimeFixture>(['node', 'python'])(
    '%s: caps 40 MB of logs at 10 MB, keeps the REPORT line, and keeps memory bounded',
    async (runtime) => {
      gc();
      const heapBefore = process.memoryUsage().heapUsed;
      const r = await t.invoke(runtime, 'Flood', { lines: 40_960 });
      gc();
      const retained = process.memoryUsage().heapUsed - heapBefore;
      expect(r.status).toBe('success');
      expect(r.response).toBe('"flooded"');
      expect(r.logsTruncated).toBe(true);
      expect(r.logs).toContain('[lambench] log capped at 10 MB: later lines were dropped');
      expect(r.logs).toMatch(/\n\[lambench\] \d+ lines dropped after the cap$/);
      expect(r.logs).toMatch(REPORT);
      expect(r.logs.length).toBeLessThan(LOG_CAP_BYTES + 4096);
      console.log(
        `[flood] ${runtime}: ${(retained / 1024 / 1024).toFixed(1)} MB retained, ${r.durationMs} ms`,
      );
      // 40 MB went through; what stays is about the capped text the result holds.
      expect(retained).toBeLessThan(1.5 * LOG_CAP_BYTES);
      // Lines still in flight after the result belong to this invocation, not to the next one.
      const next = await t.invoke(runtime, 'Flood', { lines: 1 });
      expect(next.coldStart).toBe(false);
      expect(next.logsTruncated).toBe(false);
      expect(next.logs.split('\n')).toHaveLength(4);
    },
  );
});
