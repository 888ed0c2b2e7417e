import type { EventName, Events, Input, MethodName, Output } from '../contract';
import { fromWireError } from './errors';
import type { Reply } from './envelope';

/** The one client every side uses; a transport only supplies `send` and `subscribe`. */
export interface WorkbenchClient {
  /** Input is optional in the type for methods that take none; the schema still checks it at the boundary. */
  call<M extends MethodName>(method: M, input?: Input<M>): Promise<Output<M>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

export interface Transport {
  send(method: string, input: unknown): Promise<Reply>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

export function createClient(transport: Transport): WorkbenchClient {
  const listeners = new Map<string, Set<(payload: never) => void>>();
  let unsubscribe: (() => void) | undefined;
  return {
    async call(method, input) {
      const reply = await transport.send(method, input);
      if (!reply.ok) throw fromWireError(reply.error);
      return reply.result as never;
    },
    on(event, listener) {
      unsubscribe ??= transport.subscribe((name, payload) => {
        for (const l of listeners.get(name) ?? []) l(payload as never);
      });
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
}
