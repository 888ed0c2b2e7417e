/**
 * The local API Gateway: one HTTP server on 127.0.0.1 for the routes of every open project. Each request
 * becomes a proxy event and one invoke through the Invoker (so warm environments serve it), and the
 * function's result becomes the response.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkbenchError } from '../../../../shared/rpc/errors';
import type { InvocationResult } from '../../../../shared/types';
import { isPreflight, preflightHeaders, responseHeaders } from './cors';
import { eventV1, eventV2, type IncomingRequest } from './proxy-event';
import { answerFor, answers, type HttpAnswer } from './proxy-result';
import { findRoute, matchingPaths, type HttpRoute } from './routes';

const EMPTY = Buffer.alloc(0);

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export type RouteInvoke = (route: HttpRoute, payload: string) => Promise<InvocationResult>;

export class HttpApiServer {
  private server?: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(
    /** Routes sorted most specific first; read on every request, so reloads need no restart. */
    private readonly routes: () => HttpRoute[],
    private readonly invoke: RouteInvoke,
  ) {}

  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  /** Listens on 127.0.0.1:port (0 picks a free one); a port in use is a clear HttpPortInUse error. */
  async listen(port: number): Promise<number> {
    await this.close();
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new WorkbenchError(
                'HttpPortInUse',
                `Port ${port} on 127.0.0.1 is in use (sam local start-api?): change "HTTP API port" in Settings, or pass --http-port`,
                { port },
              )
            : error,
        );
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this.port!;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const answer = await this.answer(req);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    } catch (error) {
      const answer = answers.internalError();
      res.writeHead(answer.status, { ...answer.headers, 'X-Lambench-Error': oneLine(error) });
      res.end(answer.body);
    }
  }

  private async answer(req: http.IncomingMessage): Promise<HttpAnswer> {
    // A page whose name was rebound to 127.0.0.1 (DNS rebinding) sends its own Host: it may not read the API.
    const port = req.socket.localPort;
    if (![`127.0.0.1:${port}`, `localhost:${port}`].includes(req.headers.host ?? ''))
      return answers.forbidden();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const routes = this.routes();
    const origin = header(req, 'origin');

    if (isPreflight(method, req.headers)) {
      const matches = matchingPaths(routes, rawPath);
      const cors = matches.find((m) => m.route.api.cors)?.route.api.cors;
      if (cors) {
        const methods = matches.map((m) => m.route.method);
        const headers = preflightHeaders(
          cors,
          origin,
          header(req, 'access-control-request-headers'),
          methods,
        );
        return { status: 204, headers, body: Buffer.alloc(0) };
      }
    }
    const match = findRoute(routes, method, rawPath);
    if (!match) return answers.notFound();
    const body = await readBody(req);
    if (!body) return answers.tooLarge();
    const incoming: IncomingRequest = {
      method,
      rawPath,
      rawQuery,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      protocol: `HTTP/${req.httpVersion}`,
      port: req.socket.localPort ?? 0,
      time: Date.now(),
    };
    const { route } = match;
    const { event, requestId } =
      route.payloadFormatVersion === '2.0'
        ? eventV2(incoming, match, route.projectId)
        : eventV1(incoming, match, route.projectId);
    let answer: HttpAnswer;
    try {
      answer = answerFor(await this.invoke(route, JSON.stringify(event)), route.payloadFormatVersion);
    } catch (error) {
      const e = error as Error;
      answer = e.name === 'RequestEntityTooLargeException' ? answers.tooLarge() : answers.internalError();
      answer.headers['X-Lambench-Error'] = oneLine(e);
    }
    answer.headers[route.payloadFormatVersion === '2.0' ? 'Apigw-Requestid' : 'X-Amzn-RequestId'] = requestId;
    if (route.kind === 'HttpApi' && route.api.cors)
      Object.assign(answer.headers, responseHeaders(route.api.cors, origin));
    return answer;
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The request body, or undefined when it is over API Gateway's 10 MB. */
async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  // Most requests (GETs) have no body: no need to wait a turn for the stream to say so.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.resume();
    return EMPTY;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** Header values cannot hold newlines or non-Latin-1 characters. */
function oneLine(error: unknown): string {
  return String((error as Error)?.message ?? error)
    .replace(/[^\x20-\x7e]+/g, ' ')
    .slice(0, 300);
}
