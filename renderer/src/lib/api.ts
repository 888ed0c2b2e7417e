import { createClient, type WorkbenchClient } from '../../../shared/rpc/client';
import { createWebSocketTransport } from '../../../shared/rpc/ws-transport';

interface PreloadBridge {
  call(method: string, input: unknown): Promise<import('../../../shared/rpc/envelope').Reply>;
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    lambench?: PreloadBridge;
  }
}

/** Electron's preload bridge when present, else the web-mode WebSocket: the UI cannot tell the difference. */
function connect(): { client: WorkbenchClient; onConnection?: (l: (connected: boolean) => void) => void } {
  const bridge = window.lambench;
  if (bridge) return { client: createClient({ send: bridge.call, subscribe: bridge.onEvent }) };
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const transport = createWebSocketTransport(`${scheme}://${location.host}/api`);
  return { client: createClient(transport), onConnection: (l) => transport.onConnection(l) };
}

const connection = connect();
export const api = connection.client;
export const onConnection = connection.onConnection;
