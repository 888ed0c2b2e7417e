import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { WorkbenchClient } from '../../shared/rpc/client';
import { launchBrowser } from './browser';
import { connectClient } from './client';
import { startServe, type Served } from './serve';

export interface ServedWorkbench {
  served: Served;
  /** The engine's API beside the browser, to set a scene up the way a script would. */
  client: WorkbenchClient;
  browser: Browser;
}

/** For one e2e file: `lambench serve`, an API client and Chromium, started before its tests and stopped after. */
export function servedWorkbench(): ServedWorkbench {
  const e2e = {} as ServedWorkbench;
  let closeClient: (() => void) | undefined;
  beforeAll(async () => {
    e2e.served = await startServe();
    ({ client: e2e.client, close: closeClient } = connectClient(e2e.served));
    e2e.browser = await launchBrowser();
  });
  afterAll(async () => {
    closeClient?.();
    await e2e.browser?.close();
    await e2e.served?.stop();
  });
  return e2e;
}
