/**
 * The local API Gateway against real containers: SAM hello-worlds with Api (REST, payload 1.0) and HttpApi
 * (payload 2.0) events, driven with Node's fetch. The echo functions return the event they received, which
 * is compared field by field with API Gateway's documented shapes.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTriggerEngine, type TriggerEngine } from '../support/trigger-projects';

let t: TriggerEngine;
let base: string;

/** A proxy event (or result) as JSON: the tests walk it field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const body = async (res: Response | Promise<Response>): Promise<Json> => (await (await res).json()) as Json;

beforeAll(async () => {
  t = await startTriggerEngine(['hello-api', 'hello-httpapi']);
  const http = await t.engine.services.triggers.startHttp(0);
  expect(http.error).toBeUndefined();
  base = http.url!;
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const apiId = /^[a-z0-9]{10}$/;
const requestTime = /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/;

describe('REST API (Api events, payload format 1.0)', () => {
  it('sends the documented proxy event and maps the proxy result back', async () => {
    const before = Date.now();
    const res = await fetch(`${base}/hello?name=Ada&tag=a&tag=b`, {
      headers: { 'X-Custom': 'one', Accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const requestId = res.headers.get('x-amzn-requestid');
    expect(requestId).toMatch(uuid);
    const event = await body(res);
    expect(Object.keys(event).sort()).toEqual(
      [
        'body',
        'headers',
        'httpMethod',
        'isBase64Encoded',
        'multiValueHeaders',
        'multiValueQueryStringParameters',
        'path',
        'pathParameters',
        'queryStringParameters',
        'requestContext',
        'resource',
        'stageVariables',
      ].sort(),
    );
    expect(event).toMatchObject({
      resource: '/hello',
      path: '/hello',
      httpMethod: 'GET',
      queryStringParameters: { name: 'Ada', tag: 'b' },
      multiValueQueryStringParameters: { name: ['Ada'], tag: ['a', 'b'] },
      pathParameters: null,
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
    });
    // Header names keep the client's casing; API Gateway adds the X-Forwarded ones.
    expect(event.headers['X-Custom']).toBe('one');
    expect(event.multiValueHeaders['X-Custom']).toEqual(['one']);
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
    expect(event.headers['X-Forwarded-Port']).toBe(new URL(base).port);
    expect(event.headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(event.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    const rc = event.requestContext;
    expect(Object.keys(rc).sort()).toEqual(
      [
        'accountId',
        'apiId',
        'domainName',
        'domainPrefix',
        'extendedRequestId',
        'httpMethod',
        'identity',
        'path',
        'protocol',
        'requestId',
        'requestTime',
        'requestTimeEpoch',
        'resourceId',
        'resourcePath',
        'stage',
      ].sort(),
    );
    expect(rc).toMatchObject({
      accountId: '123456789012',
      httpMethod: 'GET',
      path: '/Prod/hello',
      protocol: 'HTTP/1.1',
      requestId,
      resourcePath: '/hello',
      stage: 'Prod',
      domainName: new URL(base).host,
      domainPrefix: '127',
    });
    expect(rc.apiId).toMatch(apiId);
    expect(rc.requestTime).toMatch(requestTime);
    expect(rc.requestTimeEpoch).toBeGreaterThanOrEqual(before - 1);
    expect(rc.requestTimeEpoch).toBeLessThanOrEqual(Date.now());
    expect(rc.identity).toEqual({
      accessKey: null,
      accountId: null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: '127.0.0.1',
      user: null,
      userAgent: event.headers['user-agent'],
      userArn: null,
    });
  });

  it('fills path parameters, greedy ones with their slashes', async () => {
    const item = await body(
      fetch(`${base}/items/42`, {
        method: 'POST',
        body: '{"n":1}',
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    expect(item).toMatchObject({
      resource: '/items/{id}',
      path: '/items/42',
      httpMethod: 'POST',
      pathParameters: { id: '42' },
      body: '{"n":1}',
      isBase64Encoded: false,
    });
    const files = await body(fetch(`${base}/files/a/b%20c/d.txt`, { method: 'DELETE' }));
    expect(files.pathParameters).toEqual({ proxy: 'a/b c/d.txt' });
    expect(files.resource).toBe('/files/{proxy+}');
    expect(files.httpMethod).toBe('DELETE');
  });

  it('passes binary media types base64-encoded both ways', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10, 0x80]);
    const res = await fetch(`${base}/binary`, {
      method: 'POST',
      body: bytes,
      headers: { 'Content-Type': 'image/png' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    const history = await t.client.call('history:list', {
      projectId: t.projects['hello-api'],
      functionId: 'BinaryFunction',
    });
    const detail = await t.client.call('history:get', { invocationId: history.rows[0].invocationId });
    const event = JSON.parse(detail.event!);
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, 'base64')).toEqual(bytes);
  });

  it('answers failures as API Gateway does: 502, 504, 429', async () => {
    const fail = await fetch(`${base}/fail`);
    expect(fail.status).toBe(502);
    expect(await fail.json()).toEqual({ message: 'Internal server error' });
    const malformed = await fetch(`${base}/malformed`);
    expect(malformed.status).toBe(502);
    expect(await malformed.json()).toEqual({ message: 'Internal server error' });
    const slow = await fetch(`${base}/slow`);
    expect(slow.status).toBe(504);
    expect(await slow.json()).toEqual({ message: 'Endpoint request timed out' });
    const throttled = await fetch(`${base}/throttled`);
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toEqual({ message: 'Too Many Requests' });
  }, 30_000);

  it('answers the CORS preflight from the template without invoking', async () => {
    const res = await fetch(`${base}/hello`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example.com',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'x-custom',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type,X-Custom');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('records each request in History with trigger http and its route, and reuses the warm environment', async () => {
    await fetch(`${base}/hello`);
    await fetch(`${base}/hello`);
    const page = await t.client.call('history:list', {
      projectId: t.projects['hello-api'],
      trigger: 'http',
      triggerSource: 'GET /hello',
    });
    expect(page.rows.length).toBeGreaterThanOrEqual(3);
    expect(page.rows.every((r) => r.trigger === 'http' && r.triggerSource === 'GET /hello')).toBe(true);
    expect(page.rows[0].coldStart).toBe(false);
    expect(page.rows[1].coldStart).toBe(false);
  });
});

describe('HTTP API (HttpApi events, payload format 2.0)', () => {
  it('sends the documented 2.0 event and returns a plain object as a JSON body', async () => {
    const before = Date.now();
    const res = await fetch(`${base}/hello/Ada?x=1&x=2&y=z`, {
      headers: { Cookie: 'a=1; b=2', 'X-Multi': 'v1' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const requestId = res.headers.get('apigw-requestid');
    expect(requestId).toMatch(/^[A-Za-z0-9+/]{14}[A-Za-z0-9+/=]{2}$/);
    const event = await body(res);
    expect(Object.keys(event).sort()).toEqual(
      [
        'version',
        'routeKey',
        'rawPath',
        'rawQueryString',
        'cookies',
        'headers',
        'queryStringParameters',
        'requestContext',
        'pathParameters',
        'isBase64Encoded',
      ].sort(),
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /hello/{name}',
      rawPath: '/hello/Ada',
      rawQueryString: 'x=1&x=2&y=z',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { x: '1,2', y: 'z' },
      pathParameters: { name: 'Ada' },
      isBase64Encoded: false,
    });
    // Lower-case names; the cookie header moved to `cookies`.
    expect(event.headers['x-multi']).toBe('v1');
    expect(event.headers.cookie).toBeUndefined();
    expect(Object.keys(event.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(event.headers['x-forwarded-proto']).toBe('http');
    const rc = event.requestContext;
    expect(Object.keys(rc).sort()).toEqual(
      [
        'accountId',
        'apiId',
        'domainName',
        'domainPrefix',
        'http',
        'requestId',
        'routeKey',
        'stage',
        'time',
        'timeEpoch',
      ].sort(),
    );
    expect(rc).toMatchObject({
      accountId: '123456789012',
      domainName: new URL(base).host,
      requestId,
      routeKey: 'GET /hello/{name}',
      stage: '$default',
      http: {
        method: 'GET',
        path: '/hello/Ada',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: event.headers['user-agent'],
      },
    });
    expect(rc.apiId).toMatch(apiId);
    expect(rc.time).toMatch(requestTime);
    expect(rc.timeEpoch).toBeGreaterThanOrEqual(before - 1);
  });

  it('routes greedy paths and the $default catch-all, and leaves absent fields out', async () => {
    const greedy = await body(fetch(`${base}/assets/css/site.css`, { method: 'PATCH' }));
    expect(greedy.routeKey).toBe('ANY /assets/{proxy+}');
    expect(greedy.pathParameters).toEqual({ proxy: 'css/site.css' });
    const fallback = await body(fetch(`${base}/anything/else`));
    expect(fallback.routeKey).toBe('$default');
    expect(fallback.rawPath).toBe('/anything/else');
    for (const absent of ['cookies', 'queryStringParameters', 'pathParameters', 'body', 'stageVariables'])
      expect(fallback).not.toHaveProperty(absent);
  });

  it('uses payload format 1.0 when the event asks for it', async () => {
    const event = await body(fetch(`${base}/v1`));
    expect(event.version).toBe('1.0');
    expect(event.httpMethod).toBe('GET');
    expect(event.multiValueHeaders).toBeDefined();
    expect(event.requestContext.routeKey).toBe('GET /v1');
  });

  it('maps cookies and headers of a structured result, and a plain string as the body', async () => {
    const res = await fetch(`${base}/cookies`);
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual(['session=abc; HttpOnly', 'theme=dark']);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('cookies set');
    const text = await fetch(`${base}/text`);
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toBe('application/json');
    expect(await text.text()).toBe('Hello from Lambda!');
  });

  it('base64-encodes a non-text body and decodes a base64 result', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    // hello-api (opened first) serves POST /binary at the root; this project's is under its name.
    const res = await fetch(`${base}/hello-httpapi/binary`, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(201);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    const page = await t.client.call('history:list', {
      projectId: t.projects['hello-httpapi'],
      triggerSource: 'POST /binary',
    });
    const event = JSON.parse(
      (await t.client.call('history:get', { invocationId: page.rows[0].invocationId })).event!,
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe(bytes.toString('base64'));
    // A JSON body stays text.
    const json = await body(
      fetch(`${base}/assets/x`, {
        method: 'POST',
        body: '{"a":1}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(json).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
  });

  it('answers the preflight from CorsConfiguration and adds allow-origin to responses', async () => {
    const preflight = await fetch(`${base}/hello/x`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    expect(preflight.headers.get('access-control-max-age')).toBe('300');
    const other = await fetch(`${base}/hello/x`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const real = await fetch(`${base}/cookies`, { headers: { Origin: 'https://app.example.com' } });
    expect(real.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(real.headers.get('access-control-expose-headers')).toBe('x-echo');
  });

  it('serves a route two projects declare under the later project’s name', async () => {
    const rest = await fetch(`${base}/binary`, {
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(await rest.text()).toBe('x'); // hello-api's BinaryFunction echoes the body
    const list = await t.client.call('triggers:list', { projectId: t.projects['hello-httpapi'] });
    const binary = list.triggers.find((x) => x.eventId === 'Binary')!;
    expect(binary.http!.url).toBe(`${base}/hello-httpapi/binary`);
    const event = await t.client.call('history:list', {
      projectId: t.projects['hello-httpapi'],
      triggerSource: 'POST /binary',
    });
    expect(event.rows.length).toBeGreaterThan(0);
  });

  it('lists the routes with URLs and curl lines', async () => {
    const list = await t.client.call('triggers:list', {
      projectId: t.projects['hello-httpapi'],
      functionId: 'HelloWorldFunction',
    });
    const hello = list.triggers.find((x) => x.eventId === 'Hello')!;
    expect(hello).toMatchObject({ state: 'on', trigger: 'http', triggerSource: 'GET /hello/{name}' });
    expect(hello.http).toMatchObject({ url: `${base}/hello/name`, payloadFormatVersion: '2.0', cors: true });
    expect(hello.http!.curl).toBe(`curl -i '${base}/hello/name'`);
    expect((await fetch(hello.http!.url!)).status).toBe(200);
  });
});

describe('the HTTP endpoint', () => {
  it('refuses other Host names (DNS rebinding) without invoking', async () => {
    const { port } = new URL(base);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, path: '/hello', headers: { Host: 'evil.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
    });
    expect(status).toBe(403);
    expect((await fetch(`http://localhost:${port}/hello`)).status).toBe(200);
  });

  it('reports a port in use clearly and keeps the engine running', async () => {
    const { port } = new URL(base);
    const other = await startTriggerEngine([]);
    try {
      const status = await other.engine.services.triggers.startHttp(Number(port));
      expect(status.port).toBeUndefined();
      expect(status.error).toMatch(new RegExp(`Port ${port} on 127.0.0.1 is in use.*Settings.*--http-port`));
      expect((await other.client.call('triggers:http')).error).toBe(status.error);
      const free = await other.engine.services.triggers.startHttp(0);
      expect(free.port).toBeGreaterThan(0);
      // No project, no route: API Gateway's 404.
      const missing = await fetch(`${free.url}/nothing-here`, { method: 'PUT' });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ message: 'Not Found' });
    } finally {
      await other.close();
    }
  });
});

describe('following the projects', () => {
  const until = async (check: () => Promise<boolean>, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('serves a route added to template.yaml without a restart', async () => {
    const file = path.join(t.dirs['hello-api'], 'template.yaml');
    const added = fs
      .readFileSync(file, 'utf8')
      .replace(
        '        Files:\n',
        '        Added:\n          Type: Api\n          Properties:\n            Path: /added\n            Method: get\n        Files:\n',
      );
    fs.writeFileSync(file, added);
    // Until the reload, hello-httpapi's $default route answers.
    await until(async () => (await body(fetch(`${base}/added`))).resource === '/added', 'the new route');
  });

  it('drops a removed project’s routes', async () => {
    await t.client.call('projects:remove', { projectId: t.projects['hello-api'] });
    await until(async () => (await body(fetch(`${base}/hello`))).routeKey === '$default', 'the route to go');
  });
});
