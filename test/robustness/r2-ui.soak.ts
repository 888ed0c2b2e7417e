/**
 * R2: 20 projects × 5 functions open and warm, and the UI stays responsive: the real UI (web mode, the
 * built renderer, Debian's Chromium) renders the tree of 100 functions, and opening a function while all
 * 100 environments are warm answers quickly. Needs `npm run build` (the soak script runs it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { percentile } from '../../bench/report';
import { createClient, type WorkbenchClient } from '../../shared/rpc/client';
import { createWebSocketTransport } from '../../shared/rpc/ws-transport';
import { launchBrowser, screenshot } from '../support/browser';
import { startServe, type Served } from '../support/serve';
import { report, type SoakRow } from './report';

const PROJECTS = 20;
const FUNCTIONS = ['Orders', 'Payments', 'Invoices', 'Shipping', 'Notify'];
const FIVE_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), '../fixtures/robustness/five');
const built = fs.existsSync('out/renderer/index.html');
if (!built) report([], ['R2 UI: not run (no build: run `npm run build` first)']);

const rows: SoakRow[] = [];
let served: Served | undefined;
let browser: Browser | undefined;
let client: WorkbenchClient | undefined;
let close: (() => void) | undefined;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-soak-ui-'));
fs.chmodSync(work, 0o755);

afterAll(async () => {
  report(rows);
  await client?.call('environments:stopAll').catch(() => undefined);
  close?.();
  await browser?.close();
  await served?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe.runIf(built)('R2 UI with 100 warm functions', () => {
  it('renders the tree of 100 functions and opens functions quickly while all are warm', async () => {
    served = await startServe();
    const transport = createWebSocketTransport(
      `ws://127.0.0.1:${new URL(served.url).port}/api?token=${served.token}`,
      (url) => new WebSocket(url, { headers: { Origin: served!.origin } }) as never,
    );
    close = () => transport.close();
    client = createClient(transport);
    const ids: number[] = [];
    for (let i = 0; i < PROJECTS; i++) {
      const dir = path.join(work, `shop-${String(i + 1).padStart(2, '0')}`);
      fs.cpSync(FIVE_DIR, dir, { recursive: true });
      ids.push((await client.call('projects:open', { path: dir })).id);
    }
    // Warm all 100, ten at a time (under the default machine-wide limit of 20).
    const calls = ids.flatMap((projectId) => FUNCTIONS.map((functionId) => ({ projectId, functionId })));
    let warm = 0;
    for (let i = 0; i < calls.length; i += 10) {
      const batch = await Promise.all(
        calls.slice(i, i + 10).map((c) => client!.call('functions:invoke', { ...c, payload: '{}' })),
      );
      warm += batch.filter((r) => r.status === 'success').length;
    }

    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    const t0 = performance.now();
    await page.goto(served.url);
    const fnItems = page.locator('[role="treeitem"][aria-level="2"]');
    await expect.poll(() => fnItems.count(), { timeout: 30_000 }).toBe(PROJECTS * FUNCTIONS.length);
    const treeMs = performance.now() - t0;

    // Open functions across the tree: click → its heading shows.
    const opens: number[] = [];
    for (const index of [3, 17, 42, 58, 71, 86, 99, 0, 50, 25]) {
      const item = fnItems.nth(index);
      const name = (await item.getAttribute('aria-label')) ?? (await item.innerText()).trim().split('\n')[0];
      const t1 = performance.now();
      await item.click();
      await page.getByRole('heading', { name, exact: true }).waitFor({ timeout: 10_000 });
      opens.push(performance.now() - t1);
    }
    opens.sort((a, b) => a - b);
    await screenshot(page, 'soak-100-functions');

    rows.push(
      {
        case: 'R2 UI 100 functions warm',
        expected: '100 warm environments',
        got: `${warm} warm`,
        pass: warm === PROJECTS * FUNCTIONS.length,
      },
      {
        case: 'R2 UI tree renders 100 functions',
        expected: 'from page load, in a few seconds',
        got: `${treeMs.toFixed(0)} ms`,
        pass: treeMs < 5000,
      },
      {
        case: 'R2 UI opens a function (10 clicks)',
        expected: 'click → heading fast while all are warm',
        got: `p50 ${percentile(opens, 50).toFixed(0)} ms, max ${opens[opens.length - 1].toFixed(0)} ms`,
        pass: opens[opens.length - 1] < 1000,
      },
    );
    expect(warm).toBe(PROJECTS * FUNCTIONS.length);
  }, 600_000);
});
