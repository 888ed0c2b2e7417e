import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MAX_RESPONSE_BYTES,
  normalizeAddress,
  startRuntimeApi,
  type RuntimeApi,
} from '../../electron/engine/runtime/runtime-api';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:demo';
let api: RuntimeApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(): Promise<RuntimeApi> {
  api = await startRuntimeApi({ host: '127.0.0.1' });
  return api;
}

function url(a: RuntimeApi, p: string): string {
  return `http://${a.address}/2018-06-01/runtime/${p}`;
}

async function next(a: RuntimeApi): Promise<Response> {
  return fetch(url(a, 'invocation/next'));
}

function invoke(a: RuntimeApi, requestId: string, payload = '{"a":1}') {
  return a.invoke({ requestId, payload, deadlineMs: Date.now() + 3000, functionArn: ARN });
}

describe('runtime API', () => {
  it('hands out an event with Lambda headers and takes the response', async () => {
    const a = await start();
    expect(a.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const polled = next(a);
    const outcome = invoke(a, 'req-1', '{"hello":"world"}');
    const res = await polled;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('lambda-runtime-aws-request-id')).toBe('req-1');
    expect(res.headers.get('lambda-runtime-invoked-function-arn')).toBe(ARN);
    expect(Number(res.headers.get('lambda-runtime-deadline-ms'))).toBeGreaterThan(Date.now());
    expect(res.headers.get('lambda-runtime-trace-id')).toMatch(
      /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/,
    );
    expect(await res.text()).toBe('{"hello":"world"}');
    expect(typeof (await a.firstPoll)).toBe('number');

    const post = await fetch(url(a, 'invocation/req-1/response'), {
      method: 'POST',
      body: '{"ok":true}',
      headers: { 'Lambench-Log-Bytes': '1234' },
    });
    expect(post.status).toBe(202);
    expect(await post.json()).toEqual({ status: 'OK' });
    const o = await outcome;
    expect(o.ok).toBe(true);
    expect(o.body).toBe('{"ok":true}');
    expect(o.logBytes).toBe(1234);
    expect(o.receivedAt).toBeGreaterThanOrEqual(o.startedAt);
  });

  it('queues an invoke made before the poll, and passes client context and identity', async () => {
    const a = await start();
    const outcome = a.invoke({
      requestId: 'req-q',
      payload: '{}',
      deadlineMs: 1,
      functionArn: ARN,
      traceId: 'Root=1-00000001-000000000000000000000001;Parent=0000000000000001;Sampled=0',
      clientContext: '{"custom":{"k":"v"}}',
      cognitoIdentity: '{"cognitoIdentityId":"id-1"}',
    });
    const res = await next(a);
    expect(res.headers.get('lambda-runtime-aws-request-id')).toBe('req-q');
    expect(res.headers.get('lambda-runtime-trace-id')).toBe(
      'Root=1-00000001-000000000000000000000001;Parent=0000000000000001;Sampled=0',
    );
    expect(res.headers.get('lambda-runtime-client-context')).toBe('{"custom":{"k":"v"}}');
    expect(res.headers.get('lambda-runtime-cognito-identity')).toBe('{"cognitoIdentityId":"id-1"}');
    await fetch(url(a, 'invocation/req-q/response'), { method: 'POST', body: 'null' });
    expect((await outcome).body).toBe('null');
  });

  it('reports a function error with its type, message and stack', async () => {
    const a = await start();
    const outcome = invoke(a, 'req-e');
    await next(a);
    const doc = { errorMessage: 'boom', errorType: 'TypeError', stackTrace: ['TypeError: boom', '    at x'] };
    const res = await fetch(url(a, 'invocation/req-e/error'), {
      method: 'POST',
      body: JSON.stringify(doc),
      headers: { 'Lambda-Runtime-Function-Error-Type': 'Unhandled' },
    });
    expect(res.status).toBe(202);
    const o = await outcome;
    expect(o).toMatchObject({ ok: false, errorType: 'TypeError', errorMessage: 'boom' });
    if (o.ok) throw new Error('expected an error');
    expect(o.stackTrace).toEqual(['TypeError: boom', '    at x']);
    expect(JSON.parse(o.body)).toEqual(doc);
  });

  it('takes the error type from the header when the body is not JSON', async () => {
    const a = await start();
    const outcome = invoke(a, 'req-h');
    await next(a);
    await fetch(url(a, 'invocation/req-h/error'), {
      method: 'POST',
      body: 'plain text',
      headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.Custom' },
    });
    const o = await outcome;
    expect(o).toMatchObject({ ok: false, errorType: 'Runtime.Custom', errorMessage: 'plain text' });
    expect('logBytes' in o).toBe(false); // runtimes that do not count send no header
  });

  it('resolves initError on /init/error', async () => {
    const a = await start();
    const doc = {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'app.handler is undefined or not exported',
    };
    const res = await fetch(url(a, 'init/error'), { method: 'POST', body: JSON.stringify(doc) });
    expect(res.status).toBe(202);
    expect(await a.initError).toEqual(doc);
  });

  it('answers 400 for an unknown id and for a second answer', async () => {
    const a = await start();
    const unknown = await fetch(url(a, 'invocation/nope/response'), { method: 'POST', body: '1' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      errorMessage: 'Invalid request ID',
      errorType: 'InvalidRequestID',
    });

    const outcome = invoke(a, 'req-2');
    await next(a);
    await fetch(url(a, 'invocation/req-2/response'), { method: 'POST', body: '1' });
    expect((await outcome).body).toBe('1');
    const again = await fetch(url(a, 'invocation/req-2/response'), { method: 'POST', body: '2' });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { errorType: string }).errorType).toBe('InvalidStateTransition');
  });

  it('answers 404 for an unknown path', async () => {
    const a = await start();
    const res = await fetch(`http://${a.address}/2018-06-01/runtime/whatever`);
    expect(res.status).toBe(404);
    const other = await fetch(`http://${a.address}/2020-01-01/extension/register`, { method: 'POST' });
    expect(other.status).toBe(404);
  });

  it('refuses callers that fail the check, and the check can be set later', async () => {
    const a = await start();
    const seen: string[] = [];
    a.setCallerCheck((addr) => {
      seen.push(addr);
      return addr === '10.0.0.9';
    });
    const outcome = invoke(a, 'req-3');
    const res = await next(a);
    expect(res.status).toBe(403);
    expect(seen).toEqual(['127.0.0.1']);
    a.setCallerCheck((addr) => addr === '127.0.0.1');
    const ok = await next(a);
    expect(ok.headers.get('lambda-runtime-aws-request-id')).toBe('req-3');
    await fetch(url(a, 'invocation/req-3/response'), { method: 'POST', body: '"done"' });
    expect((await outcome).body).toBe('"done"');
  });

  it('holds requests made before the caller is known, then serves them', async () => {
    api = await startRuntimeApi({ host: '127.0.0.1', allowCaller: 'hold' });
    const a = api;
    const polled = next(a);
    const initErr = fetch(url(a, 'init/error'), {
      method: 'POST',
      body: '{"errorType":"X","errorMessage":"y"}',
    });
    const outcome = invoke(a, 'req-held');
    await new Promise((r) => setTimeout(r, 50));
    const early = await Promise.race([polled.then(() => 'answered'), Promise.resolve('held')]);
    expect(early).toBe('held');
    a.setCallerCheck((addr) => addr === '127.0.0.1');
    expect((await polled).headers.get('lambda-runtime-aws-request-id')).toBe('req-held');
    expect((await initErr).status).toBe(202);
    expect(await a.initError).toEqual({ errorType: 'X', errorMessage: 'y' });
    await fetch(url(a, 'invocation/req-held/response'), { method: 'POST', body: '"ok"' });
    expect((await outcome).body).toBe('"ok"');
  });

  it('tells when the runtime drops its waiting /next poll, and only then', async () => {
    const a = await start();
    let gone = 0;
    a.onRuntimeGone(() => gone++);
    // A poll that gets its event is not a runtime going away.
    const outcome = invoke(a, 'req-1');
    await next(a);
    await fetch(url(a, 'invocation/req-1/response'), { method: 'POST', body: '1' });
    await outcome;
    expect(gone).toBe(0);
    const abort = new AbortController();
    const dropped = fetch(url(a, 'invocation/next'), { signal: abort.signal }).catch(() => 'dropped');
    await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    expect(await dropped).toBe('dropped');
    await expect.poll(() => gone).toBe(1);
    // Nor is a poll that close() ends.
    const hanging = next(a).catch(() => 'closed');
    await new Promise((r) => setTimeout(r, 20));
    await a.close();
    api = undefined;
    await hanging;
    expect(gone).toBe(1);
  });

  it('normalizes IPv4-mapped IPv6 addresses', () => {
    expect(normalizeAddress('::ffff:172.17.0.2')).toBe('172.17.0.2');
    expect(normalizeAddress('::1')).toBe('::1');
    expect(normalizeAddress(undefined)).toBe('');
  });

  it('turns a response over 6 MB into Function.ResponseSizeTooLarge and answers 413', async () => {
    const a = await start();
    const outcome = invoke(a, 'req-big');
    await next(a);
    const body = Buffer.alloc(MAX_RESPONSE_BYTES + 1, 'a');
    const status = await new Promise<number | string>((resolve) => {
      const [host, port] = a.address.split(':');
      const req = http.request({
        host,
        port: Number(port),
        method: 'POST',
        path: '/2018-06-01/runtime/invocation/req-big/response',
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      // The server closes the socket once it has answered; a write may see the reset first.
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      req.end(body);
    });
    expect([413, 'EPIPE', 'ECONNRESET']).toContain(status);
    const o = await outcome;
    expect(o).toMatchObject({
      ok: false,
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
  });

  it('accepts a response of exactly 6291556 bytes', async () => {
    const a = await start();
    const outcome = invoke(a, 'req-max');
    await next(a);
    const res = await fetch(url(a, 'invocation/req-max/response'), {
      method: 'POST',
      body: Buffer.alloc(MAX_RESPONSE_BYTES, 'b'),
    });
    expect(res.status).toBe(202);
    const o = await outcome;
    expect(o.ok).toBe(true);
    expect(o.body.length).toBe(MAX_RESPONSE_BYTES);
  });

  it('abort resolves an in-flight or queued invoke, and a late answer is refused', async () => {
    const a = await start();
    const queued = invoke(a, 'req-queued');
    a.abort('req-queued', {
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 3.00 seconds',
    });
    expect(await queued).toMatchObject({ ok: false, errorType: 'Sandbox.Timedout' });

    const inflight = invoke(a, 'req-slow');
    await next(a);
    a.abort('req-slow', {
      errorType: 'Runtime.ExitError',
      errorMessage: 'Runtime exited with error: exit status 1',
    });
    const o = await inflight;
    expect(o).toMatchObject({ ok: false, errorType: 'Runtime.ExitError' });
    expect(JSON.parse(o.body)).toEqual({
      errorMessage: 'Runtime exited with error: exit status 1',
      errorType: 'Runtime.ExitError',
    });
    const late = await fetch(url(a, 'invocation/req-slow/response'), { method: 'POST', body: '1' });
    expect(late.status).toBe(400);
    expect(((await late.json()) as { errorType: string }).errorType).toBe('InvalidStateTransition');
  });

  it('ends a hanging /next on close and fails in-flight invokes', async () => {
    const a = await start();
    const inflight = invoke(a, 'never');
    expect((await next(a)).headers.get('lambda-runtime-aws-request-id')).toBe('never');
    const hanging = next(a).then(
      (r) => r.status,
      () => 'closed',
    );
    await new Promise((r) => setTimeout(r, 20));
    await a.close();
    api = undefined;
    expect([410, 'closed']).toContain(await hanging);
    expect(await inflight).toMatchObject({ ok: false, errorType: 'Runtime.Unknown' });
    expect(await invoke(a, 'after')).toMatchObject({ ok: false, errorType: 'Runtime.Unknown' });
  });
});
