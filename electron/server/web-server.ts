import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { dispatch } from '../../shared/rpc/dispatch';
import type { ClientFrame, ServerFrame } from '../../shared/rpc/envelope';
import type { Engine } from '../engine/engine';
import { serveStatic } from './static-files';

/** Above this a call is answered with a clear error; far above it (MAX_FRAME) the socket itself is closed. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const MAX_FRAME_BYTES = 64 * 1024 * 1024;
const COOKIE = 'lambench_token';

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * Web mode: the built renderer and the Workbench API on 127.0.0.1 only, behind a random token.
 * Other Hosts (DNS rebinding) and Origins (other sites in the same browser) are refused.
 */
export async function startWebServer(
  engine: Engine,
  options: { port?: number; rendererDir: string; token?: string },
): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const refuse = (req: IncomingMessage): string | undefined => {
    if (!allowedHosts().has(req.headers.host ?? '')) return 'Host not allowed';
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return 'Origin not allowed';
    if (!hasToken(req, token)) return 'Missing or wrong token: open the URL that `lambench serve` printed';
    return undefined;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const reason = refuse(req);
    if (reason) return sendText(res, 403, reason);
    // The token arrives once in the URL; a same-site cookie carries it for assets and the WebSocket.
    res.setHeader('Set-Cookie', `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`);
    serveStatic(options.rendererDir, req, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const reason = requestUrl(req)?.pathname === '/api' ? refuse(req) : 'Not found';
    if (reason) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(engine, ws));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serveSocket(engine: Engine, ws: WebSocket): void {
  const send = (frame: ServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const unsubscribe = engine.events.subscribe((event, payload) => send({ event, payload }));
  ws.on('close', unsubscribe);
  ws.on('error', () => ws.terminate());
  ws.on('message', async (data: Buffer, isBinary) => {
    const frame = parseFrame(data, isBinary);
    if ('error' in frame) return send({ id: frame.id, ok: false, error: frame.error });
    send({ id: frame.id, ...(await dispatch(engine.handlers, frame.method, frame.input)) });
  });
}

type Parsed = ClientFrame | { id: number; error: { name: string; message: string } };

function parseFrame(data: Buffer, isBinary: boolean): Parsed {
  const bad = (id: number, name: string, message: string) => ({ id, error: { name, message } });
  if (isBinary) return bad(-1, 'BadMessage', 'Binary frames are not part of the Workbench API');
  let frame: Partial<ClientFrame>;
  try {
    frame = JSON.parse(data.toString('utf8'));
  } catch {
    return bad(-1, 'BadMessage', 'The message is not valid JSON');
  }
  const id = typeof frame?.id === 'number' ? frame.id : -1;
  if (data.length > MAX_MESSAGE_BYTES) {
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    return bad(
      id,
      'MessageTooLarge',
      `The message is ${mb(data.length)} MB; the limit is ${mb(MAX_MESSAGE_BYTES)} MB`,
    );
  }
  if (id < 0 || typeof frame.method !== 'string') {
    return bad(id, 'BadMessage', 'A call needs a numeric "id" and a string "method"');
  }
  return frame as ClientFrame;
}

/** The request's URL; undefined for one that does not parse, which must be refused, not thrown (a crash). */
export function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://x');
  } catch {
    return undefined;
  }
}

function hasToken(req: IncomingMessage, token: string): boolean {
  const url = requestUrl(req);
  if (!url) return false;
  const cookie = /(?:^|;\s*)lambench_token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  const given = url.searchParams.get('token') ?? cookie ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
