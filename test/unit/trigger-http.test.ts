/** The pure parts of the triggers: route precedence, result mapping, CORS, S3 keys and SQS partial failures. */
import { describe, expect, it } from 'vitest';
import type { ApiResource } from '../../electron/engine/projects/api-resources';
import { preflightHeaders } from '../../electron/engine/triggers/http/cors';
import { isBinaryMediaType, isTextType } from '../../electron/engine/triggers/http/proxy-event';
import { answerFor } from '../../electron/engine/triggers/http/proxy-result';
import { findRoute, routeKey, sortRoutes, type HttpRoute } from '../../electron/engine/triggers/http/routes';
import { encodeKey, eventMatches, keyMatches } from '../../electron/engine/triggers/s3/s3-event';
import { succeeded } from '../../electron/engine/triggers/sqs/sqs-event';
import type { QueueMessage } from '../../electron/engine/triggers/sqs/local-queue';
import type { InvocationResult } from '../../shared/types';

const api: ApiResource = { id: 'A', name: 'A', kind: 'HttpApi', stage: '$default', binaryMediaTypes: [] };
const route = (method: string, path: string, prefix = ''): HttpRoute => ({
  projectId: 1,
  projectName: 'p',
  functionId: `${method} ${prefix}${path}`,
  eventId: 'E',
  kind: 'HttpApi',
  method,
  path,
  payloadFormatVersion: '2.0',
  api,
  prefix,
  routeKey: routeKey(method, path),
});

describe('route precedence', () => {
  const routes = sortRoutes([
    route('ANY', '$default'),
    route('ANY', '/{proxy+}'),
    route('GET', '/items/{id}'),
    route('ANY', '/items/{id}'),
    route('GET', '/items/special'),
    route('GET', '/items/{id}/{rest+}'),
    route('GET', '/items/{id}', '/other'),
  ]);
  const pick = (method: string, path: string) => findRoute(routes, method, path);

  it.each([
    ['GET', '/items/special', 'GET /items/special', {}],
    ['GET', '/items/42', 'GET /items/{id}', { id: '42' }],
    ['DELETE', '/items/42', 'ANY /items/{id}', { id: '42' }],
    ['GET', '/items/42/a/b', 'GET /items/{id}/{rest+}', { id: '42', rest: 'a/b' }],
    ['GET', '/x/y', 'ANY /{proxy+}', { proxy: 'x/y' }],
    ['GET', '/', 'ANY $default', {}],
    ['GET', '/other/items/7', 'GET /other/items/{id}', { id: '7' }],
  ])('%s %s → %s', (method, path, fn, params) => {
    const m = pick(method, path)!;
    expect(m.route.functionId).toBe(fn);
    expect(m.pathParameters).toEqual(params);
  });

  it('decodes parameters and strips the namespace from the path', () => {
    const m = pick('GET', '/other/items/a%20b')!;
    expect(m).toMatchObject({ path: '/items/a%20b', pathParameters: { id: 'a b' } });
  });
});

const result = (r: Partial<InvocationResult>): InvocationResult =>
  ({ status: 'success', response: 'null', ...r }) as InvocationResult;

describe('mapping results back', () => {
  it('reads a proxy result for 1.0 and rejects what API Gateway cannot read', () => {
    const ok = answerFor(result({ response: '{"statusCode":201,"body":"hi","headers":{"X-A":"1"}}' }), '1.0');
    expect(ok).toMatchObject({ status: 201, headers: { 'X-A': ['1'], 'Content-Type': 'application/json' } });
    expect(ok.body.toString()).toBe('hi');
    for (const bad of ['"text"', '{"body":"x"}', '{"statusCode":200,"body":{"a":1}}', '{"statusCode":"abc"}'])
      expect(answerFor(result({ response: bad }), '1.0').status).toBe(502);
  });

  it('takes 2.0 results without statusCode as the body', () => {
    const obj = answerFor(result({ response: '{"a":1}' }), '2.0');
    expect([obj.status, obj.body.toString()]).toEqual([200, '{"a":1}']);
    const nul = answerFor(result({ response: 'null' }), '2.0');
    expect(nul.body.toString()).toBe('null');
  });

  it('answers failures with API Gateway’s messages', () => {
    const body = (s: InvocationResult['status']) => {
      const a = answerFor(result({ status: s }), '2.0');
      return [a.status, JSON.parse(a.body.toString()).message];
    };
    expect(body('error')).toEqual([502, 'Internal server error']);
    expect(body('timeout')).toEqual([504, 'Endpoint request timed out']);
    expect(body('throttled')).toEqual([429, 'Too Many Requests']);
  });
});

describe('content types and CORS', () => {
  it('tells text from binary as HTTP APIs do, and matches binaryMediaTypes', () => {
    for (const t of [
      'text/plain',
      'application/json; charset=utf-8',
      'application/vnd.api+json',
      'application/xml',
    ])
      expect(isTextType(t)).toBe(true);
    for (const t of [undefined, 'image/png', 'application/octet-stream', 'application/x-www-form-urlencoded'])
      expect(isTextType(t)).toBe(false);
    expect(isBinaryMediaType('image/png', ['image/*'])).toBe(true);
    expect(isBinaryMediaType('text/html', ['*/*'])).toBe(true);
    expect(isBinaryMediaType('application/json', ['image/png'])).toBe(false);
  });

  it('echoes the origin with credentials and the requested headers for *', () => {
    const rules = {
      allowOrigins: ['*'],
      allowMethods: ['*'],
      allowHeaders: ['*'],
      exposeHeaders: [],
      allowCredentials: true,
    };
    expect(preflightHeaders(rules, 'https://a.example', 'x-one', ['GET', 'POST'])).toEqual({
      'Access-Control-Allow-Origin': 'https://a.example',
      'Access-Control-Allow-Methods': 'GET,OPTIONS,POST',
      'Access-Control-Allow-Headers': 'x-one',
      'Access-Control-Allow-Credentials': 'true',
    });
  });
});

describe('S3 keys and filters', () => {
  it('encodes keys as S3 notifications do', () => {
    expect(encodeKey('photos/my cat (1).jpg')).toBe('photos/my+cat+%281%29.jpg');
    expect(encodeKey('a+b/ü&=.txt')).toBe('a%2Bb/%C3%BC%26%3D.txt');
  });

  it('matches event names and key rules', () => {
    expect(eventMatches(['s3:ObjectCreated:*'], 'ObjectCreated:Put')).toBe(true);
    expect(eventMatches(['s3:ObjectCreated:Put'], 'ObjectCreated:Put')).toBe(true);
    expect(eventMatches(['s3:ObjectRemoved:*'], 'ObjectCreated:Put')).toBe(false);
    expect(keyMatches({ prefix: 'in/', suffix: '.csv' }, 'in/a.csv')).toBe(true);
    expect(keyMatches({ prefix: 'in/', suffix: '.csv' }, 'out/a.csv')).toBe(false);
    expect(keyMatches(undefined, 'anything')).toBe(true);
  });
});

describe('SQS partial batch responses', () => {
  const batch = ['m1', 'm2', 'm3'].map((messageId) => ({ messageId }) as QueueMessage);
  it('deletes all but the failed items, and nothing when the response cannot be read', () => {
    expect(succeeded(batch, true, 'null', false)).toEqual(['m1', 'm2', 'm3']);
    expect(succeeded(batch, false, undefined, true)).toEqual([]);
    expect(succeeded(batch, true, '{"batchItemFailures":[{"itemIdentifier":"m2"}]}', true)).toEqual([
      'm1',
      'm3',
    ]);
    expect(succeeded(batch, true, '{"batchItemFailures":[]}', true)).toEqual(['m1', 'm2', 'm3']);
    expect(succeeded(batch, true, '{"batchItemFailures":[{"itemIdentifier":""}]}', true)).toEqual([]);
    expect(succeeded(batch, true, '{"batchItemFailures":"m2"}', true)).toEqual([]);
  });
});
