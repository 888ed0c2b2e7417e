/**
 * R4: escapes and exposure. A hostile function (the escape probe) tries the Docker socket, mount, setuid,
 * raw sockets, the host's web-mode port, another environment's Runtime API, another function's /tmp,
 * writes outside /tmp and the host's variables: each must fail. Web mode refuses every caller that is
 * not the page it served, and survives an oversized WebSocket message.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_MESSAGE_BYTES, startWebServer, type WebServer } from '../../electron/server/web-server';
import { report, type SoakRow } from './report';
import { startWorkload, type Workload } from './workload';

const MARKER_NAME = 'LAMBENCH_SOAK_HOST_SECRET';
const marker = `marker-${randomBytes(8).toString('hex')}`;
const rows: SoakRow[] = [];
let w: Workload;
let web: WebServer;

beforeAll(async () => {
  // Set in the engine's own process: a function must not see it.
  process.env[MARKER_NAME] = marker;
  w = await startWorkload();
  const rendererDir = path.join(w.root, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<title>Lambench</title>');
  web = await startWebServer(w.engine, { rendererDir });
});

afterAll(async () => {
  report(rows);
  delete process.env[MARKER_NAME];
  await web?.close();
  await w?.close();
});

type Probe = Record<string, { blocked: boolean; detail: string }>;

describe('R4 escape probe', () => {
  it('fails at every escape, from Node and from Python system calls', async () => {
    // A neighbour runs meanwhile: its Runtime API and its request are what the probe aims at.
    let api = '';
    let requestId = '';
    const off = w.client.on('invocation:log', (e) => {
      for (const line of e.lines) {
        const m = /RUNTIME_API (\S+)/.exec(line);
        if (m) [api, requestId] = [m[1], e.requestId];
      }
    });
    const neighbour = w.invoke('Neighbour', { ms: 8000 });
    await expect.poll(() => api, { timeout: 20_000 }).not.toBe('');
    off();

    const probe = await w.invoke('Probe', {
      otherApi: api,
      otherRequestId: requestId,
      webPort: web.port,
      webToken: web.token,
      marker,
      markerName: MARKER_NAME,
    });
    expect(probe.status, probe.logs).toBe('success');
    const node = JSON.parse(probe.response!) as Probe;
    const py = await w.invoke('ProbePy');
    expect(py.status, py.logs).toBe('success');
    const syscalls = JSON.parse(py.response!) as Probe;
    const all: [string, Probe[string]][] = [
      ...Object.entries(node).map(([k, v]) => [`node ${k}`, v] as [string, Probe[string]]),
      ...Object.entries(syscalls).map(([k, v]) => [`python ${k}`, v] as [string, Probe[string]]),
    ];
    // The neighbour's own answer stands: nobody else posted it.
    const mine = await neighbour;
    all.push([
      'neighbour result intact',
      { blocked: mine.response === '"mine"', detail: String(mine.response) },
    ]);
    for (const [name, r] of all)
      rows.push({ case: `R4 escape ${name}`, expected: 'blocked', got: r.detail, pass: r.blocked });
    expect(Object.keys(node).sort()).toEqual(
      [
        'dockerSocket',
        'hostEnv',
        'malformedRequestId',
        'mount',
        'otherRuntimeIsOther',
        'otherRuntimeNext',
        'otherRuntimeResponse',
        'otherTmp',
        'rawSocket',
        'setuid',
        'webPort',
        'writeOutsideTmp',
      ].sort(),
    );
    for (const [name, r] of all) expect(r.blocked, `${name}: ${r.detail}`).toBe(true);
    expect(node.otherRuntimeNext.detail).toContain('403');
    expect(node.otherRuntimeResponse.detail).toContain('403');
  }, 90_000);
});

/** A raw HTTP request, so Host and Origin can be anything. */
function rawGet(
  pathAndQuery: string,
  headers: Record<string, string>,
): Promise<{ status?: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function upgrade(query: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}/api${query}`, { headers, maxPayload: 0 });
    ws.once('open', () => {
      ws.close();
      resolve('opened');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(`HTTP ${res.statusCode}`);
      ws.terminate();
    });
    ws.once('error', (e) => resolve(`error ${e.message}`));
  });
}

/** Writes a raw request (any request line) and returns the status line of the answer. */
function rawRequest(requestLine: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(web.port, '127.0.0.1', () =>
      socket.write(`${requestLine}\r\nHost: 127.0.0.1:${web.port}\r\n\r\n`),
    );
    let answer = '';
    socket.on('data', (d) => {
      answer += d;
      if (answer.includes('\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(answer.split('\r\n')[0] || 'closed without an answer'));
    socket.on('error', () => resolve('socket error'));
    setTimeout(() => socket.destroy(), 2000);
  });
}

describe('R4 web mode', () => {
  const host = () => `127.0.0.1:${web.port}`;
  const origin = () => `http://127.0.0.1:${web.port}`;

  it('refuses every caller but the page it served', async () => {
    const cases: [string, () => Promise<string>, string][] = [
      ['GET without a token', async () => `HTTP ${(await rawGet('/', { Host: host() })).status}`, 'HTTP 403'],
      [
        'GET with a wrong token',
        async () => `HTTP ${(await rawGet('/?token=wrong', { Host: host() })).status}`,
        'HTTP 403',
      ],
      [
        'GET with a foreign Origin',
        async () =>
          `HTTP ${(await rawGet(`/?token=${web.token}`, { Host: host(), Origin: 'http://evil.example' })).status}`,
        'HTTP 403',
      ],
      [
        'GET with a DNS-rebinding Host',
        async () =>
          `HTTP ${(await rawGet(`/?token=${web.token}`, { Host: `evil.example:${web.port}` })).status}`,
        'HTTP 403',
      ],
      ['WebSocket without a token', () => upgrade('', { Origin: origin() }), 'HTTP 403'],
      ['WebSocket with a wrong token', () => upgrade('?token=wrong', { Origin: origin() }), 'HTTP 403'],
      [
        'WebSocket from another origin',
        () => upgrade(`?token=${web.token}`, { Origin: 'http://evil.example' }),
        'HTTP 403',
      ],
      [
        'WebSocket with a DNS-rebinding Host',
        () =>
          upgrade(`?token=${web.token}`, {
            Origin: `http://evil.example:${web.port}`,
            Host: `evil.example:${web.port}`,
          }),
        'HTTP 403',
      ],
      // The control: the real page's own call is served.
      [
        'GET with the token (control)',
        async () => `HTTP ${(await rawGet(`/?token=${web.token}`, { Host: host() })).status}`,
        'HTTP 200',
      ],
      [
        'WebSocket from the page (control)',
        () => upgrade(`?token=${web.token}`, { Origin: origin() }),
        'opened',
      ],
    ];
    for (const [name, run, expected] of cases) {
      const got = await run();
      rows.push({ case: `R4 web ${name}`, expected, got, pass: got === expected });
    }
    for (const [name, , expected] of cases)
      expect(rows.find((r) => r.case === `R4 web ${name}`)?.got, name).toBe(expected);
  });

  it('refuses malformed requests without a crash', async () => {
    const cases: [string, string, string][] = [
      ['unparsable URL', 'GET http://[ HTTP/1.1', 'HTTP/1.1 403 Forbidden'],
      [
        'malformed escape, with the token',
        `GET /%E0%A4%A?token=${web.token} HTTP/1.1`,
        'HTTP/1.1 400 Bad Request',
      ],
      [
        'WebSocket upgrade to an unparsable URL',
        'GET http://[/api HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13',
        'HTTP/1.1 403 Forbidden',
      ],
    ];
    for (const [name, line, expected] of cases) {
      const got = await rawRequest(line);
      rows.push({ case: `R4 web ${name}`, expected, got, pass: got === expected });
      expect(got, name).toBe(expected);
    }
    const after = await rawGet(`/?token=${web.token}`, { Host: host() });
    rows.push({
      case: 'R4 web serves after malformed requests',
      expected: 'HTTP 200',
      got: `HTTP ${after.status}`,
      pass: after.status === 200,
    });
    expect(after.status).toBe(200);
  });

  it('refuses oversized WebSocket messages without a crash, and keeps serving', async () => {
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${web.port}/api?token=${web.token}`, {
          headers: { Origin: origin() },
          maxPayload: 0,
        });
        ws.once('open', () => resolve(ws)).once('error', reject);
      });
    // The answer carrying this request's id: engine events (docker:status, …) can arrive first.
    const call = (ws: WebSocket, raw: string) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const id = (JSON.parse(raw) as { id: number }).id;
        const onMessage = (d: unknown) => {
          const msg = JSON.parse(String(d)) as Record<string, unknown>;
          if (msg.id !== id) return;
          ws.off('message', onMessage);
          resolve(msg);
        };
        ws.on('message', onMessage);
        ws.send(raw);
      });
    const ws = await open();
    const big = JSON.stringify({ id: 1, method: 'projects:list', input: 'x'.repeat(MAX_MESSAGE_BYTES) });
    const answer = await call(ws, big);
    const bigGot = `${(answer.error as { name?: string })?.name}`;
    rows.push({
      case: 'R4 web 16 MB message',
      expected: 'MessageTooLarge answer',
      got: bigGot,
      pass: bigGot === 'MessageTooLarge',
    });
    // Far over the frame limit: the server drops the socket rather than buffer it.
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(Buffer.alloc(65 * 1024 * 1024, 0x20), { binary: false });
    const code = await closed;
    rows.push({
      case: 'R4 web 65 MB frame',
      expected: 'socket closed 1009',
      got: `closed ${code}`,
      pass: code === 1009,
    });
    const again = await open();
    const list = await call(again, JSON.stringify({ id: 2, method: 'projects:list' }));
    again.close();
    const served = list.ok === true && Array.isArray(list.result) && list.result.length === 1;
    rows.push({
      case: 'R4 web serves after both',
      expected: 'projects:list ok',
      got: served ? 'ok' : JSON.stringify(list).slice(0, 80),
      pass: served,
    });
    expect(bigGot).toBe('MessageTooLarge');
    expect(code).toBe(1009);
    expect(served).toBe(true);
  }, 60_000);
});
