/**
 * Asynchronous invocation in Chromium through `lambench serve`: invoke a failing function asynchronously from
 * the Invoke tab, watch its three attempts arrive, find them in History, find the event in Dead letters,
 * open an attempt, and redrive it. Also the Invoke API that serve started (its URL in the output and the
 * snippet) and its Settings section.
 */
import { chmodSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchClient } from '../../shared/rpc/client';
import { connectClient } from '../support/client';
import { launchBrowser, screenshotBothThemes } from '../support/browser';
import { startServe, type Served } from '../support/serve';

let served: Served;
let browser: Browser;
let page: Page;
let client: WorkbenchClient;
let closeClient: () => void;
let projectId: number;
const work = mkdtempSync(join(tmpdir(), 'lambench-async-e2e-'));
chmodSync(work, 0o755);

beforeAll(async () => {
  // Retries a few hundred ms apart instead of Lambda's minutes, so the attempts can be watched arriving.
  served = await startServe({ LAMBENCH_ASYNC_RETRY_DELAYS_MS: '400,400' });
  ({ client, close: closeClient } = connectClient(served));
  cpSync(resolve('test/fixtures/projects/invoke-api'), join(work, 'invoke-api'), { recursive: true });
  projectId = (await client.call('projects:open', { path: join(work, 'invoke-api') })).id;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 820 }, colorScheme: 'light' });
  await page.goto(served.url);
});
afterAll(async () => {
  closeClient?.();
  await browser?.close();
  await served?.stop();
});

const shoot = (name: string) => screenshotBothThemes(page, name);
const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });

describe('asynchronous invocation in the browser', () => {
  it('serve prints the Invoke API URL beside the UI URL', () => {
    expect(served.invokeUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('invokes asynchronously from the Invoke tab and shows every attempt', async () => {
    const tree = page.getByRole('tree', { name: 'Projects and functions' });
    await tree.getByRole('treeitem', { name: 'Fails' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Fails' }).isVisible()).toBe(true);
    await page.getByRole('radiogroup', { name: 'Invocation type' }).getByText('Asynchronous').click();
    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    // The first attempt, then the two retries the engine starts by itself.
    const cards = page.getByTestId('invocation');
    await expect.poll(() => cards.count(), { timeout: 60_000 }).toBe(3);
    await expect
      .poll(async () => (await cards.getByTestId('invocation-async').allTextContents()).sort())
      .toEqual(['async · attempt 1', 'async · attempt 2', 'async · attempt 3']);
    await expect.poll(() => page.locator('[data-testid="invocation"][data-status="error"]').count()).toBe(3);
    await page.getByTestId('invoke-snippet').locator('summary').click();
    await expect
      .poll(() => page.getByTestId('invoke-snippet-code').textContent())
      .toContain(`endpoint: '${served.invokeUrl()}'`);
    await page.getByTestId('invocation').first().scrollIntoViewIfNeeded();
    await shoot('async-invoke-tab');
    await page.getByRole('tab', { name: 'AWS CLI' }).click();
    expect(await page.getByTestId('invoke-snippet-code').textContent()).toContain(
      `--endpoint-url ${served.invokeUrl()}`,
    );
    await page.getByTestId('invoke-snippet').scrollIntoViewIfNeeded();
    await shoot('async-invoke-snippet');
  });

  it('shows the attempts in History', async () => {
    await nav('History').click();
    const rows = page.getByTestId('history-row');
    await expect.poll(() => page.getByTestId('history-async').count()).toBe(3);
    expect((await page.getByTestId('history-async').allTextContents()).sort()).toEqual([
      'async·1',
      'async·2',
      'async·3',
    ]);
    await shoot('async-history-table');
    await rows.first().click();
    await expect
      .poll(() => page.getByTestId('detail-invocation-type').textContent())
      .toMatch(/Asynchronous \(Event\), attempt 3/);
    await shoot('async-history');
    await page.getByRole('button', { name: 'Close the detail' }).click();
  });

  it('lists the event in Dead letters, opens an attempt and redrives it', async () => {
    await nav('Dead letters').click();
    const letter = page.getByTestId('dead-letter');
    await expect.poll(() => letter.count()).toBe(1);
    expect(await letter.getByTestId('dead-letter-attempts').textContent()).toBe('3');
    expect(await letter.textContent()).toContain('Retries exhausted');
    expect(await letter.textContent()).toContain('Dead-letter queue');
    await letter.click();
    const attempts = page.getByTestId('dead-letter-attempt');
    await expect.poll(() => attempts.count()).toBe(3);
    await shoot('dead-letters');
    await attempts.nth(1).click();
    await expect
      .poll(() => page.getByTestId('invocation-detail').getByTestId('detail-invocation-type').textContent())
      .toMatch(/attempt 2/);
    await shoot('dead-letters-attempt-detail');
    await page.getByRole('button', { name: 'Close the detail' }).click();

    await letter.getByRole('button', { name: 'Redrive' }).click();
    // Redriven: three more attempts, and it lands in Dead letters again.
    await expect
      .poll(async () => (await client.call('async:list', { projectId, status: ['failed'] }))[0]?.redrives, {
        timeout: 60_000,
      })
      .toBe(1);
    await expect.poll(() => letter.textContent(), { timeout: 20_000 }).toContain('redriven 1×');
    // The row stays open through the redrive, and now lists both rounds of attempts.
    await expect.poll(() => attempts.count()).toBe(6);
  });

  it('shows a streamed response chunk by chunk while the function runs', async () => {
    await nav('Projects').click();
    await page
      .getByRole('tree', { name: 'Projects and functions' })
      .getByRole('treeitem', { name: 'Streams' })
      .click();
    await expect.poll(() => page.getByRole('heading', { name: 'Streams' }).isVisible()).toBe(true);
    await page
      .getByRole('radiogroup', { name: 'Invocation type' })
      .getByText('Synchronous', { exact: true })
      .click();
    await page.getByRole('textbox', { name: 'Event JSON' }).click();
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText('{"delay": 1500}');
    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    const streamed = page.getByTestId('streamed-response');
    await expect.poll(() => streamed.textContent(), { timeout: 30_000 }).toContain('chunk 1');
    expect(await page.getByTestId('invocation').first().getAttribute('data-status')).toBe('running');
    await shoot('streaming-response');
    await expect
      .poll(() => page.getByTestId('invocation').first().getAttribute('data-status'), { timeout: 30_000 })
      .toBe('success');
    expect(await page.getByTestId('invocation').first().getByTestId('response-body').textContent()).toContain(
      'done',
    );
  });

  it('shows where the Invoke API listens in Settings', async () => {
    await nav('Settings').click();
    const status = page.getByTestId('invoke-api-status');
    await expect.poll(() => status.textContent()).toContain(served.invokeUrl()!);
    await page.locator('#invoke-api').scrollIntoViewIfNeeded();
    await shoot('settings-invoke-api');
  });
});
