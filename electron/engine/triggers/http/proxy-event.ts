/**
 * API Gateway's Lambda proxy events, field for field: payload format 1.0 (REST APIs, and HTTP APIs that
 * ask for it) and 2.0 (HTTP APIs). Shapes as documented in "Working with AWS Lambda proxy integrations
 * for HTTP APIs" and "Input format of a Lambda function for proxy integration" (REST).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { RouteMatch } from './routes';

export const ACCOUNT_ID = '123456789012';

/** What the server read off the wire. */
export interface IncomingRequest {
  method: string;
  /** The path as sent, still percent-encoded, without the query string. */
  rawPath: string;
  rawQuery: string;
  /** Node's rawHeaders: name, value, name, value… with the client's casing. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** HTTP/1.1 */
  protocol: string;
  /** The local port the request came in on. */
  port: number;
  time: number;
}

export interface ProxyEvent {
  event: Record<string, unknown>;
  requestId: string;
}

const stableIds = new Map<string, string>();
/** A stable id of `length` lowercase letters and digits for `key`, the way API Gateway's ids look. */
function stableId(key: string, length: number): string {
  let id = stableIds.get(key);
  if (id === undefined) {
    const hash = createHash('sha1').update(key).digest();
    id = [...hash.subarray(0, length)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
    if (stableIds.size > 10_000) stableIds.clear();
    stableIds.set(key, id);
  }
  return id;
}

/** The API's id (10 characters), stable for one API of one project. */
export function apiIdFor(projectId: number, apiId: string): string {
  return stableId(`${projectId}/${apiId}`, 10);
}

/**
 * Random bytes from a pool refilled 4 KB at a time: a request needs three small ids, and asking the CSPRNG
 * for each cost more than building the rest of the event.
 */
let pool = Buffer.alloc(0);
let poolAt = 0;
function random(n: number): Buffer {
  if (poolAt + n > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += n;
  return pool.subarray(poolAt - n, poolAt);
}

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestTime. */
export function requestTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const month = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ')[d.getUTCMonth()];
  return `${p(d.getUTCDate())}/${month}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Content types an HTTP API passes as text; every other body arrives base64-encoded. */
const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml|x-yaml|yaml|graphql)\b|[^;]*\+(json|xml)\b)/i;

export function isTextType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXT_TYPES.test(contentType.trim());
}

/** A REST API's binaryMediaTypes entry (`image/png`, `image/*`, `*\/*`) matching a content type. */
export function isBinaryMediaType(contentType: string | undefined, types: string[]): boolean {
  if (!contentType || types.length === 0) return false;
  const [type, sub] = contentType.split(';')[0].trim().toLowerCase().split('/');
  return types.some((t) => {
    const [tt, ts] = t.split('/');
    return (tt === '*' || tt === type) && (ts === '*' || ts === sub);
  });
}

/** Headers API Gateway adds in front of the function, the way its own edge would. */
function forwarded(req: IncomingRequest): [string, string][] {
  return [
    ['X-Forwarded-For', req.sourceIp],
    ['X-Forwarded-Port', String(req.port)],
    ['X-Forwarded-Proto', 'http'],
    ['X-Amzn-Trace-Id', traceId(req.time)],
  ];
}

function traceId(time: number): string {
  return `Root=1-${Math.floor(time / 1000).toString(16)}-${random(12).toString('hex')}`;
}

function headerPairs(req: IncomingRequest): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    pairs.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  const have = new Set(pairs.map(([k]) => k.toLowerCase()));
  return pairs.concat(forwarded(req).filter(([k]) => !have.has(k.toLowerCase())));
}

function queryPairs(rawQuery: string): [string, string][] {
  return [...new URLSearchParams(rawQuery)];
}

function header(req: IncomingRequest, name: string): string | undefined {
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    if (req.rawHeaders[i].toLowerCase() === name) return req.rawHeaders[i + 1];
  return undefined;
}

function host(req: IncomingRequest): string {
  return header(req, 'host') ?? `127.0.0.1:${req.port}`;
}

/** Payload format 1.0: single and multi-value maps, null where API Gateway sends null. */
export function eventV1(req: IncomingRequest, match: RouteMatch, projectId: number): ProxyEvent {
  const { route } = match;
  const requestId = randomUUID();
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const names = new Map<string, string>();
  for (const [rawName, value] of headerPairs(req)) {
    // Repeats of a header keep the casing it first came with.
    const name = names.get(rawName.toLowerCase()) ?? rawName;
    names.set(rawName.toLowerCase(), name);
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of queryPairs(req.rawQuery)) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const hasQuery = Object.keys(query).length > 0;
  const hasParams = Object.keys(match.pathParameters).length > 0;
  const binary = isBinaryMediaType(header(req, 'content-type'), route.api.binaryMediaTypes);
  const resource = route.path === '$default' ? '$default' : route.path;
  const domainName = host(req);
  const event: Record<string, unknown> = {
    ...(route.kind === 'HttpApi' ? { version: '1.0' } : {}),
    resource,
    path: match.path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: hasParams ? match.pathParameters : null,
    stageVariables: null,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: apiIdFor(projectId, route.api.id),
      domainName,
      domainPrefix: domainName.split('.')[0],
      extendedRequestId: random(11).toString('base64'),
      httpMethod: req.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.sourceIp,
        user: null,
        userAgent: header(req, 'user-agent') ?? null,
        userArn: null,
      },
      path: route.api.stage === '$default' ? match.path : `/${route.api.stage}${match.path}`,
      protocol: req.protocol,
      requestId,
      requestTime: requestTime(req.time),
      requestTimeEpoch: req.time,
      // A resource's id is stable in API Gateway: one per path.
      resourceId: stableId(`${projectId}/${route.api.id}${resource}`, 6),
      resourcePath: resource,
      ...(route.kind === 'HttpApi' ? { routeKey: route.routeKey } : {}),
      stage: route.api.stage,
    },
    body: req.body.length === 0 ? null : binary ? req.body.toString('base64') : req.body.toString('utf8'),
    isBase64Encoded: req.body.length > 0 && binary,
  };
  return { event, requestId };
}

/** Payload format 2.0: lower-case headers joined by commas, cookies apart, absent fields left out. */
export function eventV2(req: IncomingRequest, match: RouteMatch, projectId: number): ProxyEvent {
  const { route } = match;
  // HTTP API request ids look like `JKJaXmPLvHcESHA=`.
  const requestId = random(11).toString('base64');
  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [rawName, value] of headerPairs(req)) {
    const name = rawName.toLowerCase();
    if (name === 'cookie') {
      cookies = cookies.concat(value.split(/;\s*/).filter(Boolean));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of queryPairs(req.rawQuery)) query[k] = k in query ? `${query[k]},${v}` : v;
  const binary = req.body.length > 0 && !isTextType(headers['content-type']);
  const domainName = host(req);
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: match.path === req.rawPath ? req.rawPath : match.path,
    rawQueryString: req.rawQuery,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: apiIdFor(projectId, route.api.id),
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: {
        method: req.method,
        path: match.path,
        protocol: req.protocol,
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: route.api.stage,
      time: requestTime(req.time),
      timeEpoch: req.time,
    },
    ...(Object.keys(match.pathParameters).length ? { pathParameters: match.pathParameters } : {}),
    ...(req.body.length ? { body: binary ? req.body.toString('base64') : req.body.toString('utf8') } : {}),
    isBase64Encoded: binary,
  };
  return { event, requestId };
}
