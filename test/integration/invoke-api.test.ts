/**
 * The Lambda Invoke API against a real engine and real containers, driven by the real clients:
 * @aws-sdk/client-lambda (typed exceptions, FunctionError, Tail) and the aws CLI; then asynchronous
 * invocation: retries, dead letters and destinations in the store, and a restart that loses nothing.
 */
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
  TooManyRequestsException,
  RequestTooLargeException,
  InvalidRequestContentException,
  ServiceException,
} from '@aws-sdk/client-lambda';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine, type Engine } from '../../electron/engine/engine';
import type { AsyncEventDetail } from '../../shared/api/async';
import { ensureLocalImages, LOCAL_IMAGES_JSON } from '../support/images.js';
import { startTestEngine, until, type TestEngine } from '../fixtures/functions/engine-harness';

const FIXTURE = path.resolve('test/fixtures/projects/invoke-api');
const FAST = { retryDelaysMs: [50, 100] as [number, number], throttleDelayMs: 20 };
const text = new TextDecoder();
const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

let t: TestEngine;
let url: string;
let lambda: LambdaClient;
let projectId: number;

function sdk(endpoint: string, accessKeyId = 'test'): LambdaClient {
  // maxAttempts 1: the SDK retries throttles by itself, and the test wants to see the first answer.
  return new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

function copyFixture(root: string): string {
  const dir = path.join(root, 'invoke-api');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  t = await startTestEngine([], { async: FAST });
  projectId = (await t.client.call('projects:open', { path: copyFixture(t.root) })).id;
  const status = await t.engine.services.invokeApi.start(t.engine.services.settings.get(), {
    port: 0,
    enabled: true,
  });
  url = status.url!;
  lambda = sdk(url);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await t?.close();
});

async function settled(engine: Engine, eventId: string, ms = 30_000): Promise<AsyncEventDetail> {
  return until(
    () => {
      const e = engine.services.asyncEvents.get(eventId);
      return e && (e.status === 'succeeded' || e.status === 'failed') ? e : undefined;
    },
    `event ${eventId} to finish`,
    ms,
  );
}

describe('synchronous Invoke through the SDK', () => {
  it('runs the function by logical id, FunctionName or ARN, with its client context', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { who: 'sdk' } })).toString('base64');
    for (const name of ['Echo', 'echo-fn', 'arn:aws:lambda:us-east-1:123456789012:function:echo-fn']) {
      const r = await lambda.send(
        new InvokeCommand({ FunctionName: name, Payload: bytes({ n: 1 }), ClientContext: clientContext }),
      );
      expect(r.StatusCode).toBe(200);
      expect(r.FunctionError).toBeUndefined();
      expect(r.ExecutedVersion).toBe('$LATEST');
      const body = JSON.parse(text.decode(r.Payload));
      expect(body.event).toEqual({ n: 1 });
      expect(body.clientContext).toEqual({ custom: { who: 'sdk' } });
      expect(body.arn).toBe('arn:aws:lambda:us-east-1:123456789012:function:echo-fn');
    }
    const withQualifier = await lambda.send(
      new InvokeCommand({ FunctionName: 'Echo', Qualifier: '$LATEST', Payload: bytes({}) }),
    );
    expect(JSON.parse(text.decode(withQualifier.Payload)).arn).toMatch(/:function:echo-fn:\$LATEST$/);
    // Every call is in History, as an API invocation.
    const page = await t.client.call('history:list', { projectId, functionId: 'Echo' });
    expect(page.rows.length).toBeGreaterThanOrEqual(4);
    expect(page.rows[0]).toMatchObject({ trigger: 'api', invocationType: 'RequestResponse' });
  });

  it('returns a function error as FunctionError Unhandled with Lambda’s error body', async () => {
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'Fails', Payload: bytes({ n: 7 }) }));
    expect(r.StatusCode).toBe(200);
    expect(r.FunctionError).toBe('Unhandled');
    const body = JSON.parse(text.decode(r.Payload));
    expect(body).toMatchObject({ errorType: 'Error', errorMessage: 'boom 7' });
    expect(Array.isArray(body.stackTrace)).toBe(true);
  });

  it('returns the log tail, base64, with START, END and REPORT', async () => {
    const r = await lambda.send(
      new InvokeCommand({ FunctionName: 'Echo', LogType: 'Tail', Payload: bytes({}) }),
    );
    const log = Buffer.from(r.LogResult!, 'base64').toString('utf8');
    expect(log).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST/m);
    expect(log).toMatch(/\tINFO\techo \{\}/);
    expect(log).toMatch(/^END RequestId: /m);
    expect(log).toMatch(/^REPORT RequestId: .*\tDuration: \d+\.\d\d ms/m);
    expect(Buffer.from(r.LogResult!, 'base64').length).toBeLessThanOrEqual(4096);
  });

  it('throttles beyond reserved concurrency as TooManyRequestsException', async () => {
    const calls = [0, 1].map((i) =>
      lambda.send(new InvokeCommand({ FunctionName: 'Slow', Payload: bytes({ ms: 1500 + i }) })).then(
        (r) => ({ ok: r }),
        (error: unknown) => ({ error }),
      ),
    );
    const outcomes = await Promise.all(calls);
    const failed = outcomes.filter((o) => 'error' in o);
    expect(outcomes.filter((o) => 'ok' in o)).toHaveLength(1);
    expect(failed).toHaveLength(1);
    const error = (failed[0] as { error: TooManyRequestsException }).error;
    expect(error).toBeInstanceOf(TooManyRequestsException);
    expect(error.$metadata.httpStatusCode).toBe(429);
    expect(error.Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(error.Type).toBe('User');
  });

  it('answers an unknown function or a qualifier that does not exist with ResourceNotFoundException', async () => {
    for (const input of [{ FunctionName: 'Nope' }, { FunctionName: 'Echo', Qualifier: '7' }]) {
      const error = await lambda.send(new InvokeCommand({ ...input, Payload: bytes({}) })).catch((e) => e);
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.$metadata.httpStatusCode).toBe(404);
      expect(error.message).toMatch(/^Function not found: arn:aws:lambda:us-east-1:123456789012:function:/);
    }
  });

  it('refuses 7 MB synchronously and 1.5 MB asynchronously with RequestTooLargeException', async () => {
    const big = (mb: number) => bytes({ pad: 'x'.repeat(mb * 1024 * 1024) });
    const sync = await lambda
      .send(new InvokeCommand({ FunctionName: 'Echo', Payload: big(7) }))
      .catch((e) => e);
    expect(sync).toBeInstanceOf(RequestTooLargeException);
    expect(sync.$metadata.httpStatusCode).toBe(413);
    const event = await lambda
      .send(new InvokeCommand({ FunctionName: 'Echo', InvocationType: 'Event', Payload: big(1.5) }))
      .catch((e) => e);
    expect(event).toBeInstanceOf(RequestTooLargeException);
    expect(event.message).toContain('1048576 bytes for the InvokeAsync operation');
  });

  it('refuses a payload that is not JSON with InvalidRequestContentException', async () => {
    const error = await lambda
      .send(new InvokeCommand({ FunctionName: 'Echo', Payload: new TextEncoder().encode('{not json') }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestContentException);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('answers DryRun with 204 and runs nothing', async () => {
    const before = (await t.client.call('history:list', { projectId, functionId: 'Echo' })).rows.length;
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'Echo', InvocationType: 'DryRun' }));
    expect(r.StatusCode).toBe(204);
    expect((await t.client.call('history:list', { projectId, functionId: 'Echo' })).rows.length).toBe(before);
  });

  it('lists and describes the open projects’ functions', async () => {
    const list = await lambda.send(new ListFunctionsCommand({}));
    const names = list.Functions!.map((f) => f.FunctionName);
    expect(names).toEqual(expect.arrayContaining(['echo-fn', 'Fails', 'Slow', 'SecondTime', 'NoRetry']));
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'Slow' }));
    expect(fn.Configuration).toMatchObject({
      FunctionName: 'Slow',
      Runtime: 'nodejs22.x',
      Handler: 'app.slow',
      MemorySize: 256,
      Timeout: 10,
      State: 'Active',
      Version: '$LATEST',
    });
    expect(fn.Concurrency?.ReservedConcurrentExecutions).toBe(1);
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo-fn' }));
    expect(config.FunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:echo-fn');
    const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect(page.Functions).toHaveLength(2);
    expect(page.NextMarker).toBeDefined();
  });

  it('refuses requests from a web page (a foreign Origin) and checks the access key id when one is set', async () => {
    const fromPage = await fetch(`${url}/2015-03-31/functions/Echo/invocations`, {
      method: 'POST',
      body: '{}',
      headers: { Origin: 'https://evil.example' },
    });
    expect(fromPage.status).toBe(403);
    expect(fromPage.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    const api = t.engine.services.invokeApi;
    const keyed = await api.start(
      { ...t.engine.services.settings.get(), invokeApiAccessKeyId: 'LAMBENCHKEY' },
      {
        port: 0,
      },
    );
    const wrong = sdk(keyed.url!, 'SOMEONEELSE');
    const right = sdk(keyed.url!, 'LAMBENCHKEY');
    try {
      const denied = await wrong
        .send(new InvokeCommand({ FunctionName: 'Echo', Payload: bytes({}) }))
        .catch((e) => e);
      expect(denied.name).toBe('UnrecognizedClientException');
      expect(denied.$metadata.httpStatusCode).toBe(403);
      const ok = await right.send(new InvokeCommand({ FunctionName: 'Echo', Payload: bytes({}) }));
      expect(ok.StatusCode).toBe(200);
    } finally {
      wrong.destroy();
      right.destroy();
      url = (await api.start(t.engine.services.settings.get(), { port: 0, enabled: true })).url!;
      lambda.destroy();
      lambda = sdk(url);
    }
  });

  it('reports a port in use and keeps running', async () => {
    const taken = Number(new URL(url).port);
    const other = await createEngine({ home: path.join(t.root, 'home-port') });
    try {
      const status = await other.services.invokeApi.start(other.services.settings.get(), { port: taken });
      expect(status.url).toBeUndefined();
      expect(status.error).toContain(`Port ${taken} is in use`);
      expect((await other.handlers['invokeApi:status'](undefined)).error).toContain('in use');
    } finally {
      await other.close();
    }
  });
});

describe('InvokeWithResponseStream', () => {
  it('streams an awslambda.streamifyResponse handler chunk by chunk, and records the whole response', async () => {
    const r = await lambda.send(
      new InvokeWithResponseStreamCommand({ FunctionName: 'Streams', Payload: bytes({}), LogType: 'Tail' }),
    );
    expect(r.StatusCode).toBe(200);
    expect(r.ExecutedVersion).toBe('$LATEST');
    const chunks: { text: string; at: number }[] = [];
    let complete: { ErrorCode?: string; LogResult?: string } | undefined;
    for await (const event of r.EventStream!) {
      if (event.PayloadChunk?.Payload)
        chunks.push({ text: text.decode(event.PayloadChunk.Payload), at: Date.now() });
      if (event.InvokeComplete) complete = event.InvokeComplete;
    }
    expect(chunks.map((c) => c.text).join('')).toBe('chunk 0\nchunk 1\nchunk 2\ndone\n');
    // Chunk by chunk: the first arrived well before the last was written.
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks[chunks.length - 1].at - chunks[0].at).toBeGreaterThanOrEqual(500);
    expect(complete?.ErrorCode).toBeUndefined();
    expect(Buffer.from(complete!.LogResult!, 'base64').toString()).toContain('REPORT RequestId:');
    const [row] = (await t.client.call('history:list', { projectId, functionId: 'Streams', limit: 1 })).rows;
    const detail = await t.client.call('history:get', { invocationId: row.invocationId });
    expect(detail).toMatchObject({ status: 'success', response: 'chunk 0\nchunk 1\nchunk 2\ndone\n' });
  });

  it('ends a stream that fails midway with InvokeComplete’s ErrorCode', async () => {
    const r = await lambda.send(
      new InvokeWithResponseStreamCommand({ FunctionName: 'Streams', Payload: bytes({ fail: true }) }),
    );
    let got = '';
    let complete: { ErrorCode?: string; ErrorDetails?: string } | undefined;
    for await (const event of r.EventStream!) {
      if (event.PayloadChunk?.Payload) got += text.decode(event.PayloadChunk.Payload);
      if (event.InvokeComplete) complete = event.InvokeComplete;
    }
    expect(got).toBe('chunk 0\nchunk 1\nchunk 2\n');
    expect(complete).toMatchObject({ ErrorCode: 'Error', ErrorDetails: 'broke mid-stream' });
  });

  it('sends a buffered handler’s response as one chunk', async () => {
    const r = await lambda.send(
      new InvokeWithResponseStreamCommand({ FunctionName: 'Echo', Payload: bytes({ a: 1 }) }),
    );
    let got = '';
    for await (const event of r.EventStream!)
      if (event.PayloadChunk?.Payload) got += text.decode(event.PayloadChunk.Payload);
    expect(JSON.parse(got).event).toEqual({ a: 1 });
  });
});

describe('asynchronous Invoke', () => {
  it('accepts with 202, retries twice, then dead-letters, one History row per attempt', async () => {
    const r = await lambda.send(
      new InvokeCommand({ FunctionName: 'Fails', InvocationType: 'Event', Payload: bytes({ n: 3 }) }),
    );
    expect(r.StatusCode).toBe(202);
    const eventId = r.$metadata.requestId!;
    const e = await settled(t.engine, eventId);
    expect(e).toMatchObject({
      status: 'failed',
      attempts: 3,
      condition: 'RetriesExhausted',
      destinationType: 'DeadLetterQueue',
      destinationTarget: 'arn:aws:sqs:us-east-1:123456789012:fails-dlq',
      lastErrorType: 'Error',
      lastErrorMessage: 'boom 3',
    });
    expect(e.attemptsRun.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'error'],
      [2, 'error'],
      [3, 'error'],
    ]);
    expect(JSON.parse(e.destination!)).toMatchObject({
      body: '{"n":3}',
      messageAttributes: { RequestID: eventId, ErrorCode: '200' },
    });
    // Each attempt is its own row, typed Event, and all share the event's request id, as on Lambda.
    const rows = (
      await t.client.call('history:list', { projectId, functionId: 'Fails', limit: 10 })
    ).rows.filter((row) => row.asyncEventId === eventId);
    expect(rows.map((row) => row.attempt).sort()).toEqual([1, 2, 3]);
    expect(new Set(rows.map((row) => row.requestId))).toEqual(new Set([eventId]));
    expect(rows.every((row) => row.invocationType === 'Event' && row.trigger === 'api')).toBe(true);
    const failed = await t.client.call('async:list', { status: ['failed'] });
    expect(failed.map((f) => f.eventId)).toContain(eventId);
  });

  it('records the OnSuccess destination after a retry that works', async () => {
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'SecondTime', InvocationType: 'Event' }));
    const e = await settled(t.engine, r.$metadata.requestId!);
    expect(e).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      condition: 'Success',
      destinationType: 'OnSuccess',
    });
    expect(JSON.parse(e.destination!)).toMatchObject({
      version: '1.0',
      requestContext: {
        requestId: r.$metadata.requestId,
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:SecondTime:$LATEST',
        condition: 'Success',
        approximateInvokeCount: 2,
      },
      requestPayload: {},
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { ok: 'second time' },
    });
  });

  it('honours MaximumRetryAttempts 0 and records OnFailure; redrive runs it again', async () => {
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'NoRetry', InvocationType: 'Event' }));
    const eventId = r.$metadata.requestId!;
    const e = await settled(t.engine, eventId);
    expect(e).toMatchObject({ status: 'failed', attempts: 1, destinationType: 'OnFailure' });
    const record = JSON.parse(e.destination!);
    expect(record.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 1 });
    expect(record.responseContext).toMatchObject({ functionError: 'Unhandled' });
    expect(record.responsePayload).toMatchObject({ errorMessage: 'boom', errorType: 'Error' });

    const redriven = await t.client.call('async:redrive', { eventId });
    expect(redriven.status).toBe('queued');
    await until(() => {
      const again = t.engine.services.asyncEvents.get(eventId);
      return again?.status === 'failed' && again.redrives === 1 ? again : undefined;
    }, 'the redriven event to fail again');
    const detail = await t.client.call('async:get', { eventId });
    expect(detail.attemptsRun).toHaveLength(2);
    await t.client.call('async:delete', { eventId });
    await expect(t.client.call('async:get', { eventId })).rejects.toMatchObject({
      name: 'AsyncEventNotFound',
    });
  });

  it('queues throttled events and runs them when the function is free', async () => {
    const first = lambda.send(new InvokeCommand({ FunctionName: 'Slow', Payload: bytes({ ms: 800 }) }));
    await until(
      () => t.engine.services.pool.warmCounts()[`${projectId}/Slow`] !== undefined || undefined,
      'Slow to run',
    );
    const accepted = await lambda.send(
      new InvokeCommand({ FunctionName: 'Slow', InvocationType: 'Event', Payload: bytes({ ms: 10 }) }),
    );
    await first;
    const e = await settled(t.engine, accepted.$metadata.requestId!);
    expect(e.status).toBe('succeeded');
    // Throttles do not count as attempts: the function ran once.
    expect(e.attempts).toBe(1);
    expect(e.throttles).toBeGreaterThanOrEqual(1);
    const rows = e.attemptsRun.map((a) => a.status);
    expect(rows).toContain('throttled');
    expect(rows[rows.length - 1]).toBe('success');
  });

  it('functions:invoke with invocationType Event resolves with the first attempt', async () => {
    const r = await t.client.call('functions:invoke', {
      projectId,
      functionId: 'Fails',
      payload: '{"n":1}',
      invocationType: 'Event',
    });
    expect(r).toMatchObject({ invocationType: 'Event', attempt: 1, status: 'error' });
    expect(r.asyncEventId).toBe(r.requestId);
    await settled(t.engine, r.asyncEventId!);
  });
});

describe('a restart mid-retry', () => {
  it('loses no queued event: the next engine on the same home finishes it', async () => {
    await ensureLocalImages();
    process.env.LAMBENCH_IMAGES = LOCAL_IMAGES_JSON;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-restart-'));
    fs.chmodSync(root, 0o755);
    const home = path.join(root, 'home');
    const dir = copyFixture(root);
    // The first engine waits a long time before the retry; it is closed while the event waits.
    const first = await createEngine({ home, async: { retryDelaysMs: [60_000, 60_000] } });
    let eventId: string;
    try {
      const project = await createDirectClient(first).call('projects:open', { path: dir });
      const r = await createDirectClient(first).call('functions:invoke', {
        projectId: project.id,
        functionId: 'Fails',
        payload: '{"n":9}',
        invocationType: 'Event',
      });
      eventId = r.asyncEventId!;
      // (On a busy machine the first try may not get an environment: that is retried within a second.)
      const waiting = await until(
        () => {
          const e = first.services.asyncEvents.get(eventId);
          return e?.status === 'queued' && e.attempts === 1 ? e : undefined;
        },
        'the first attempt to fail',
        30_000,
      );
      expect(waiting.nextAttemptAt! - Date.now()).toBeGreaterThan(30_000);
    } finally {
      await first.close();
    }
    const second = await createEngine({ home, async: { retryDelaysMs: [50, 50] } });
    try {
      // The stored retry time stands (the policy of the engine that queued it); make it due now.
      second.services.db.prepare('UPDATE async_events SET next_attempt_at = 0 WHERE id = ?').run(eventId);
      second.services.asyncInvoker.wake();
      const e = await settled(second, eventId, 60_000);
      expect(e).toMatchObject({ status: 'failed', attempts: 3 });
      const ran = e.attemptsRun.filter((a) => a.status === 'error');
      expect(ran.map((a) => a.attempt)).toEqual([1, 2, 3]);
    } finally {
      await second.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('Docker unreachable', () => {
  it('answers ServiceException (500)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-nodocker-'));
    const home = path.join(root, 'home');
    const setup = await createEngine({ home });
    await setup.handlers['settings:update']({ partial: { dockerEndpoint: `unix://${root}/no-docker.sock` } });
    await setup.close();
    const engine = await createEngine({ home });
    const client = createDirectClient(engine);
    await client.call('projects:open', { path: copyFixture(root) });
    const status = await engine.services.invokeApi.start(engine.services.settings.get(), {
      port: 0,
      enabled: true,
    });
    const down = sdk(status.url!);
    try {
      const error = await down
        .send(new InvokeCommand({ FunctionName: 'Echo', Payload: bytes({}) }))
        .catch((e) => e);
      expect(error).toBeInstanceOf(ServiceException);
      expect(error.$metadata.httpStatusCode).toBe(500);
      expect(error.message).toMatch(/no-docker\.sock|Docker/);
    } finally {
      down.destroy();
      await engine.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

const hasAws = (() => {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasAws)
  console.warn('invoke-api.test: SKIPPING the aws CLI tests: `aws` is not on PATH (apt-get install awscli)');

describe.skipIf(!hasAws)('the aws CLI (skipped when `aws` is not installed)', () => {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  const aws = (...args: string[]) =>
    promisify(execFile)('aws', ['lambda', ...args, '--endpoint-url', url], { env, encoding: 'utf8' });

  it('aws lambda invoke writes the response and the status', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-awscli-'));
    fs.writeFileSync(path.join(dir, 'event.json'), '{"from":"cli"}');
    const out = path.join(dir, 'out.json');
    const { stdout } = await aws(
      'invoke',
      '--function-name',
      'echo-fn',
      '--payload',
      `fileb://${path.join(dir, 'event.json')}`,
      '--log-type',
      'Tail',
      out,
    );
    const printed = JSON.parse(stdout);
    expect(printed.StatusCode).toBe(200);
    expect(Buffer.from(printed.LogResult, 'base64').toString()).toContain('REPORT RequestId:');
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).event).toEqual({ from: 'cli' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('aws lambda list-functions lists them', async () => {
    const { stdout } = await aws('list-functions');
    const names = JSON.parse(stdout).Functions.map((f: { FunctionName: string }) => f.FunctionName);
    expect(names).toEqual(expect.arrayContaining(['echo-fn', 'Fails']));
  });
});
