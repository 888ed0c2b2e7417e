import type { Reply, ServerFrame } from './envelope';
import type { Transport } from './client';

type Socket = Pick<WebSocket, 'send' | 'close' | 'readyState'> & {
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
};
const OPEN = 1;
type SocketFactory = (url: string) => Socket;

export interface WebSocketTransport extends Transport {
  /** Reports connection changes, so the UI can say when the engine is unreachable. */
  onConnection(listener: (connected: boolean) => void): () => void;
  close(): void;
}

/**
 * The web-mode transport. It reconnects whenever the socket closes, for any reason (not only on error),
 * because a stream that silently ends is worse than one that fails loudly.
 */
export function createWebSocketTransport(
  url: string,
  factory: SocketFactory = (u) => new WebSocket(u) as unknown as Socket,
): WebSocketTransport {
  let socket: Socket;
  let nextId = 1;
  let closed = false;
  let backoff = 250;
  let waiting: Array<() => void> = [];
  const pending = new Map<number, (reply: Reply) => void>();
  const eventListeners = new Set<(event: string, payload: unknown) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();

  const connect = () => {
    socket = factory(url);
    socket.onopen = () => {
      backoff = 250;
      connectionListeners.forEach((l) => l(true));
      waiting.forEach((wake) => wake());
      waiting = [];
    };
    socket.onmessage = ({ data }) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      if ('event' in frame) eventListeners.forEach((l) => l(frame.event, frame.payload));
      else pending.get(frame.id)?.(frame);
    };
    socket.onerror = () => {};
    socket.onclose = ({ code, reason }) => {
      const why = reason || (code === 1009 ? 'the message was too large' : `the connection closed (${code})`);
      for (const [id, settle] of pending) {
        pending.delete(id);
        settle({ ok: false, error: { name: 'ConnectionLost', message: `Lost the engine: ${why}` } });
      }
      connectionListeners.forEach((l) => l(false));
      if (!closed) setTimeout(connect, (backoff = Math.min(backoff * 2, 5000)));
    };
  };
  connect();

  return {
    async send(method, input) {
      if (socket.readyState !== OPEN) await new Promise<void>((wake) => waiting.push(wake));
      const id = nextId++;
      return new Promise<Reply>((resolve) => {
        pending.set(id, (reply) => {
          pending.delete(id);
          resolve(reply);
        });
        socket.send(JSON.stringify({ id, method, input }));
      });
    },
    subscribe(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    close() {
      closed = true;
      socket.close();
    },
  };
}
