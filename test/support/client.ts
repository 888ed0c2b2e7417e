import WebSocket from 'ws';
import { createClient, type WorkbenchClient } from '../../shared/rpc/client';
import { createWebSocketTransport } from '../../shared/rpc/ws-transport';
import type { Served } from './serve';

/** The engine's API as a second client beside the browser: the same WebSocket, token and Origin as the UI's. */
export function connectClient(served: Served): { client: WorkbenchClient; close: () => void } {
  const transport = createWebSocketTransport(
    `${served.origin.replace('http', 'ws')}/api?token=${served.token}`,
    (url) => new WebSocket(url, { headers: { Origin: served.origin } }) as never,
  );
  return { client: createClient(transport), close: () => transport.close() };
}
