// Lambench's Node runtime client: speaks only the Lambda Runtime API (no npm deps, Node 20+).
// Env: AWS_LAMBDA_RUNTIME_API (host:port), _HANDLER (e.g. src/app.handler), LAMBDA_TASK_ROOT.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import util from 'node:util';
import { pathToFileURL } from 'node:url';

const API = process.env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001';
const sep = API.lastIndexOf(':');
const HOST = API.slice(0, sep).replace(/^\[|\]$/g, '');
const PORT = Number(API.slice(sep + 1));
const BASE = '/2018-06-01/runtime';
// Lambench hands its own client the same API on a Unix socket (cheaper than TCP through the Docker bridge);
// TCP stays the fallback. Not the function's business, so it is not left in its environment.
let SOCKET = process.env.LAMBENCH_RUNTIME_API_SOCKET;
delete process.env.LAMBENCH_RUNTIME_API_SOCKET;
let socketWorked = false;
const TASK_ROOT = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const HANDLER = process.env._HANDLER ?? '';

/** The request id that log lines are attributed to; 'undefined' during init, as on Lambda. */
let currentId = 'undefined';
let finishCurrent = null;

// --- logging: one record per console call, in Lambda's text format ---
// Bytes written to stdout+stderr, sent with each result so the engine knows which logs are still in flight.
let logBytes = 0;
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return write(chunk, ...rest);
  };
}
const out = process.stdout;
function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      out.write(`${new Date().toISOString()}\t${currentId}\t${level}\t${util.format(...args)}\n`);
    };
  }
}

// --- HTTP to the Runtime API ---
// A minimal HTTP/1.1 client on keep-alive sockets. The Runtime API always answers with a
// Content-Length, and this costs a fraction of node:http's per-request machinery on the warm path.
class Connection {
  sock = null;
  chunks = [];
  size = 0;
  /** The request in flight: one at a time per connection. */
  waiting = null;

  request(method, urlPath, body, headers) {
    if (!this.sock) this.open();
    let head = `${method} ${urlPath} HTTP/1.1\r\nHost: ${API}\r\n`;
    // Header values come from user errors too (the error type): no line breaks may get through.
    for (const name in headers) head += `${name}: ${String(headers[name]).replace(/[\r\n]+/g, ' ')}\r\n`;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject, sock: this.sock };
      this.sock.ref();
      // Head and body in one write: one packet, one read for the server, instead of two.
      this.sock.cork();
      this.sock.write(`${head}\r\n`);
      if (body?.length) this.sock.write(body);
      this.sock.uncork();
    });
  }

  open() {
    const sock = SOCKET
      ? net.connect({ path: SOCKET })
      : net.connect({ host: HOST, port: PORT, noDelay: true });
    this.sock = sock;
    this.chunks = [];
    this.size = 0;
    sock.on('data', (chunk) => this.onData(chunk));
    const drop = (err) => {
      if (this.sock === sock) this.sock = null;
      const w = this.waiting;
      if (w?.sock !== sock) return;
      this.waiting = null;
      w.reject(err ?? new Error('The Runtime API closed the connection'));
    };
    sock.on('error', drop);
    sock.on('close', () => drop());
  }

  onData(chunk) {
    socketWorked = true;
    this.chunks.push(chunk);
    this.size += chunk.length;
    const buf = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.size);
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const lines = buf.toString('latin1', 0, end).split('\r\n');
    const headers = {};
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
    }
    const bodyEnd = end + 4 + Number(headers['content-length'] ?? 0);
    if (buf.length < bodyEnd) {
      this.chunks = [buf];
      return;
    }
    const rest = buf.subarray(bodyEnd);
    this.chunks = rest.length ? [rest] : [];
    this.size = rest.length;
    const w = this.waiting;
    this.waiting = null;
    if (headers.connection === 'close') {
      // The server is closing it (after a 413): the next request must not be written into it.
      this.sock?.destroy();
      this.sock = null;
    } else {
      // An idle connection must not keep the event loop alive: callback handlers wait for it to empty.
      this.sock?.unref();
    }
    w?.resolve({ status: Number(lines[0].split(' ')[1]), headers, body: buf.subarray(end + 4, bodyEnd) });
  }
}

/** Idle connections are reused; a fatal error may post while a poll and a result are both in flight. */
const connections = [];
function request(method, urlPath, body, headers) {
  let conn = connections.find((c) => !c.waiting);
  if (!conn) connections.push((conn = new Connection()));
  return conn.request(method, urlPath, body, headers).catch((err) => {
    // A socket that never answered (not passed through, say): TCP from now on.
    if (!SOCKET || socketWorked) throw err;
    SOCKET = undefined;
    return request(method, urlPath, body, headers);
  });
}

function post(urlPath, body, extraHeaders) {
  const buf = Buffer.from(body);
  const headers = {
    'Content-Type': 'application/json',
    'Content-Length': buf.length,
    'Lambench-Log-Bytes': logBytes,
    ...extraHeaders,
  };
  // Sent again on a fresh connection if the first one broke; a second answer is merely refused.
  // A 413 closes the socket mid-body: the server has recorded the error by then, so carry on.
  return request('POST', urlPath, buf, headers)
    .catch(() => request('POST', urlPath, buf, headers))
    .catch(() => undefined);
}

// --- errors in Lambda's shapes ---
function toErrorDoc(err) {
  if (err instanceof Error) {
    const trace = typeof err.stack === 'string' ? err.stack.split('\n') : [];
    return { errorType: err.name, errorMessage: err.message, trace, stackTrace: trace };
  }
  return { errorType: typeof err, errorMessage: describeThrown(err), trace: [], stackTrace: [] };
}

/** A thrown non-Error as text: its JSON, or util.inspect's view when it has none (circular, BigInt). */
function describeThrown(err) {
  if (typeof err !== 'object' || err === null) return String(err);
  try {
    return JSON.stringify(err);
  } catch {
    return util.inspect(err, { depth: 2, breakLength: Infinity });
  }
}

function logError(label, doc) {
  const logged = { errorType: doc.errorType, errorMessage: doc.errorMessage, stack: doc.trace };
  out.write(`${new Date().toISOString()}\t${currentId}\tERROR\t${label} \t${JSON.stringify(logged)}\n`);
}

class RuntimeError extends Error {
  constructor(name, message, cause) {
    super(message);
    this.name = name;
    if (cause?.stack) this.stack = `${name}: ${message}\n${cause.stack.split('\n').slice(1).join('\n')}`;
  }
}

async function failInit(err) {
  const doc = toErrorDoc(err);
  logError('Uncaught Exception', doc);
  await post(`${BASE}/init/error`, JSON.stringify(doc), {
    'Lambda-Runtime-Function-Error-Type': doc.errorType,
  });
  process.exit(1);
}

// --- init: resolve and load the handler ---
function findModule(root, name) {
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const file = path.resolve(root, name + ext);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

async function loadHandler() {
  const slash = HANDLER.lastIndexOf('/');
  const dir = HANDLER.slice(0, slash + 1);
  const rest = HANDLER.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1)
    throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const moduleName = dir + rest.slice(0, dot);
  const file = findModule(TASK_ROOT, moduleName);
  if (!file) {
    throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${rest.slice(0, dot)}'`);
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new RuntimeError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`, err);
    }
    // Only require()'s MODULE_NOT_FOUND, as in the official client (aws-lambda-ric): an ES module's
    // missing import (ERR_MODULE_NOT_FOUND) fails init as a plain Error there, so it does here.
    if (err?.code === 'MODULE_NOT_FOUND') {
      throw new RuntimeError('Runtime.ImportModuleError', `Error: ${err.message.split('\n')[0]}`, err);
    }
    throw err;
  }
  // CJS exports the lexer cannot see are still on `default`.
  const [first, ...more] = rest.slice(dot + 1).split('.');
  let fn = mod[first] ?? mod.default?.[first];
  for (const key of more) fn = fn?.[key];
  if (fn === undefined) {
    throw new RuntimeError('Runtime.HandlerNotFound', `${HANDLER} is undefined or not exported`);
  }
  if (typeof fn !== 'function')
    throw new RuntimeError('Runtime.HandlerNotFound', `${HANDLER} is not a function`);
  return fn;
}

// --- response streaming (awslambda.streamifyResponse), as Lambda's Node runtime offers it ---
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';
globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = 'response';
    return handler;
  },
  HttpResponseStream: {
    /** A JSON prelude (statusCode, headers, cookies) and 8 zero bytes, then the body, as Function URLs take it. */
    from(stream, prelude) {
      stream.setContentType(HTTP_INTEGRATION);
      stream.write(JSON.stringify(prelude ?? {}));
      stream.write(Buffer.alloc(8));
      return stream;
    },
  },
};

/**
 * The handler's responseStream: the first write opens a chunked POST to /response with
 * Lambda-Runtime-Function-Response-Mode: streaming, so an error before any byte still takes the /error path.
 * An error after bytes went out ends the stream with Lambda's error trailers.
 */
class ResponseStream extends Writable {
  contentType = 'application/octet-stream';
  req = null;
  answered = null;

  constructor(id) {
    super();
    this.id = id;
  }

  setContentType(type) {
    this.contentType = type;
  }

  open() {
    if (this.req) return this.req;
    this.req = http.request({
      host: HOST,
      port: PORT,
      method: 'POST',
      path: `${BASE}/invocation/${this.id}/response`,
      headers: {
        'Content-Type': this.contentType,
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Transfer-Encoding': 'chunked',
        Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body, Lambench-Log-Bytes',
      },
    });
    this.answered = new Promise((resolve) => {
      this.req.on('response', (res) => res.resume().on('end', resolve));
      this.req.on('error', resolve);
    });
    return this.req;
  }

  _write(chunk, _encoding, callback) {
    this.open().write(chunk, () => callback());
  }

  _final(callback) {
    const req = this.open();
    req.addTrailers({ 'Lambench-Log-Bytes': logBytes });
    req.end();
    this.answered.then(() => callback());
  }

  /** Ends a stream that already sent bytes with the error in trailers; false when nothing was sent yet. */
  async fail(doc) {
    if (!this.req) return false;
    this.req.addTrailers({
      'Lambda-Runtime-Function-Error-Type': doc.errorType,
      'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(doc)).toString('base64'),
      'Lambench-Log-Bytes': logBytes,
    });
    this.req.end();
    await this.answered;
    return true;
  }
}

/** Runs a streaming handler: resolves {streamed} once the response went out, or {error} for the /error path. */
async function runStreaming(handler, event, headers, id) {
  const stream = new ResponseStream(id);
  const context = makeContext(headers, id, () => {});
  let failed;
  finishCurrent = (err) => {
    failed = err;
  };
  try {
    await handler(event, stream, context);
    if (!stream.writableFinished) {
      if (!stream.writableEnded) stream.end();
      await new Promise((resolve, reject) => {
        stream.once('finish', resolve);
        stream.once('error', reject);
      });
    }
  } catch (err) {
    failed = err;
  }
  if (failed === undefined) return { streamed: true };
  const doc = toErrorDoc(failed);
  if (await stream.fail(doc)) {
    logError('Invoke Error', doc);
    return { streamed: true };
  }
  return { error: failed };
}

// --- invoke ---
const FUNCTION_NAME = process.env.AWS_LAMBDA_FUNCTION_NAME ?? '';
const FUNCTION_VERSION = process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST';
const MEMORY = process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128';
const LOG_GROUP = process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? '';
const LOG_STREAM = process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '';

function parseHeaderJson(value) {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function makeContext(headers, id, settle) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  return {
    callbackWaitsForEmptyEventLoop: true,
    awsRequestId: id,
    functionName: FUNCTION_NAME,
    functionVersion: FUNCTION_VERSION,
    memoryLimitInMB: MEMORY,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    logGroupName: LOG_GROUP,
    logStreamName: LOG_STREAM,
    clientContext: parseHeaderJson(headers['lambda-runtime-client-context']),
    identity: parseHeaderJson(headers['lambda-runtime-cognito-identity']),
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    // Legacy callbacks, still used by old code.
    succeed: (result) => settle(null, result),
    fail: (err) => settle(err ?? new Error('handled')),
    done: (err, result) => settle(err, result),
  };
}

/** Runs the handler; resolves {result} or {error}. Callback handlers wait for an empty event loop when asked. */
function run(handler, event, headers, id) {
  return new Promise((resolve) => {
    let settled = false;
    let context;
    const settle = (err, result) => {
      if (settled) return;
      settled = true;
      const outcome = err !== null && err !== undefined ? { error: err } : { result };
      if (context.callbackWaitsForEmptyEventLoop) process.once('beforeExit', () => resolve(outcome));
      else resolve(outcome);
    };
    context = makeContext(headers, id, settle);
    finishCurrent = (err) => {
      settled = true;
      resolve({ error: err, fatal: true });
    };
    let ret;
    try {
      ret = handler.length >= 3 ? handler(event, context, settle) : handler(event, context);
    } catch (err) {
      settled = true;
      return resolve({ error: err });
    }
    if (ret && typeof ret.then === 'function') {
      const once = (outcome) => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      ret.then(
        (result) => once({ result }),
        (err) => once({ error: err ?? new Error('Promise rejected') }),
      );
    } else if (handler.length < 3 && !settled) {
      settled = true;
      resolve({ result: ret });
    } else if (!settled) {
      // A callback handler that never calls back answers null once nothing is left to run, as on Lambda.
      process.once('beforeExit', () => {
        if (settled) return;
        settled = true;
        resolve({ result: undefined });
      });
    }
  });
}

/** The next event; null when the Runtime API is gone. Never rejects: it may wait unobserved a moment. */
function nextEvent() {
  return request('GET', `${BASE}/invocation/next`, undefined, undefined).catch(() => null);
}

async function loop(handler) {
  let polling = nextEvent();
  for (;;) {
    const next = await polling;
    // The Runtime API is gone or refuses us: this environment is over.
    if (!next || next.status !== 200) process.exit(1);
    const h = next.headers;
    const id = h['lambda-runtime-aws-request-id'];
    currentId = id;
    if (h['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'];
    let outcome;
    try {
      const event = JSON.parse(next.body.toString());
      outcome = handler[STREAMING]
        ? await runStreaming(handler, event, h, id)
        : await run(handler, event, h, id);
    } catch (err) {
      outcome = { error: err };
    }
    finishCurrent = null;
    if (outcome.fatal) return; // an uncaught error already reported it
    if (outcome.streamed) {
      polling = nextEvent();
      continue;
    }
    let body;
    if (!('error' in outcome)) {
      try {
        body = outcome.result === undefined ? 'null' : JSON.stringify(outcome.result);
      } catch (err) {
        outcome = {
          error: new RuntimeError('Runtime.MarshalError', `Unable to stringify response body`, err),
        };
      }
    }
    // The next poll goes out with the result (on a second keep-alive socket) rather than after its
    // answer: the environment is ready for the next event as soon as this one is done.
    if ('error' in outcome) {
      const doc = toErrorDoc(outcome.error);
      logError('Invoke Error', doc);
      const headers = { 'Lambda-Runtime-Function-Error-Type': doc.errorType };
      const posted = post(`${BASE}/invocation/${id}/error`, JSON.stringify(doc), headers);
      polling = nextEvent();
      await posted;
    } else {
      const posted = post(`${BASE}/invocation/${id}/response`, body ?? 'null', undefined);
      polling = nextEvent();
      await posted;
    }
  }
}

async function fatal(label, err, id) {
  const doc = toErrorDoc(err);
  logError(label, doc);
  const headers = { 'Lambda-Runtime-Function-Error-Type': doc.errorType };
  if (id === 'undefined') await post(`${BASE}/init/error`, JSON.stringify(doc), headers);
  else await post(`${BASE}/invocation/${id}/error`, JSON.stringify(doc), headers);
  process.exit(1);
}

process.on('uncaughtException', (err) => {
  const id = currentId;
  finishCurrent?.(err);
  void fatal('Uncaught Exception', err, id);
});
process.on('unhandledRejection', (reason) => {
  const id = currentId;
  const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  const err = new RuntimeError(
    'Runtime.UnhandledPromiseRejection',
    text,
    reason instanceof Error ? reason : null,
  );
  finishCurrent?.(err);
  void fatal('Unhandled Promise Rejection', err, id);
});

// A pre-started environment (Lambench keeps one ready per hot configuration) waits here, booted, until an
// invoke needs it: the container's start is then off the cold start's path, the handler's init is not.
if (process.env.LAMBENCH_HOLD_INIT) {
  delete process.env.LAMBENCH_HOLD_INIT;
  const go = await request('GET', `${BASE}/lambench/start`, undefined, undefined).catch(() => null);
  if (!go || go.status !== 200) process.exit(1);
}

patchConsole();
let handler;
try {
  handler = await loadHandler();
} catch (err) {
  await failInit(err);
}
await loop(handler);
