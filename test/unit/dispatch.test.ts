import { describe, expect, it } from 'vitest';
import type { Handlers } from '../../shared/contract';
import { createClient } from '../../shared/rpc/client';
import { dispatch } from '../../shared/rpc/dispatch';
import { WorkbenchError } from '../../shared/rpc/errors';

const handlers = {
  'projects:open': async ({ path }: { path: string }) => ({
    id: 7,
    name: 'demo',
    path,
    missing: false,
    openedAt: 1,
  }),
  'projects:functions': async () => {
    throw new WorkbenchError('ProjectNotFound', 'No project 42', { projectId: 42 });
  },
} as unknown as Handlers;

describe('dispatch: the boundary every transport shares', () => {
  it('passes validated input to the handler', async () => {
    const reply = await dispatch(handlers, 'projects:open', { path: '/tmp/demo' });
    expect(reply).toEqual({
      ok: true,
      result: { id: 7, name: 'demo', path: '/tmp/demo', missing: false, openedAt: 1 },
    });
  });

  it('refuses unknown methods, including inherited property names', async () => {
    for (const method of ['projects:nuke', 'toString', '__proto__', 42]) {
      const reply = await dispatch(handlers, method, {});
      expect(reply.ok).toBe(false);
      if (!reply.ok) expect(reply.error.name).toBe('UnknownMethod');
    }
  });

  it('refuses input that does not match the schema, naming the field', async () => {
    const reply = await dispatch(handlers, 'projects:open', { path: 'relative/path', extra: 1 });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.name).toBe('ValidationError');
    expect(reply.error.message).toMatch(/path: must be an absolute path/);
    expect(reply.error.details).toMatchObject({ method: 'projects:open' });
  });

  it('rebuilds handler errors as real Errors with name, message and details', async () => {
    const client = createClient({ send: (m, i) => dispatch(handlers, m, i), subscribe: () => () => {} });
    const error = await client.call('projects:functions', { projectId: 42 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'ProjectNotFound',
      message: 'No project 42',
      details: { projectId: 42 },
    });
  });
});
