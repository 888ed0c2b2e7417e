import { contract, isMethodName, type Handlers } from '../contract';
import { toWireError, WorkbenchError } from './errors';
import type { Reply } from './envelope';

/**
 * The server half of every transport: checks the method exists, validates the input against the contract's
 * schema, runs the handler and folds any error into the reply.
 */
export async function dispatch(handlers: Handlers, method: unknown, input: unknown): Promise<Reply> {
  try {
    if (!isMethodName(method)) {
      throw new WorkbenchError('UnknownMethod', `Unknown method ${JSON.stringify(method)}`, {
        method: typeof method === 'string' ? method.slice(0, 200) : typeof method,
      });
    }
    const parsed = contract[method].input.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
      throw new WorkbenchError('ValidationError', `Invalid input for ${method}: ${summary}`, {
        method,
        issues,
      });
    }
    const handler = handlers[method] as (input: unknown) => Promise<unknown>;
    return { ok: true, result: await handler(parsed.data) };
  } catch (error) {
    return { ok: false, error: toWireError(error) };
  }
}
