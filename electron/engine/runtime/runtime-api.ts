/**
 * The Lambda Runtime API for ONE execution environment: one node:http server per environment.
 *
 *   const api = await startRuntimeApi({ host: '172.17.0.1', allowCaller: 'hold' }); // api.address → AWS_LAMBDA_RUNTIME_API
 *   api.setCallerCheck((addr) => addr === env.callerAddress);   // once the container IP is known
 *   api.onRuntimeGone(() => ...);                                 // the idle runtime dropped its /next poll
 *   await Promise.race([api.firstPoll, api.initError, env.exited]);
 *   const outcome = await api.invoke({ requestId, payload, deadlineMs, functionArn });
 *   api.abort(requestId, { errorType: 'Sandbox.Timedout', errorMessage: '...' }); // on timeout or crash
 *   await api.close();
 *
 * Invocations are handed out FIFO to `GET /next` long-polls. This is the warm-invoke hot path, so the
 * per-request work is a path split, a map lookup and one writeHead.
 *
 * With `socketPath`, the same API is also served on a Unix socket that only this environment's container
 * has mounted (api.socketPath). Lambench's own runtime clients use it: a write into a container over the
 * Docker bridge costs the sender the whole TCP path through the veth pair, a Unix socket a copy.
 */
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { randomFillSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** Lambda's synchronous response limit, in bytes. */
export const MAX_RESPONSE_BYTES = 6_291_556;

export interface InitError {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
  /** From LOG_BYTES_HEADER: how much the runtime had logged when it reported (its error lines included). */
  logBytes?: number;
}

export interface InvokeRequest {
  requestId: string;
  /** The event, as JSON text. */
  payload: string;
  /** Absolute deadline, epoch ms (Lambda-Runtime-Deadline-Ms). */
  deadlineMs: number;
  functionArn: string;
  traceId?: string;
  clientContext?: string;
  cognitoIdentity?: string;
  /** Each chunk of a streamed response (Lambda-Runtime-Function-Response-Mode: streaming), as it arrives. */
  onChunk?: (chunk: Buffer) => void;
}

/** Request header our runtime clients add to results: stdout+stderr bytes written so far, cumulative. */
export const LOG_BYTES_HEADER = 'lambench-log-bytes';

/**
 * `startedAt`: performance.now() when /next handed the event out; `receivedAt`: when the result arrived.
 * `logBytes`: from LOG_BYTES_HEADER, so the engine can wait for the logs still in flight; absent for
 * runtimes that do not send it (official images, custom bootstraps).
 */
export type InvokeOutcome =
  | { ok: true; body: string; startedAt: number; receivedAt: number; logBytes?: number }
  | {
      ok: false;
      errorType: string;
      errorMessage: string;
      stackTrace?: string[];
      /** What the invoke returns as its payload (the runtime's error document, or one we made). */
      body: string;
      startedAt: number;
      receivedAt: number;
      logBytes?: number;
    };

export interface RuntimeApi {
  /** 'host:port': the value for AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /** The Unix socket serving the same API, when one was asked for and could be made. */
  readonly socketPath?: string;
  setCallerCheck(fn: (addr: string) => boolean): void;
  /**
   * Called when the runtime's waiting /next poll is closed from its side: a runtime never does that
   * while alive, so its process (or container) is gone.
   */
  onRuntimeGone(listener: () => void): void;
  /** Resolves with performance.now() when the runtime's first /next arrived: the end of init. */
  readonly firstPoll: Promise<number>;
  /** Resolves if the runtime reports an init failure; never rejects. */
  readonly initError: Promise<InitError>;
  /**
   * A pre-started environment's runtime (started with LAMBENCH_HOLD_INIT) asks to begin init with
   * `GET …/lambench/start` and waits: this resolves with performance.now() when it asked.
   */
  readonly startRequested: Promise<number>;
  /** Lets the held runtime begin its init (at once if it has not asked yet). */
  releaseStart(): void;
  invoke(req: InvokeRequest): Promise<InvokeOutcome>;
  /** Abandons a queued or in-flight invocation (timeout, crash): its invoke() resolves with `error`. */
  abort(requestId: string, error: { errorType: string; errorMessage: string }): void;
  close(): Promise<void>;
}

interface Pending {
  req: InvokeRequest;
  resolve: (o: InvokeOutcome) => void;
  /** 0 until handed out by /next. */
  startedAt: number;
}

const PREFIX = '/2018-06-01/runtime/';
const JSON_TYPE = 'application/json';
/** Ids that already got their result, remembered so a second answer is InvalidStateTransition. */
const DONE_MEMORY = 64;
/** Requests held while the caller check is not known yet (the container is still starting). */
const MAX_HELD = 32;

export function normalizeAddress(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

/** Random bytes drawn in bulk: one trace id per invoke, without a call into the CSPRNG each time. */
const entropy = Buffer.alloc(20 * 256);
let entropyAt = entropy.length;

/** X-Ray trace header: Root=1-<epoch hex>-<96-bit hex>;Parent=<64-bit hex>;Sampled=0 */
export function newTraceId(): string {
  if (entropyAt === entropy.length) {
    randomFillSync(entropy);
    entropyAt = 0;
  }
  const r = entropy.toString('hex', entropyAt, (entropyAt += 20));
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${r.slice(0, 24)};Parent=${r.slice(24, 40)};Sampled=0`;
}

function send(res: http.ServerResponse, status: number, body: string, close = false): void {
  const headers: Record<string, string | number> = {
    'Content-Type': JSON_TYPE,
    'Content-Length': Buffer.byteLength(body),
  };
  if (close) headers.Connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

const ACCEPTED = '{"status":"OK"}';
const acknowledge = (res: http.ServerResponse): void => {
  if (!res.destroyed) send(res, 202, ACCEPTED);
};

function errorBody(errorType: string, errorMessage: string): string {
  return JSON.stringify({ errorMessage, errorType });
}

function parseError(body: string, headerType: string | undefined): InitError {
  let doc: { errorType?: unknown; errorMessage?: unknown; stackTrace?: unknown; trace?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') doc = parsed as typeof doc;
  } catch {
    // a runtime may post anything; the header type then stands alone
  }
  const stack = Array.isArray(doc.stackTrace)
    ? doc.stackTrace
    : Array.isArray(doc.trace)
      ? doc.trace
      : undefined;
  return {
    errorType: typeof doc.errorType === 'string' ? doc.errorType : (headerType ?? 'Runtime.Unknown'),
    errorMessage: typeof doc.errorMessage === 'string' ? doc.errorMessage : body,
    ...(stack ? { stackTrace: stack.map(String) } : {}),
  };
}

/** Reads a body up to `limit` bytes; resolves null (and stops reading) when it is larger. */
function readBody(req: http.IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString()),
    );
    req.on('error', () => resolve(null));
  });
}

/** A request id from the path; '' for malformed escapes, which must not throw in the server (and kill the engine). */
function decodeId(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}

/** A number from LOG_BYTES_HEADER, when the runtime sent one. */
function logBytesOf(req: http.IncomingMessage): { logBytes?: number } {
  const header = req.headers[LOG_BYTES_HEADER];
  const n = typeof header === 'string' ? Number(header) : NaN;
  return Number.isFinite(n) ? { logBytes: n } : {};
}

export async function startRuntimeApi(opts: {
  host: string;
  /**
   * Who may call. 'hold' keeps requests waiting until setCallerCheck() names the caller: a fast runtime
   * can poll before its container's address is known, and must not be refused for that.
   */
  allowCaller?: ((addr: string) => boolean) | 'hold';
  /** Also listen here (a host path the container gets mounted); its callers need no address check. */
  socketPath?: string;
}): Promise<RuntimeApi> {
  let allow: ((addr: string) => boolean) | undefined =
    opts.allowCaller === 'hold' ? undefined : (opts.allowCaller ?? (() => true));
  const held: [http.IncomingMessage, http.ServerResponse, number][] = [];
  let runtimeGone: (() => void) | undefined;
  const queue: Pending[] = [];
  const inflight = new Map<string, Pending>();
  const done = new Set<string>();
  let waiter: http.ServerResponse | null = null;
  let closed = false;

  let firstPollResolve!: (t: number) => void;
  let polled = false;
  const firstPoll = new Promise<number>((r) => (firstPollResolve = r));
  let initErrorResolve!: (e: InitError) => void;
  const initError = new Promise<InitError>((r) => (initErrorResolve = r));
  let startRequestedResolve!: (t: number) => void;
  const startRequested = new Promise<number>((r) => (startRequestedResolve = r));
  let startReleased = false;
  let startWaiter: http.ServerResponse | undefined;

  const remember = (id: string): void => {
    done.add(id);
    if (done.size > DONE_MEMORY) done.delete(done.values().next().value as string);
  };

  const handOut = (res: http.ServerResponse, p: Pending): void => {
    const r = p.req;
    const body = Buffer.from(r.payload);
    const headers: string[] = [
      'Content-Type',
      JSON_TYPE,
      'Content-Length',
      String(body.length),
      'Lambda-Runtime-Aws-Request-Id',
      r.requestId,
      'Lambda-Runtime-Deadline-Ms',
      String(r.deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn',
      r.functionArn,
      'Lambda-Runtime-Trace-Id',
      r.traceId ?? newTraceId(),
    ];
    if (r.clientContext) headers.push('Lambda-Runtime-Client-Context', r.clientContext);
    if (r.cognitoIdentity) headers.push('Lambda-Runtime-Cognito-Identity', r.cognitoIdentity);
    p.startedAt = performance.now();
    inflight.set(r.requestId, p);
    res.writeHead(200, headers);
    res.end(body);
  };

  const finish = (id: string, outcome: InvokeOutcome): void => {
    const p = inflight.get(id);
    if (!p) return;
    inflight.delete(id);
    remember(id);
    p.resolve(outcome);
  };

  const onNext = (res: http.ServerResponse, arrivedAt: number): void => {
    if (!polled) {
      polled = true;
      firstPollResolve(arrivedAt);
    }
    const p = queue.shift();
    if (p) return handOut(res, p);
    // A second concurrent poll replaces the first; Lambda runtimes poll one at a time.
    if (waiter && !waiter.writableEnded) waiter.destroy();
    waiter = res;
    // On the response, not the keep-alive socket, so listeners do not pile up per poll.
    res.once('close', () => {
      if (waiter !== res) return;
      waiter = null;
      if (!res.writableFinished && !closed) runtimeGone?.();
    });
  };

  /** Shared checks for POSTs naming a request id; returns the pending entry or answers 400. */
  const lookup = (id: string, res: http.ServerResponse): Pending | undefined => {
    const p = inflight.get(id);
    if (p) return p;
    if (done.has(id) || queue.some((q) => q.req.requestId === id)) {
      send(res, 400, errorBody('InvalidStateTransition', `State transition is not allowed for ${id}`));
    } else {
      send(res, 400, errorBody('InvalidRequestID', 'Invalid request ID'));
    }
    return undefined;
  };

  const onResult = async (
    id: string,
    kind: 'response' | 'error',
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> => {
    const p = lookup(id, res);
    if (!p) {
      req.resume();
      return;
    }
    if (kind === 'response' && req.headers['lambda-runtime-function-response-mode'] === 'streaming')
      return onStream(id, p, req, res);
    const body = await readBody(req, MAX_RESPONSE_BYTES);
    const receivedAt = performance.now();
    if (!inflight.has(id)) return send(res, 400, errorBody('InvalidStateTransition', 'Already answered'));
    if (body === null) {
      const errorMessage = `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`;
      const errorType = 'Function.ResponseSizeTooLarge';
      // Connection: close, and the unread rest of the body is dropped with the socket.
      res.once('finish', () => req.socket.destroy());
      send(res, 413, errorBody('RequestEntityTooLarge', errorMessage), true);
      const doc = errorBody(errorType, errorMessage);
      finish(id, { ok: false, errorType, errorMessage, body: doc, startedAt: p.startedAt, receivedAt });
      return;
    }
    const extra = logBytesOf(req);
    if (kind === 'response') {
      // Written out rather than spread: this is every warm invoke's path (see the invoker's finish).
      finish(id, { ok: true, body, startedAt: p.startedAt, receivedAt, logBytes: extra.logBytes });
    } else {
      const e = parseError(body, req.headers['lambda-runtime-function-error-type'] as string | undefined);
      finish(id, { ok: false, ...e, body, startedAt: p.startedAt, receivedAt, ...extra });
    }
    // The acknowledgement waits a turn, so the result reaches its caller (and the next event, to a
    // runtime that polls again as it answers) before this write.
    setImmediate(acknowledge, res);
  };

  /**
   * A streamed response: chunks go to the caller as they come; the record keeps the first 6 MB. An error
   * after the first bytes arrives in Lambda's trailers (error type, and the error document in base64).
   */
  const onStream = (id: string, p: Pending, req: http.IncomingMessage, res: http.ServerResponse): void => {
    const kept: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size < MAX_RESPONSE_BYTES) kept.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
      size += chunk.length;
      p.req.onChunk?.(chunk);
    });
    req.on('end', () => {
      const receivedAt = performance.now();
      const body = Buffer.concat(kept).toString();
      const trailers = req.trailers;
      const n = Number(trailers[LOG_BYTES_HEADER]);
      const extra = Number.isFinite(n) ? { logBytes: n } : {};
      const errorType = trailers['lambda-runtime-function-error-type'];
      if (errorType) {
        const doc = Buffer.from(trailers['lambda-runtime-function-error-body'] ?? '', 'base64').toString();
        const e = parseError(doc, errorType);
        finish(id, { ok: false, ...e, body: doc, startedAt: p.startedAt, receivedAt, ...extra });
      } else {
        finish(id, { ok: true, body, startedAt: p.startedAt, receivedAt, ...extra });
      }
      setImmediate(acknowledge, res);
    });
    req.on('error', () => undefined);
  };

  const onInitError = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const body = (await readBody(req, MAX_RESPONSE_BYTES)) ?? '';
    const type = req.headers['lambda-runtime-function-error-type'] as string | undefined;
    initErrorResolve({ ...parseError(body, type), ...logBytesOf(req) });
    send(res, 202, ACCEPTED);
  };

  const route = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    arrivedAt = performance.now(),
  ): void => {
    // A Unix socket caller is the one container the socket is mounted into: nothing to check or wait for.
    const unix = req.socket.remoteAddress === undefined;
    if (!allow && !unix) {
      if (held.length < MAX_HELD) held.push([req, res, arrivedAt]);
      else send(res, 503, errorBody('ServiceUnavailable', 'The environment is still starting'));
      return;
    }
    if (!unix && !allow!(normalizeAddress(req.socket.remoteAddress))) {
      req.resume();
      return send(res, 403, errorBody('AccessDenied', 'Caller is not this environment'));
    }
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path.startsWith(PREFIX)) {
      const rest = path.slice(PREFIX.length);
      if (req.method === 'GET' && rest === 'invocation/next') return onNext(res, arrivedAt);
      if (req.method === 'GET' && rest === 'lambench/start') {
        startRequestedResolve(arrivedAt);
        if (startReleased) return send(res, 200, ACCEPTED);
        startWaiter = res;
        return;
      }
      if (req.method === 'POST') {
        if (rest === 'init/error') return void onInitError(req, res);
        if (rest.startsWith('invocation/')) {
          const slash = rest.lastIndexOf('/');
          const kind = rest.slice(slash + 1);
          const id = decodeId(rest.slice('invocation/'.length, slash));
          if (id && (kind === 'response' || kind === 'error')) return void onResult(id, kind, req, res);
        }
      }
    }
    req.resume();
    send(res, 404, errorBody('NotFound', 'Not found'));
  };
  const server = http.createServer(
    { keepAlive: true, noDelay: true, requestTimeout: 0, headersTimeout: 60_000 },
    (req, res) => route(req, res),
  );
  // The runtime's connections sit idle while its handler runs, for as long as the function's timeout:
  // closing them after Node's default 5 s would lose the result of a longer invocation.
  server.keepAliveTimeout = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  // A socket error must never crash the engine.
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const unixServer = opts.socketPath ? await listenUnix(opts.socketPath, server) : undefined;

  const api: RuntimeApi = {
    address: `${hostPart}:${port}`,
    ...(unixServer ? { socketPath: opts.socketPath } : {}),
    firstPoll,
    initError,
    startRequested,
    releaseStart() {
      startReleased = true;
      if (startWaiter && !startWaiter.destroyed) send(startWaiter, 200, ACCEPTED);
      startWaiter = undefined;
    },
    setCallerCheck(fn) {
      allow = fn;
      for (const [req, res, at] of held.splice(0)) if (!res.destroyed) route(req, res, at);
    },
    onRuntimeGone(listener) {
      runtimeGone = listener;
    },
    invoke(req) {
      return new Promise<InvokeOutcome>((resolve) => {
        const p: Pending = { req, resolve, startedAt: 0 };
        if (closed) {
          const now = performance.now();
          const errorMessage = 'The execution environment is stopped';
          const doc = errorBody('Runtime.Unknown', errorMessage);
          return resolve({
            ok: false,
            errorType: 'Runtime.Unknown',
            errorMessage,
            body: doc,
            startedAt: now,
            receivedAt: now,
          });
        }
        if (waiter && !waiter.writableEnded && !waiter.destroyed) {
          const res = waiter;
          waiter = null;
          handOut(res, p);
        } else {
          queue.push(p);
        }
      });
    },
    abort(requestId, error) {
      const now = performance.now();
      const body = errorBody(error.errorType, error.errorMessage);
      const qi = queue.findIndex((q) => q.req.requestId === requestId);
      if (qi >= 0) {
        const [p] = queue.splice(qi, 1);
        remember(requestId);
        p.resolve({ ok: false, ...error, body, startedAt: now, receivedAt: now });
        return;
      }
      const p = inflight.get(requestId);
      if (p) finish(requestId, { ok: false, ...error, body, startedAt: p.startedAt, receivedAt: now });
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopped = { errorType: 'Runtime.Unknown', errorMessage: 'The execution environment is stopped' };
      for (const p of [...queue]) api.abort(p.req.requestId, stopped);
      for (const id of [...inflight.keys()]) api.abort(id, stopped);
      if (waiter && !waiter.writableEnded)
        send(waiter, 410, errorBody('Runtime.Closed', 'Runtime API closed'), true);
      waiter = null;
      for (const [, res] of held.splice(0)) res.destroy();
      const done = new Promise<void>((r) => server.close(() => r()));
      const unixDone = new Promise<void>((r) => (unixServer ? unixServer.close(() => r()) : r()));
      for (const s of sockets) s.destroy();
      await Promise.all([done, unixDone]);
      if (unixServer) fs.rmSync(opts.socketPath!, { force: true });
    },
  };
  return api;
}

/**
 * A Unix socket whose connections the HTTP server serves; undefined (TCP only) when it cannot be made.
 * Mode 0666 so the container's sandbox user can connect; the folder it is in keeps everyone else out.
 */
async function listenUnix(socketPath: string, server: http.Server): Promise<net.Server | undefined> {
  const unix = net.createServer((socket) => server.emit('connection', socket));
  try {
    fs.rmSync(socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      unix.once('error', reject);
      unix.listen(socketPath, () => {
        unix.off('error', reject);
        resolve();
      });
    });
    fs.chmodSync(socketPath, 0o666);
    return unix;
  } catch {
    unix.close();
    return undefined;
  }
}
