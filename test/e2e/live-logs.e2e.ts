/**
 * A live log that lost lines on the way (a dropped batch over the window's connection) is completed from
 * History when the invocation ends, each line in its place. The transport is the seam cut here; the engine,
 * the container and the record are real.
 */
import { chmodSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { screenshot } from '../support/browser';
import { servedWorkbench } from '../support/served-workbench';

const work = mkdtempSync(join(tmpdir(), 'lambench-live-logs-e2e-'));
chmodSync(work, 0o755);

const e2e = servedWorkbench();

describe('live logs', () => {
  it('completes from History a live log that lost a batch of lines', async () => {
    const dir = join(work, 'slow-logger');
    cpSync(resolve('test/fixtures/projects/slow-logger'), dir, { recursive: true });
    await e2e.client.call('projects:open', { path: dir });

    const page = await e2e.browser.newPage({ viewport: { width: 1280, height: 800 } });
    let dropped = 0;
    await page.routeWebSocket(/\/api/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        const text = m.toString();
        if (text.includes('"invocation:log"') && text.includes('first line: starting')) dropped++;
        else ws.send(m);
      });
    });
    await page.goto(e2e.served.url);
    await page.locator('[data-testid="docker-status"][data-state="connected"]').waitFor();
    const tree = page.getByRole('tree', { name: 'Projects and functions' });
    await tree.getByRole('treeitem', { name: 'SlowLoggerFunction' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'SlowLoggerFunction' }).isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    const card = page.getByTestId('invocation').first();
    const log = card.getByRole('log');
    await expect.poll(() => log.getByText('second line: done').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(dropped).toBeGreaterThan(0);
    // The result says how many lines there were: the missing ones are read from History, in their place.
    await expect.poll(() => log.getByText('first line: starting').isVisible()).toBe(true);
    const text = (await log.textContent()) ?? '';
    expect(text.indexOf('first line: starting')).toBeLessThan(text.indexOf('second line: done'));
    // Rows already on screen show the completed lines too (they showed stale ones, REPORT twice, before).
    expect(text).toMatch(/^1\s+START RequestId/);
    expect(text.split('REPORT RequestId').length - 1).toBe(1);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'live-logs-completed');
    await page.close();
  });
});
