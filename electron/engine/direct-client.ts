import { createClient, type WorkbenchClient } from '../../shared/rpc/client';
import { dispatch } from '../../shared/rpc/dispatch';
import type { Engine } from './engine';

/** The in-process transport, for the CLI and tests: same validation and error shape as the others. */
export function createDirectClient(engine: Engine): WorkbenchClient {
  return createClient({
    send: (method, input) => dispatch(engine.handlers, method, input),
    subscribe: (listener) => engine.events.subscribe(listener),
  });
}
