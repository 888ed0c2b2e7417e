/**
 * The Lambda Invoke API on 127.0.0.1, so the AWS SDKs and `aws lambda invoke --endpoint-url` work against
 * Lambench: Invoke (RequestResponse, Event, DryRun), GetFunction, GetFunctionConfiguration, ListFunctions.
 * Every invocation goes through the Invoker (sync) or the AsyncInvoker's queue (Event), so it is in History.
 *
 * No AWS credentials are checked (SigV4 needs the secret, which the SDK never sends). A request must come to
 * a loopback Host and carry no Origin, or a loopback one, so that a web page cannot drive it; optionally the
 * access key id in the SigV4 Authorization header must match a shared one.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WorkbenchError } from '../../../../shared/rpc/errors';
import type { InvocationResult } from '../../../../shared/types';
import { MAX_ASYNC_PAYLOAD_BYTES } from '../../runtime/async-invoker';
import { checkEventJson, MAX_SYNC_PAYLOAD_BYTES } from '../../runtime/invoker';
import type { Services } from '../../services';
import { invokeComplete, payloadChunk } from './event-stream';
import { functionConfiguration } from './function-configuration';
import {
  invalidContent,
  invalidParameter,
  LambdaError,
  serviceError,
  throttled,
  tooLarge,
} from './lambda-error';
import { allFunctions, resolveFunction } from './resolve-function';

/** What Lambda's Tail returns: the last 4 KB of the invocation's log. */
export const LOG_TAIL_BYTES = 4096;
/** Lambda's limit on X-Amz-Client-Context, base64 included. */
const MAX_CLIENT_CONTEXT_BYTES = 3583;
/** A body this far over its limit is not read to the end: the socket is closed instead. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const INVOKE_STREAM = /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations$/;
const GET_FUNCTION = /^\/2015-03-31\/functions\/([^/]+)$/;
const GET_CONFIGURATION = /^\/2015-03-31\/functions\/([^/]+)\/configuration$/;
const LIST_FUNCTIONS = /^\/2015-03-31\/functions\/?$/;

export interface InvokeApiOptions {
  port: number;
  /** When set, the SigV4 access key id of every request must be this. */
  accessKeyId?: string;
}

export interface InvokeApiServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

type Ctx = Pick<
  Services,
  'catalog' | 'versions' | 'invoker' | 'asyncInvoker' | 'images' | 'dockerMonitor' | 'executorKind'
>;

export async function startInvokeApi(s: Ctx, options: InvokeApiOptions): Promise<InvokeApiServer> {
  const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    const requestId = randomUUID();
    handle(s, options, req, res, requestId).catch((error: unknown) => {
      const e = error instanceof LambdaError ? error : serviceError((error as Error).message);
      sendError(res, e, requestId);
    });
  });
  // Invocations last up to the function's timeout (900 s at most): an idle keep-alive socket may wait too.
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 0;
  server.on('clientError', (_err, socket) => socket.destroy());
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function handle(
  s: Ctx,
  options: InvokeApiOptions,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  requestId: string,
): Promise<void> {
  refuseForeign(req, options);
  // Split by hand: a WHATWG URL per request costs the warm invoke more than the rest of this file.
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  let match: RegExpExecArray | null;
  if (req.method === 'POST' && (match = INVOKE.exec(path))) {
    const qualifier = q < 0 ? null : new URLSearchParams(raw.slice(q + 1)).get('Qualifier');
    return invoke(s, req, res, requestId, decodeURIComponent(match[1]), qualifier);
  }
  if (req.method === 'POST' && (match = INVOKE_STREAM.exec(path))) {
    const qualifier = q < 0 ? null : new URLSearchParams(raw.slice(q + 1)).get('Qualifier');
    return invoke(s, req, res, requestId, decodeURIComponent(match[1]), qualifier, true);
  }
  const url = new URL(raw, 'http://127.0.0.1');
  req.resume();
  if (req.method === 'GET' && LIST_FUNCTIONS.test(path)) return listFunctions(s, url, res, requestId);
  if (req.method === 'GET' && (match = GET_CONFIGURATION.exec(path))) {
    const { fn } = await resolveFunction(
      s.catalog,
      s.versions,
      decodeURIComponent(match[1]),
      qualifierOf(url),
    );
    return sendJson(res, 200, functionConfiguration(fn), requestId);
  }
  if (req.method === 'GET' && (match = GET_FUNCTION.exec(path))) {
    const { fn } = await resolveFunction(
      s.catalog,
      s.versions,
      decodeURIComponent(match[1]),
      qualifierOf(url),
    );
    return sendJson(
      res,
      200,
      {
        Configuration: functionConfiguration(fn),
        Code: { RepositoryType: 'Local', Location: fn.codeUri },
        Tags: {},
        ...(fn.reservedConcurrency === undefined
          ? {}
          : { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } }),
      },
      requestId,
    );
  }
  throw new LambdaError(
    404,
    'UnknownOperationException',
    `Lambench's Invoke API serves Invoke, GetFunction, GetFunctionConfiguration and ListFunctions; not ${req.method} ${path}`,
  );
}

const qualifierOf = (url: URL) => url.searchParams.get('Qualifier') ?? undefined;

/** Loopback Host (no DNS rebinding), no foreign Origin (no web page), and the shared key id when one is set. */
function refuseForeign(req: http.IncomingMessage, options: InvokeApiOptions): void {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!LOOPBACK.has(host))
    throw new LambdaError(
      403,
      'AccessDeniedException',
      `Host ${host || '(none)'} is not allowed: use 127.0.0.1`,
    );
  const origin = req.headers.origin;
  if (origin !== undefined && !isLoopbackOrigin(origin))
    throw new LambdaError(
      403,
      'AccessDeniedException',
      `Requests from web pages (Origin ${origin}) are refused`,
    );
  if (options.accessKeyId) {
    const given = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
    if (given !== options.accessKeyId)
      throw new LambdaError(
        403,
        'UnrecognizedClientException',
        'The security token included in the request is invalid: use the access key id set in Lambench Settings',
      );
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
function isLoopbackOrigin(origin: string): boolean {
  try {
    return LOOPBACK.has(new URL(origin).hostname) || new URL(origin).hostname === '[::1]';
  } catch {
    return false;
  }
}

async function invoke(
  s: Ctx,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  requestId: string,
  name: string,
  queryQualifier: string | null,
  streaming = false,
): Promise<void> {
  const type = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (type !== 'RequestResponse' && (type !== 'Event' || streaming) && type !== 'DryRun') {
    req.resume();
    throw invalidParameter(
      `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
    );
  }
  const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
  const body = await readBody(req, limit);
  if (body === null) throw tooLarge(limit, type === 'Event' ? 'InvokeAsync' : 'InvokeFunction');
  const resolved = await resolveFunction(s.catalog, s.versions, name, queryQualifier ?? undefined);
  const { fn, projectId } = resolved;
  const payload = body.length === 0 ? '{}' : body;
  const clientContext = decodeClientContext(header(req, 'x-amz-client-context'));
  const extraHeaders: Record<string, string> = { 'X-Amz-Executed-Version': resolved.executedVersion };
  if (resolved.alsoIn.length) extraHeaders['X-Lambench-Also-In'] = resolved.alsoIn.join(', ');
  if (fn.unsupported)
    throw new LambdaError(
      409,
      'ResourceConflictException',
      `The function cannot run here: ${fn.unsupported}`,
    );
  if (s.executorKind === 'docker' && s.dockerMonitor.status.state === 'unavailable')
    throw serviceError(
      `Docker is not reachable at ${s.dockerMonitor.status.endpoint}: ${s.dockerMonitor.status.error ?? 'no answer'}`,
    );
  if (type === 'DryRun') {
    try {
      checkEventJson(payload);
    } catch (error) {
      throw fromEngine(error);
    }
    return send(res, 204, '', requestId, extraHeaders);
  }
  // Event and RequestResponse payloads are checked once, by the engine (InvalidRequestContentException).

  const common = {
    projectId,
    payload,
    trigger: 'api' as const,
    clientContext,
    qualifier: resolved.qualifier,
  };
  if (type === 'Event') {
    try {
      s.asyncInvoker.enqueue({ ...common, functionId: fn.id, eventId: requestId }, fn);
    } catch (error) {
      throw fromEngine(error);
    }
    return send(res, 202, '', requestId, extraHeaders);
  }

  // InvokeWithResponseStream: the answer starts with the first chunk the function writes.
  const stream = streaming ? new ResponseStreamer(res, requestId, extraHeaders) : undefined;
  let result: InvocationResult;
  try {
    result = await s.invoker.invoke({
      ...common,
      fn,
      codeVersion: resolved.codeVersion,
      image: s.images[fn.runtime] ?? '',
      executedVersion: resolved.executedVersion,
      ...(stream ? { onResponseChunk: (chunk: Buffer) => stream.chunk(chunk) } : {}),
    });
  } catch (error) {
    throw fromEngine(error);
  }
  if (stream && stream.started) return stream.complete(result, header(req, 'x-amz-log-type') === 'Tail');
  if (result.status === 'throttled')
    throw throttled(result.error?.reason ?? 'ReservedFunctionConcurrentInvocationLimitExceeded');
  // No environment could start (Docker gone, no image): Lambda's own failure, not the function's.
  if (result.status === 'error' && result.response === undefined)
    throw serviceError(
      result.error ? `${result.error.type}: ${result.error.message}` : 'The environment did not start',
    );
  if (stream) return stream.complete(result, header(req, 'x-amz-log-type') === 'Tail');
  if (header(req, 'x-amz-log-type') === 'Tail') extraHeaders['X-Amz-Log-Result'] = logTail(result.logs);
  if (result.status !== 'success') {
    extraHeaders['X-Amz-Function-Error'] = 'Unhandled';
    const error = result.error ?? { type: 'Runtime.Unknown', message: 'Unknown error' };
    const doc = {
      errorMessage: error.message,
      errorType: error.type,
      ...(error.stackTrace ? { stackTrace: error.stackTrace } : {}),
    };
    return send(res, 200, JSON.stringify(doc), requestId, extraHeaders);
  }
  return send(res, 200, result.response ?? 'null', requestId, extraHeaders);
}

/** An InvokeWithResponseStream answer: event-stream messages, a PayloadChunk per chunk, then InvokeComplete. */
class ResponseStreamer {
  started = false;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly requestId: string,
    private readonly headers: Record<string, string>,
  ) {}

  chunk(chunk: Buffer): void {
    this.start();
    this.res.write(payloadChunk(chunk));
  }

  /** Ends the stream; a function that did not stream (a buffered handler) sends its response as one chunk. */
  complete(result: InvocationResult, tail: boolean): void {
    const streamed = this.started;
    this.start();
    if (!streamed && result.status === 'success' && result.response !== undefined)
      this.res.write(payloadChunk(Buffer.from(result.response)));
    const failed = result.status !== 'success';
    this.res.end(
      invokeComplete({
        ...(failed
          ? { ErrorCode: result.error?.type ?? 'Unhandled', ErrorDetails: result.error?.message ?? '' }
          : {}),
        ...(tail ? { LogResult: logTail(result.logs) } : {}),
      }),
    );
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, {
      'Content-Type': 'application/vnd.amazon.eventstream',
      'x-amzn-RequestId': this.requestId,
      ...this.headers,
    });
  }
}

/** Engine errors as the Lambda error a client expects. */
function fromEngine(error: unknown): LambdaError {
  if (error instanceof LambdaError) return error;
  const e = error as WorkbenchError;
  if (e.name === 'InvalidRequestContentException') return invalidContent(e.message);
  if (e.name === 'RequestTooLargeException' || e.name === 'RequestEntityTooLargeException')
    return new LambdaError(413, 'RequestTooLargeException', e.message);
  if (e.name === 'FunctionNotRunnable') return new LambdaError(409, 'ResourceConflictException', e.message);
  return serviceError(`${e.name}: ${e.message}`);
}

/** The base64 X-Amz-Client-Context as the JSON text the runtime receives. */
function decodeClientContext(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (raw.length > MAX_CLIENT_CONTEXT_BYTES)
    throw invalidParameter(`Client context must be at most ${MAX_CLIENT_CONTEXT_BYTES} bytes`);
  const text = Buffer.from(raw, 'base64').toString('utf8');
  try {
    JSON.parse(text);
  } catch {
    throw invalidContent('Client context must be a valid Base64-encoded JSON object.');
  }
  return text;
}

/** Lambda's Tail: the last 4 KB of the log, base64. */
export function logTail(logs: string): string {
  const bytes = Buffer.from(logs.endsWith('\n') ? logs : `${logs}\n`);
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
}

async function listFunctions(s: Ctx, url: URL, res: http.ServerResponse, requestId: string): Promise<void> {
  const all = await allFunctions(s.catalog);
  const maxItems = Math.min(Math.max(Number(url.searchParams.get('MaxItems') ?? 50) || 50, 1), 10_000);
  const start = Math.max(Number(url.searchParams.get('Marker') ?? 0) || 0, 0);
  const page = all.slice(start, start + maxItems);
  const more = start + maxItems < all.length;
  sendJson(
    res,
    200,
    {
      Functions: page.map((f) => functionConfiguration(f.fn)),
      ...(more ? { NextMarker: String(start + maxItems) } : {}),
    },
    requestId,
  );
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The body up to `limit` bytes, or null when larger. A larger one is still read (up to a point) so the
 * client gets the 413 instead of a reset connection.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else if (size > DRAIN_LIMIT_BYTES) req.destroy();
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: http.ServerResponse,
  status: number,
  body: string,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
    ...headers,
  });
  res.end(body);
}

const sendJson = (res: http.ServerResponse, status: number, doc: unknown, requestId: string) =>
  send(res, status, JSON.stringify(doc), requestId);

function sendError(res: http.ServerResponse, e: LambdaError, requestId: string): void {
  // A stream already under way cannot turn into an error response: cut it, the client sees it end early.
  if (res.headersSent) return void res.destroy();
  send(res, e.status, e.body(), requestId, { 'x-amzn-ErrorType': e.type });
}
