import { resolveHome } from '../engine/home';
import { createDirectClient } from '../engine/direct-client';
import { createEngine } from '../engine/engine';
import type { WorkbenchClient } from '../../shared/rpc/client';

/** Runs `use` against an in-process engine over the direct transport, then shuts the engine down. */
export async function withEngine<T>(use: (client: WorkbenchClient) => Promise<T>): Promise<T> {
  const engine = await createEngine({ home: resolveHome() });
  try {
    return await use(createDirectClient(engine));
  } finally {
    await engine.close();
  }
}
