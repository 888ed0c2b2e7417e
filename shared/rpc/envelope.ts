import type { WireError } from './errors';

/** What every transport carries back for a call: a result or an error, never a thrown value. */
export type Reply = { ok: true; result: unknown } | { ok: false; error: WireError };

/** WebSocket frames. Calls and replies are matched by id; events carry no id. */
export type ClientFrame = { id: number; method: string; input?: unknown };
export type ServerFrame = ({ id: number } & Reply) | { event: string; payload: unknown };
