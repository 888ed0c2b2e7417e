import { get } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Handlers } from '../../shared/contract';
import { createClient } from '../../shared/rpc/client';
import { createWebSocketTransport } from '../../shared/rpc/ws-transport';
import type { Engine } from '../../electron/engine/engine';
import { EventBus } from '../../electron/engine/event-bus';
import { MAX_MESSAGE_BYTES, startWebServer, type WebServer } from '../../electron/server/web-server';

// The engine is a seam here: this test is about the transport, so a two-method engine stands in.
const events = new EventBus();
const engine = {
  events,
  handlers: {
    'projects:open': async ({ path }: { path: string }) => ({
      id: 1,
      name: 'x',
      path,
      missing: false,
      openedAt: 0,
    }),
    'projects:list': async () => [],
  } as unknown as Handlers,
  close: async () => {},
} as Engine;

let server: WebServer;
let origin: string;
beforeAll(async () => {
  const rendererDir = mkdtempSync(join(tmpdir(), 'lambench-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<title>Lambench</title>');
  server = await startWebServer(engine, { rendererDir });
  origin = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

const socket = (query = `?token=${server.token}`, headers: Record<string, string> = { Origin: origin }) =>
  new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { headers, maxPayload: 0 });

function call(ws: WebSocket, raw: string | Buffer): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data))));
    ws.send(raw);
  });
}

const opened = (ws: WebSocket) =>
  new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

describe('web mode server', () => {
  it('serves the UI only with the token, then by cookie', async () => {
    expect((await fetch(`${origin}/`)).status).toBe(403);
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Lambench');
    expect(ok.headers.get('set-cookie')).toMatch(/lambench_token=.*HttpOnly; SameSite=Strict/);
  });

  it('refuses foreign Hosts and Origins, and a wrong token', async () => {
    // fetch() cannot forge Host, so a raw request plays the DNS-rebinding page.
    const wrongHost = await new Promise<{ status?: number; body: string }>((resolve) =>
      get(server.url, { headers: { Host: `evil.example:${server.port}` } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode, body }));
      }),
    );
    expect(wrongHost).toEqual({ status: 403, body: 'Host not allowed' });
    await expect(opened(socket(undefined, { Origin: 'http://evil.example' }))).rejects.toThrow(/403/);
    await expect(opened(socket('?token=wrong'))).rejects.toThrow(/403/);
  });

  it('carries calls, errors and events through the generic client', async () => {
    const transport = createWebSocketTransport(
      `ws://127.0.0.1:${server.port}/api?token=${server.token}`,
      (url) => new WebSocket(url, { headers: { Origin: origin } }) as never,
    );
    const client = createClient(transport);
    expect(await client.call('projects:open', { path: '/srv/app' })).toMatchObject({ path: '/srv/app' });
    await expect(client.call('projects:open', { path: 'nope' })).rejects.toMatchObject({
      name: 'ValidationError',
    });
    const seen = new Promise((resolve) => client.on('docker:status', resolve));
    events.emit('docker:status', { state: 'connected', endpoint: 'unix:///x', checkedAt: 1 });
    expect(await seen).toMatchObject({ state: 'connected' });
    transport.close();
  });

  it('answers bad messages clearly and keeps serving', async () => {
    const ws = socket();
    await opened(ws);
    expect(await call(ws, '{not json')).toMatchObject({ ok: false, error: { name: 'BadMessage' } });
    expect(await call(ws, JSON.stringify({ id: 1 }))).toMatchObject({ id: 1, error: { name: 'BadMessage' } });
    expect(await call(ws, JSON.stringify({ id: 2, method: 'rm -rf' }))).toMatchObject({
      id: 2,
      error: { name: 'UnknownMethod' },
    });
    const huge = JSON.stringify({ id: 3, method: 'projects:list', input: 'x'.repeat(MAX_MESSAGE_BYTES) });
    expect(await call(ws, huge)).toMatchObject({ id: 3, error: { name: 'MessageTooLarge' } });
    expect(await call(ws, JSON.stringify({ id: 4, method: 'projects:list' }))).toEqual({
      id: 4,
      ok: true,
      result: [],
    });
    ws.close();
  });
});
