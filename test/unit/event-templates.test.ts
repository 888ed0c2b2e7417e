import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generateEvent, listEventTemplates } from '../../electron/engine/projects/event-templates';
import { parseEventJson } from '../../electron/engine/projects/events-json';

type AnyObj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('event templates', () => {
  it('lists every template with a title and service', () => {
    expect(listEventTemplates().map((t) => t.name)).toEqual([
      'apigateway-rest',
      'apigateway-http',
      's3-put',
      's3-delete',
      'sqs',
      'sns',
      'dynamodb-stream',
      'eventbridge-scheduled',
      'cloudwatch-logs',
      'kinesis',
    ]);
    for (const t of listEventTemplates()) expect(t.title && t.service).toBeTruthy();
  });

  it('generates JSON-serialisable events with fresh ids each time', () => {
    for (const { name } of listEventTemplates()) {
      const a = generateEvent(name);
      const b = generateEvent(name);
      expect(JSON.parse(JSON.stringify(a))).toEqual(a);
      expect(JSON.stringify(a), name).not.toBe(JSON.stringify(b));
    }
  });

  it('API Gateway REST (v1) proxy event', () => {
    const e = generateEvent('apigateway-rest', { path: '/items', method: 'get', body: '{"a":1}' }) as AnyObj;
    expect(e).toMatchObject({ path: '/items', httpMethod: 'GET', body: '{"a":1}', isBase64Encoded: false });
    expect(e.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.requestContext.accountId).toBe('123456789012');
    expect(Math.abs(e.requestContext.requestTimeEpoch - Date.now())).toBeLessThan(5000);
    expect(e.multiValueHeaders.Host).toEqual([e.headers.Host]);
  });

  it('API Gateway HTTP API (v2) event', () => {
    const e = generateEvent('apigateway-http', { path: '/v2', method: 'put' }) as AnyObj;
    expect(e).toMatchObject({ version: '2.0', routeKey: 'PUT /v2', rawPath: '/v2' });
    expect(e.requestContext.http).toMatchObject({ method: 'PUT', path: '/v2' });
    expect(e.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('S3 put and delete', () => {
    const put = generateEvent('s3-put', { bucket: 'b1', key: 'k/1.txt', region: 'eu-west-1' }) as AnyObj;
    const r = put.Records[0];
    expect(r).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      awsRegion: 'eu-west-1',
    });
    expect(r.s3.bucket).toMatchObject({ name: 'b1', arn: 'arn:aws:s3:::b1' });
    expect(r.s3.object).toMatchObject({ key: 'k/1.txt', size: 1024 });
    const del = generateEvent('s3-delete') as AnyObj;
    expect(del.Records[0].eventName).toBe('ObjectRemoved:Delete');
    expect(del.Records[0].s3.object.size).toBeUndefined();
  });

  it('SQS, SNS, DynamoDB stream and EventBridge', () => {
    const sqs = generateEvent('sqs', { queueName: 'jobs', message: 'hi' }) as AnyObj;
    expect(sqs.Records[0]).toMatchObject({
      body: 'hi',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs',
    });
    const sns = generateEvent('sns', { topicName: 'alerts' }) as AnyObj;
    expect(sns.Records[0].Sns.TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:alerts');
    const ddb = generateEvent('dynamodb-stream', { tableName: 'T' }) as AnyObj;
    expect(ddb.Records.map((x: AnyObj) => x.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(ddb.Records[0].eventSourceARN).toMatch(
      /^arn:aws:dynamodb:us-east-1:123456789012:table\/T\/stream\//,
    );
    const eb = generateEvent('eventbridge-scheduled') as AnyObj;
    expect(eb).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} });
    expect(eb.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('CloudWatch Logs data is gzipped and base64-encoded', () => {
    const e = generateEvent('cloudwatch-logs', { logGroup: '/aws/lambda/x', message: 'boom' }) as AnyObj;
    const payload = JSON.parse(gunzipSync(Buffer.from(e.awslogs.data, 'base64')).toString('utf8'));
    expect(payload).toMatchObject({ messageType: 'DATA_MESSAGE', logGroup: '/aws/lambda/x' });
    expect(payload.logEvents[0].message).toBe('boom');
  });

  it('Kinesis data is base64', () => {
    const e = generateEvent('kinesis', { message: 'payload', streamName: 's' }) as AnyObj;
    expect(Buffer.from(e.Records[0].kinesis.data, 'base64').toString()).toBe('payload');
    expect(e.Records[0].eventSourceARN).toBe('arn:aws:kinesis:us-east-1:123456789012:stream/s');
  });

  it('rejects an unknown template', () => {
    expect(() => generateEvent('nope')).toThrow(/Unknown event template 'nope'/);
  });
});

describe('parseEventJson', () => {
  it('parses valid JSON and treats blank text as {}', () => {
    expect(parseEventJson('{"a": [1, 2]}')).toEqual({ a: [1, 2] });
    expect(parseEventJson('\uFEFF{"a": 1}')).toEqual({ a: 1 });
    expect(parseEventJson('  \n')).toEqual({});
  });

  const cases: [string, number, number][] = [
    ['{"a": 1,}', 1, 9],
    ['{\n  "a": tru\n}', 2, 8],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3],
    ['[1 2]', 1, 4],
    ['{"a": "x', 1, 9],
    ["{'a': 1}", 1, 2],
    ['{"a": 1} x', 1, 10],
  ];
  for (const [text, line, col] of cases) {
    it(`points at line ${line}, column ${col} of ${JSON.stringify(text)}`, () => {
      let err: unknown;
      try {
        parseEventJson(text);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ name: 'InvalidEventJson', details: { line, col } });
      expect((err as Error).message).toMatch(new RegExp(`^Invalid JSON at line ${line}, column ${col}: `));
    });
  }
});
