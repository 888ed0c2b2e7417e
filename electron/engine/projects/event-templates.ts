/**
 * Sample event payloads like `sam local generate-event`, with fresh request ids and times so
 * functions that dedupe or log by id behave as they would on real traffic.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { EventTemplateInfo } from '../../../shared/types';

export type { EventTemplateInfo };

/** Common knobs, like generate-event's flags; each template uses the ones that apply. */
export interface EventOverrides {
  region?: string;
  accountId?: string;
  /** HTTP: request path, method and body. */
  path?: string;
  method?: string;
  body?: string;
  /** S3 */
  bucket?: string;
  key?: string;
  /** SQS / SNS / Kinesis / DynamoDB: the message or record payload. */
  message?: string;
  queueName?: string;
  topicName?: string;
  tableName?: string;
  streamName?: string;
  logGroup?: string;
}

type Gen = (o: Required<Pick<EventOverrides, 'region' | 'accountId'>> & EventOverrides) => object;

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const digits = (n: number): string =>
  Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');
/** API Gateway's CLF-style request time: 10/Mar/2025:12:00:00 +0000. */
function clfTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
const traceId = (): string => `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${hex(12)}`;

const apigatewayRest: Gen = (o) => {
  const now = new Date();
  const path = o.path ?? '/hello';
  const method = (o.method ?? 'POST').toUpperCase();
  const apiId = 'a1b2c3d4e5';
  const host = `${apiId}.execute-api.${o.region}.amazonaws.com`;
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': 'application/json',
    Host: host,
    'User-Agent': 'curl/8.5.0',
    'X-Amzn-Trace-Id': traceId(),
    'X-Forwarded-For': '127.0.0.1',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  };
  return {
    body: o.body ?? '{"message": "hello world"}',
    resource: path,
    path,
    httpMethod: method,
    isBase64Encoded: false,
    queryStringParameters: { foo: 'bar' },
    multiValueQueryStringParameters: { foo: ['bar'] },
    pathParameters: null,
    stageVariables: null,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    requestContext: {
      accountId: o.accountId,
      resourceId: hex(3),
      stage: 'Prod',
      requestId: randomUUID(),
      extendedRequestId: `${randomBytes(12).toString('base64url')}=`,
      requestTime: clfTime(now),
      requestTimeEpoch: now.getTime(),
      identity: { sourceIp: '127.0.0.1', userAgent: 'curl/8.5.0', accountId: null, caller: null, user: null },
      path: `/Prod${path}`,
      resourcePath: path,
      httpMethod: method,
      apiId,
      protocol: 'HTTP/1.1',
      domainName: host,
    },
  };
};

const apigatewayHttp: Gen = (o) => {
  const now = new Date();
  const path = o.path ?? '/hello';
  const method = (o.method ?? 'POST').toUpperCase();
  const apiId = 'a1b2c3d4e5';
  const host = `${apiId}.execute-api.${o.region}.amazonaws.com`;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: 'foo=bar',
    cookies: ['session=abc123'],
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      host,
      'user-agent': 'curl/8.5.0',
      'x-amzn-trace-id': traceId(),
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    queryStringParameters: { foo: 'bar' },
    requestContext: {
      accountId: o.accountId,
      apiId,
      domainName: host,
      domainPrefix: apiId,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'curl/8.5.0' },
      requestId: `${randomBytes(12).toString('base64url')}=`,
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    body: o.body ?? '{"message": "hello world"}',
    isBase64Encoded: false,
  };
};

function s3(eventName: string, withObjectDetails: boolean): Gen {
  return (o) => {
    const bucket = o.bucket ?? 'example-bucket';
    const object: Record<string, unknown> = { key: o.key ?? 'test/key', sequencer: hex(8).toUpperCase() };
    if (withObjectDetails) Object.assign(object, { size: 1024, eTag: hex(16) });
    return {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: o.region,
          eventTime: new Date().toISOString(),
          eventName,
          userIdentity: { principalId: 'EXAMPLE' },
          requestParameters: { sourceIPAddress: '127.0.0.1' },
          responseElements: {
            'x-amz-request-id': hex(8).toUpperCase(),
            'x-amz-id-2': randomBytes(48).toString('base64'),
          },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'testConfigRule',
            bucket: {
              name: bucket,
              ownerIdentity: { principalId: 'EXAMPLE' },
              arn: `arn:aws:s3:::${bucket}`,
            },
            object,
          },
        },
      ],
    };
  };
}

const sqs: Gen = (o) => {
  const queue = o.queueName ?? 'my-queue';
  const body = o.message ?? 'Hello from SQS!';
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: `AQEB${randomBytes(96).toString('base64')}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'AIDAIENQZJOLO23YVJ4VO',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: hex(16),
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${o.region}:${o.accountId}:${queue}`,
        awsRegion: o.region,
      },
    ],
  };
};

const sns: Gen = (o) => {
  const topic = `arn:aws:sns:${o.region}:${o.accountId}:${o.topicName ?? 'sns-lambda'}`;
  return {
    Records: [
      {
        EventVersion: '1.0',
        EventSubscriptionArn: `${topic}:${randomUUID()}`,
        EventSource: 'aws:sns',
        Sns: {
          SignatureVersion: '1',
          Timestamp: new Date().toISOString(),
          Signature: 'EXAMPLE',
          SigningCertUrl: `https://sns.${o.region}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem`,
          MessageId: randomUUID(),
          Message: o.message ?? 'Hello from SNS!',
          MessageAttributes: {},
          Type: 'Notification',
          UnsubscribeUrl: `https://sns.${o.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topic}`,
          TopicArn: topic,
          Subject: 'TestInvoke',
        },
      },
    ],
  };
};

const dynamodbStream: Gen = (o) => {
  const table = o.tableName ?? 'ExampleTable';
  const arn = `arn:aws:dynamodb:${o.region}:${o.accountId}:table/${table}/stream/${new Date().toISOString().slice(0, 23)}`;
  const seconds = Math.floor(Date.now() / 1000);
  const record = (eventName: string, dynamodb: object): object => ({
    eventID: hex(16),
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: o.region,
    dynamodb: {
      ApproximateCreationDateTime: seconds,
      SequenceNumber: digits(21),
      SizeBytes: 26,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ...dynamodb,
    },
    eventSourceARN: arn,
  });
  return {
    Records: [
      record('INSERT', {
        Keys: { Id: { N: '101' } },
        NewImage: { Message: { S: o.message ?? 'New item!' }, Id: { N: '101' } },
      }),
      record('MODIFY', {
        Keys: { Id: { N: '101' } },
        NewImage: { Message: { S: 'This item has changed' }, Id: { N: '101' } },
        OldImage: { Message: { S: o.message ?? 'New item!' }, Id: { N: '101' } },
      }),
      record('REMOVE', {
        Keys: { Id: { N: '101' } },
        OldImage: { Message: { S: 'This item has changed' }, Id: { N: '101' } },
      }),
    ],
  };
};

const eventbridgeScheduled: Gen = (o) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: o.accountId,
  time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: o.region,
  resources: [`arn:aws:events:${o.region}:${o.accountId}:rule/my-schedule`],
  detail: {},
});

const cloudwatchLogs: Gen = (o) => {
  const logGroup = o.logGroup ?? '/aws/lambda/my-function';
  const now = Date.now();
  const payload = {
    messageType: 'DATA_MESSAGE',
    owner: o.accountId,
    logGroup,
    logStream: `${new Date(now).toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${hex(16)}`,
    subscriptionFilters: ['my-subscription-filter'],
    logEvents: [
      { id: digits(56), timestamp: now, message: o.message ?? '[ERROR] First test message' },
      { id: digits(56), timestamp: now + 1, message: '[ERROR] Second test message' },
    ],
  };
  // CloudWatch Logs delivers subscription data gzipped and base64-encoded.
  return { awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } };
};

const kinesis: Gen = (o) => {
  const stream = o.streamName ?? 'my-stream';
  const data = o.message ?? 'Hello, this is a test.';
  return {
    Records: [
      {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: '1',
          sequenceNumber: digits(56),
          data: Buffer.from(data).toString('base64'),
          approximateArrivalTimestamp: Date.now() / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000006:${digits(56)}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: `arn:aws:iam::${o.accountId}:role/lambda-role`,
        awsRegion: o.region,
        eventSourceARN: `arn:aws:kinesis:${o.region}:${o.accountId}:stream/${stream}`,
      },
    ],
  };
};

const TEMPLATES: (EventTemplateInfo & { gen: Gen })[] = [
  {
    name: 'apigateway-rest',
    title: 'API Gateway REST API (proxy, v1)',
    service: 'API Gateway',
    gen: apigatewayRest,
  },
  {
    name: 'apigateway-http',
    title: 'API Gateway HTTP API (v2)',
    service: 'API Gateway',
    gen: apigatewayHttp,
  },
  { name: 's3-put', title: 'S3 object created (Put)', service: 'S3', gen: s3('ObjectCreated:Put', true) },
  {
    name: 's3-delete',
    title: 'S3 object removed (Delete)',
    service: 'S3',
    gen: s3('ObjectRemoved:Delete', false),
  },
  { name: 'sqs', title: 'SQS message', service: 'SQS', gen: sqs },
  { name: 'sns', title: 'SNS notification', service: 'SNS', gen: sns },
  { name: 'dynamodb-stream', title: 'DynamoDB stream records', service: 'DynamoDB', gen: dynamodbStream },
  {
    name: 'eventbridge-scheduled',
    title: 'EventBridge scheduled event',
    service: 'EventBridge',
    gen: eventbridgeScheduled,
  },
  {
    name: 'cloudwatch-logs',
    title: 'CloudWatch Logs subscription',
    service: 'CloudWatch Logs',
    gen: cloudwatchLogs,
  },
  { name: 'kinesis', title: 'Kinesis stream record', service: 'Kinesis', gen: kinesis },
];

export function listEventTemplates(): EventTemplateInfo[] {
  return TEMPLATES.map(({ name, title, service }) => ({ name, title, service }));
}

/** A fresh event of template `name`; throws for an unknown name. */
export function generateEvent(name: string, overrides: EventOverrides = {}): Record<string, unknown> {
  const t = TEMPLATES.find((x) => x.name === name);
  if (!t) {
    const known = TEMPLATES.map((x) => x.name);
    throw new WorkbenchError(
      'UnknownEventTemplate',
      `Unknown event template '${name}' (known: ${known.join(', ')})`,
      { name, known },
    );
  }
  return t.gen({
    ...overrides,
    region: overrides.region ?? 'us-east-1',
    accountId: overrides.accountId ?? '123456789012',
  }) as Record<string, unknown>;
}
