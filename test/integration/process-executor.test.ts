import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../electron/engine/resources';
import { ProcessExecutor } from '../../electron/engine/runtime/process-executor';
import { startRuntimeApi, type InitError, type RuntimeApi } from '../../electron/engine/runtime/runtime-api';
import type { EnvironmentSpec, ExitInfo, RunningEnvironment } from '../../electron/engine/runtime/executor';

const executor = new ProcessExecutor();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

function fnDir(files: Record<string, string>, mode?: Record<string, number>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-fn-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text, { mode: mode?.[name] ?? 0o644 });
  }
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Env {
  api: RuntimeApi;
  env: RunningEnvironment;
  lines: string[];
  /** What ended init: 'ready', the init error, or the exit. */
  init: { kind: 'ready' } | { kind: 'initError'; error: InitError } | { kind: 'exited'; info: ExitInfo };
  call(payload?: unknown): ReturnType<RuntimeApi['invoke']> & Promise<unknown>;
}

async function boot(runtime: string, handler: string, codeDir: string, environment = {}): Promise<Env> {
  const api = await startRuntimeApi({ host: await executor.runtimeApiHost() });
  const spec: EnvironmentSpec = {
    id: randomUUID(),
    functionName: 'demo-fn',
    runtime,
    handler,
    codeDir,
    layerDirs: [],
    memoryMb: 256,
    timeoutSec: 3,
    ephemeralMb: 512,
    architecture: 'x86_64',
    environment,
    image: '',
    runtimeApi: api.address,
    labels: {},
  };
  const env = await executor.start(spec);
  const lines: string[] = [];
  env.onLine((l) => lines.push(l));
  api.setCallerCheck((addr) => addr === env.callerAddress);
  cleanups.push(async () => {
    await env.destroy();
    await api.close();
  });
  const init = await Promise.race([
    api.firstPoll.then(() => ({ kind: 'ready' as const })),
    api.initError.then((error) => ({ kind: 'initError' as const, error })),
    env.exited.then((info) => ({ kind: 'exited' as const, info })),
  ]);
  const call = (payload: unknown = { n: 1 }) =>
    api.invoke({
      requestId: randomUUID(),
      payload: JSON.stringify(payload),
      deadlineMs: Date.now() + 3000,
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:demo-fn',
    });
  return { api, env, lines, init, call: call as Env['call'] };
}

/** Log bytes as the engine counts them: each line plus its newline. */
const bytesOf = (lines: string[]): number => lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\tINFO\thello 42 \{ a: 1 \}$/;

describe('resourcesDir', () => {
  it('finds the runtime clients', () => {
    expect(fs.existsSync(path.join(resourcesDir(), 'runtimes', 'node', 'bootstrap.mjs'))).toBe(true);
  });
});

describe('process executor: orphans', () => {
  it('reaps processes whose Lambench owner is gone, and leaves live owners alone', async () => {
    const { spawn, spawnSync } = await import('node:child_process');
    const deadPid = spawnSync('true').pid as number;
    const orphan = spawn('sleep', ['30'], { env: { _LAMBENCH_OWNER_PID: String(deadPid) }, stdio: 'ignore' });
    const mine = spawn('sleep', ['30'], {
      env: { _LAMBENCH_OWNER_PID: String(process.pid) },
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 50));
    const gone = new Promise((r) => orphan.once('exit', (_c, sig) => r(sig)));
    expect(await executor.reapOrphans()).toBe(1);
    expect(await gone).toBe('SIGKILL');
    expect(mine.exitCode).toBe(null);
    mine.kill('SIGKILL');
  });
});

describe('process executor: Node', () => {
  it('runs a CommonJS handler with context and Lambda log lines', async () => {
    const dir = fnDir({
      'app.js': `exports.handler = async (event, context) => {
        console.log('hello %d', 42, { a: 1 });
        console.warn('careful');
        return { event, id: context.awsRequestId, name: context.functionName, version: context.functionVersion,
          mem: context.memoryLimitInMB, arn: context.invokedFunctionArn, group: context.logGroupName,
          stream: context.logStreamName, remaining: context.getRemainingTimeInMillis(),
          waits: context.callbackWaitsForEmptyEventLoop, env: process.env.MY_VAR, home: process.env.HOME ?? null,
          region: process.env.AWS_REGION, exec: process.env.AWS_EXECUTION_ENV, trace: process.env._X_AMZN_TRACE_ID };
      };`,
    });
    const e = await boot('nodejs20.x', 'app.handler', dir, { MY_VAR: 'mine', AWS_REGION: 'eu-west-1' });
    expect(e.init.kind).toBe('ready');
    const o = await e.call({ k: 'v' });
    expect(o.ok).toBe(true);
    const r = JSON.parse(o.body);
    expect(r.event).toEqual({ k: 'v' });
    expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r).toMatchObject({
      name: 'demo-fn',
      version: '$LATEST',
      mem: '256',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:demo-fn',
      group: '/aws/lambda/demo-fn',
      waits: true,
      env: 'mine',
      home: null,
      region: 'us-east-1', // reserved variables win over the function's own
      exec: 'AWS_Lambda_nodejs20.x',
    });
    expect(r.stream).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(r.remaining).toBeGreaterThan(2000);
    expect(r.remaining).toBeLessThanOrEqual(3000);
    expect(r.trace).toMatch(/^Root=1-/);
    await waitFor(() => e.lines.some((l) => l.includes('\tWARN\t')));
    const info = e.lines.find((l) => l.includes('\tINFO\t'));
    expect(info).toMatch(LOG_LINE);
    expect(info?.split('\t')[1]).toBe(r.id);
    expect(e.lines.find((l) => l.includes('\tWARN\t'))?.endsWith(`\t${r.id}\tWARN\tcareful`)).toBe(true);
    expect(await e.env.maxMemoryUsedMb()).toBeGreaterThan(10);
    // The client reports exactly the bytes the engine will have seen once the logs land.
    await waitFor(() => bytesOf(e.lines) >= (o.logBytes ?? 0));
    expect(o.logBytes).toBe(bytesOf(e.lines));

    // Warm: the same process answers again, and undefined becomes null.
    const again = await e.call({ k: 2 });
    expect(JSON.parse(again.body).event).toEqual({ k: 2 });
  });

  it('runs an ESM handler in a subfolder and serializes undefined as null', async () => {
    const dir = fnDir({
      'package.json': '{"type":"module"}',
      'src/app.js': `const started = Date.now();\nexport const lambdaHandler = async () => undefined;`,
    });
    const e = await boot('nodejs22.x', 'src/app.lambdaHandler', dir);
    expect(e.init.kind).toBe('ready');
    const o = await e.call();
    expect(o).toMatchObject({ ok: true, body: 'null' });
  });

  it('runs a .mjs handler and a callback handler', async () => {
    const dir = fnDir({
      'index.mjs': `export function handler(event, context, callback) {
        setTimeout(() => callback(null, { doubled: event.n * 2 }), 5);
      }`,
    });
    const e = await boot('nodejs20.x', 'index.handler', dir);
    const o = await e.call({ n: 21 });
    expect(o).toMatchObject({ ok: true, body: '{"doubled":42}' });
  });

  it('waits for an empty event loop after callback() unless told not to', async () => {
    const dir = fnDir({
      'app.js': `exports.handler = (event, context, callback) => {
        context.callbackWaitsForEmptyEventLoop = event.wait;
        setTimeout(() => {}, 300);
        callback(null, 'sent');
      };`,
    });
    const e = await boot('nodejs20.x', 'app.handler', dir);
    const waited = await e.call({ wait: true });
    expect(waited.body).toBe('"sent"');
    expect(waited.receivedAt - waited.startedAt).toBeGreaterThanOrEqual(250);
    const quick = await e.call({ wait: false });
    expect(quick.body).toBe('"sent"');
    expect(quick.receivedAt - quick.startedAt).toBeLessThan(200);
  });

  it('turns a 7 MB result into Function.ResponseSizeTooLarge and stays usable', async () => {
    const dir = fnDir({
      'app.js': "exports.handler = async (e) => (e.big ? 'x'.repeat(7 * 1024 * 1024) : 'small');",
    });
    const e = await boot('nodejs20.x', 'app.handler', dir);
    const big = await e.call({ big: true });
    expect(big).toMatchObject({ ok: false, errorType: 'Function.ResponseSizeTooLarge' });
    expect(await e.call({ big: false })).toMatchObject({ ok: true, body: '"small"' });
  });

  it('reports an uncaught exception between invokes while /next is pending', async () => {
    const dir = fnDir({
      'app.js':
        "exports.handler = async () => { setTimeout(() => { throw new Error('later'); }, 50); return 1; };",
    });
    const e = await boot('nodejs20.x', 'app.handler', dir);
    expect((await e.call()).body).toBe('1');
    expect((await e.env.exited).exitCode).toBe(1);
    expect(
      e.lines.some((l) =>
        l.includes('\tERROR\tUncaught Exception \t{"errorType":"Error","errorMessage":"later"'),
      ),
    ).toBe(true);
  });

  it('reports a thrown error like Lambda, and stays warm', async () => {
    const dir = fnDir({
      'app.cjs': `let n = 0; exports.handler = async () => { if (n++ === 0) throw new TypeError('bad input'); return n; };`,
    });
    const e = await boot('nodejs20.x', 'app.handler', dir);
    const o = await e.call();
    expect(o).toMatchObject({ ok: false, errorType: 'TypeError', errorMessage: 'bad input' });
    if (o.ok) throw new Error('expected an error');
    expect(o.stackTrace?.[0]).toBe('TypeError: bad input');
    expect(JSON.parse(o.body).trace[0]).toBe('TypeError: bad input');
    await waitFor(() => e.lines.some((l) => l.includes('Invoke Error')));
    const log = e.lines.find((l) => l.includes('Invoke Error')) as string;
    const [, id, level, label, doc] = log.split('\t');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect([level, label]).toEqual(['ERROR', 'Invoke Error ']);
    expect(JSON.parse(doc)).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
    expect((await e.call()).body).toBe('2');
  });

  it('fails init with Runtime.HandlerNotFound', async () => {
    const dir = fnDir({ 'app.js': 'exports.other = () => 1;' });
    const e = await boot('nodejs20.x', 'app.handler', dir);
    expect(e.init).toEqual({
      kind: 'initError',
      error: expect.objectContaining({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'app.handler is undefined or not exported',
      }),
    });
    expect((await e.env.exited).exitCode).toBe(1);
  });

  it('fails init with Runtime.ImportModuleError and Runtime.UserCodeSyntaxError', async () => {
    const missing = await boot('nodejs20.x', 'app.handler', fnDir({ 'other.js': '' }));
    expect(missing.init).toMatchObject({
      kind: 'initError',
      error: { errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module 'app'" },
    });
    const syntax = await boot(
      'nodejs20.x',
      'app.handler',
      fnDir({ 'app.mjs': 'export const handler = ) => 1;' }),
    );
    expect(syntax.init).toMatchObject({
      kind: 'initError',
      error: { errorType: 'Runtime.UserCodeSyntaxError' },
    });
    if (syntax.init.kind !== 'initError') throw new Error('expected init error');
    expect(syntax.init.error.errorMessage).toMatch(/^SyntaxError: Unexpected token/);
  });

  it('reports a throw during init with its own type and logs it with an undefined request id', async () => {
    const dir = fnDir({ 'app.js': "throw new RangeError('no config');" });
    const e = await boot('nodejs20.x', 'app.handler', dir);
    expect(e.init).toMatchObject({
      kind: 'initError',
      error: { errorType: 'RangeError', errorMessage: 'no config' },
    });
    await e.env.exited;
    expect(
      e.lines.some((l) => /\tundefined\tERROR\tUncaught Exception \t\{"errorType":"RangeError"/.test(l)),
    ).toBe(true);
  });

  it('surfaces process.exit(3) as exit info', async () => {
    const dir = fnDir({ 'app.js': 'exports.handler = async () => { process.exit(3); };' });
    const e = await boot('nodejs20.x', 'app.handler', dir);
    const outcome = e.call();
    const info = await e.env.exited;
    expect(e.lines).toEqual([]);
    expect(info).toEqual({ exitCode: 3, signal: null, oomKilled: false });
    // Nothing answered the invoke: the engine aborts it when it sees the exit.
    const race = await Promise.race([
      outcome.then(() => 'done'),
      new Promise((r) => setTimeout(() => r('pending'), 50)),
    ]);
    expect(race).toBe('pending');
  });

  it('reports an unhandled rejection as Runtime.UnhandledPromiseRejection and exits', async () => {
    const dir = fnDir({
      'app.js': `exports.handler = async () => { Promise.reject(new Error('lost')); await new Promise((r) => setTimeout(r, 100)); return 1; };`,
    });
    const e = await boot('nodejs20.x', 'app.handler', dir);
    const o = await e.call();
    expect(o).toMatchObject({
      ok: false,
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'Error: lost',
    });
    expect((await e.env.exited).exitCode).toBe(1);
  });

  it('destroy kills the environment', async () => {
    const dir = fnDir({ 'app.js': 'exports.handler = async () => 1;' });
    const e = await boot('nodejs20.x', 'app.handler', dir);
    await e.env.destroy();
    expect((await e.env.exited).signal).toBe('SIGKILL');
    await e.env.destroy(); // safe twice
  });
});

describe('process executor: Python', () => {
  it('runs a handler with context, logging and print', async () => {
    const dir = fnDir({
      'app.py': `import logging, os
logger = logging.getLogger()
def lambda_handler(event, context):
    logger.info('hello %s', 'py')
    print('plain print')
    return {'event': event, 'id': context.aws_request_id, 'name': context.function_name,
            'mem': context.memory_limit_in_mb, 'version': context.function_version,
            'remaining': context.get_remaining_time_in_millis(), 'group': context.log_group_name,
            'arn': context.invoked_function_arn, 'handler': os.environ['_HANDLER']}
`,
    });
    const e = await boot('python3.12', 'app.lambda_handler', dir);
    expect(e.init.kind).toBe('ready');
    const o = await e.call({ a: [1, 2] });
    expect(o.ok).toBe(true);
    const r = JSON.parse(o.body);
    expect(r).toMatchObject({
      event: { a: [1, 2] },
      name: 'demo-fn',
      mem: 256,
      version: '$LATEST',
      group: '/aws/lambda/demo-fn',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:demo-fn',
      handler: 'app.lambda_handler',
    });
    expect(r.remaining).toBeGreaterThan(2000);
    await waitFor(() => e.lines.includes('plain print'));
    const log = e.lines.find((l) => l.startsWith('[INFO]'));
    expect(log).toMatch(/^\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\thello py$/);
    expect(log?.split('\t')[2]).toBe(r.id);
    expect(o.logBytes).toBe(bytesOf(e.lines));
  });

  it('reports a raised exception with Lambda’s error document', async () => {
    const dir = fnDir({ 'app.py': "def lambda_handler(event, context):\n    raise ValueError('nope')\n" });
    const e = await boot('python3.11', 'app.lambda_handler', dir);
    const o = await e.call();
    expect(o).toMatchObject({ ok: false, errorType: 'ValueError', errorMessage: 'nope' });
    const doc = JSON.parse(o.body);
    expect(doc.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(doc.stackTrace.length).toBe(1);
    expect(doc.stackTrace[0]).toContain("raise ValueError('nope')");
    await waitFor(() => e.lines.includes('[ERROR] ValueError: nope'));
    expect(e.lines).toContain('Traceback (most recent call last):');
  });

  it('fails init with ImportModuleError, HandlerNotFound and UserCodeSyntaxError', async () => {
    const missing = await boot('python3.12', 'app.lambda_handler', fnDir({ 'other.py': '' }));
    expect(missing.init).toMatchObject({
      kind: 'initError',
      error: {
        errorType: 'Runtime.ImportModuleError',
        errorMessage: "Unable to import module 'app': No module named 'app'",
      },
    });
    const noHandler = await boot('python3.12', 'app.lambda_handler', fnDir({ 'app.py': 'x = 1\n' }));
    expect(noHandler.init).toMatchObject({
      kind: 'initError',
      error: {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: "Handler 'lambda_handler' missing on module 'app'",
      },
    });
    const syntax = await boot('python3.12', 'app.lambda_handler', fnDir({ 'app.py': 'def (:\n' }));
    expect(syntax.init).toMatchObject({
      kind: 'initError',
      error: { errorType: 'Runtime.UserCodeSyntaxError' },
    });
    if (syntax.init.kind !== 'initError') throw new Error('expected init error');
    expect(syntax.init.error.errorMessage).toMatch(
      /^Syntax error in module 'app': invalid syntax \(app\.py, line 1\)$/,
    );
    expect((await syntax.env.exited).exitCode).toBe(1);
  });
});

describe('process executor: provided (bash + curl)', () => {
  const BOOTSTRAP = `#!/bin/bash
set -euo pipefail
source "$LAMBDA_TASK_ROOT/$(echo $_HANDLER | cut -d. -f1).sh"
while true; do
  HEADERS="$(mktemp)"
  EVENT_DATA=$(curl -sS -LD "$HEADERS" "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  rm -f "$HEADERS"
  if RESPONSE=$($(echo "$_HANDLER" | cut -d. -f2) "$EVENT_DATA"); then
    curl -sS -o /dev/null "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" -d "$RESPONSE"
  else
    curl -sS -o /dev/null "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/error" \\
      -d '{"errorMessage":"handler failed","errorType":"Shell.Error"}'
  fi
done
`;
  it('runs the function’s own bootstrap', async () => {
    const dir = fnDir(
      {
        bootstrap: BOOTSTRAP,
        'function.sh': `handler () { echo "log from shell" 1>&2; if [ "$1" = '{"fail":true}' ]; then return 1; fi; echo "{\\"got\\":$1}"; }`,
      },
      { bootstrap: 0o755 },
    );
    const e = await boot('provided.al2023', 'function.handler', dir);
    expect(e.init.kind).toBe('ready');
    const o = await e.call({ x: 1 });
    expect(o).toMatchObject({ ok: true, body: '{"got":{"x":1}}' });
    const bad = await e.call({ fail: true });
    expect(bad).toMatchObject({ ok: false, errorType: 'Shell.Error', errorMessage: 'handler failed' });
    await waitFor(() => e.lines.includes('log from shell'));
  });

  it('reports a missing bootstrap through exited and a log line', async () => {
    const e = await boot('provided.al2', 'function.handler', fnDir({ 'function.sh': '' }));
    expect(e.init).toEqual({ kind: 'exited', info: { exitCode: null, signal: null, oomKilled: false } });
    expect(e.lines[0]).toMatch(/^Error: fork\/exec .*\/bootstrap: .*ENOENT.* Runtime\.InvalidEntrypoint$/);
  });
});
