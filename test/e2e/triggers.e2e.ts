/**
 * Triggers in Chromium through `lambench serve`: a function's Triggers tab, a rate(1 minute) schedule
 * switched on (the serve's clock runs 60× fast, so a minute passes in a second) and its invocation in
 * History, a file dropped into a bucket folder, and an HTTP route's link opened.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
const work = mkdtempSync(join(tmpdir(), 'lambench-triggers-e2e-'));
chmodSync(work, 0o755);
const projects: Record<string, number> = {};

beforeAll(async () => {
  served = await startServe({ LAMBENCH_CLOCK_SCALE: '60' });
  ({ client, close: closeClient } = connectClient(served));
  for (const name of ['triggers-misc', 'hello-httpapi']) {
    cpSync(`test/fixtures/projects/${name}`, join(work, name), { recursive: true });
    projects[name] = (await client.call('projects:open', { path: join(work, name) })).id;
  }
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  await page.goto(served.url);
});
afterAll(async () => {
  closeClient?.();
  await browser?.close();
  await served?.stop();
});

const tree = () => page.getByRole('tree', { name: 'Projects and functions' });
const tab = (name: string | RegExp) =>
  page.getByRole('tablist', { name: 'Function' }).getByRole('tab', { name });
const card = (eventId: string) => page.locator(`[data-testid="trigger-card"][data-event="${eventId}"]`);

async function openTriggers(functionId: string): Promise<void> {
  await tree().getByRole('treeitem', { name: functionId }).click();
  await expect.poll(() => page.getByRole('heading', { name: functionId }).isVisible()).toBe(true);
  await tab(/^Triggers/).click();
  await expect.poll(() => page.getByTestId('trigger-card').count()).toBeGreaterThan(0);
}

describe('Triggers in the browser', () => {
  it('lists a function’s schedules, off, with their next runs and the unsupported ones', async () => {
    await openTriggers('TickFunction');
    expect(await card('EveryMinute').getAttribute('data-state')).toBe('off');
    expect(await card('Off').getByTestId('trigger-state').textContent()).toBe('Disabled');
    expect(await card('Broken').getAttribute('data-state')).toBe('error');
    expect(await card('Nightly').getByTestId('next-fire-times').locator('li').count()).toBe(5);
    expect(await page.getByTestId('http-port').textContent()).toMatch(/^HTTP :\d+$/);
    await screenshotBothThemes(page, 'triggers-schedules-off');
  });

  it('switches schedules on and shows the invocation the schedule caused, also in History', async () => {
    await page.getByTestId('schedules-switch').click();
    await expect.poll(() => card('EveryMinute').getAttribute('data-state')).toBe('on');
    // A minute of the serve's clock is a second of ours.
    await expect
      .poll(() => card('EveryMinute').getByTestId('trigger-invocation').count(), { timeout: 60_000 })
      .toBeGreaterThan(0);
    await screenshotBothThemes(page, 'triggers-schedules-on');
    await page.getByTestId('schedules-switch').click();
    await expect.poll(() => card('EveryMinute').getAttribute('data-state')).toBe('off');

    await tab('History').click();
    const row = page.getByTestId('history-row').first();
    await expect.poll(() => row.isVisible(), { timeout: 10_000 }).toBe(true);
    await row.click();
    await expect
      .poll(() => page.getByTestId('detail-trigger').textContent())
      .toMatch(/schedule\s*·\s*TickFunctionEveryMinute/);
  });

  it('turns a file dropped into the bucket folder into an invocation', async () => {
    await openTriggers('UploadFunction');
    const folder = join(work, 'triggers-misc/.lambench/s3/uploads-bucket');
    expect(await card('Photos').textContent()).toContain(folder);
    mkdirSync(join(folder, 'photos'), { recursive: true });
    writeFileSync(join(folder, 'photos', 'cat.jpg'), 'meow');
    await expect
      .poll(() => card('Photos').getByTestId('trigger-invocation').first().textContent(), { timeout: 20_000 })
      .toContain('photos/cat.jpg');
    await screenshotBothThemes(page, 'triggers-s3');
  });

  it('sends a message to a queue and shows the batch it caused', async () => {
    await openTriggers('QueueFunction');
    const jobs = card('Jobs');
    await jobs.getByRole('textbox', { name: 'Message body' }).fill('{"job": 1}');
    await jobs.getByTestId('send-message').click();
    await jobs.getByTestId('send-message').click(); // a second one fills the batch of 2
    await expect
      .poll(() => jobs.getByTestId('trigger-invocation').count(), { timeout: 60_000 })
      .toBeGreaterThan(0);
    await expect.poll(() => jobs.getByTestId('queue-depth').textContent()).toBe('0 waiting · 0 in flight');
    await screenshotBothThemes(page, 'triggers-sqs');
  });

  it('opens an HTTP route from its link', async () => {
    await openTriggers('HelloWorldFunction');
    const link = card('Hello').getByTestId('route-link');
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hello\/name$/);
    await screenshotBothThemes(page, 'triggers-http');
    const [popup] = await Promise.all([page.waitForEvent('popup'), link.click()]);
    await popup.waitForLoadState();
    const event = JSON.parse((await popup.locator('body').textContent())!);
    expect(event).toMatchObject({ routeKey: 'GET /hello/{name}', pathParameters: { name: 'name' } });
    await popup.close();
    await expect
      .poll(() => card('Hello').getByTestId('trigger-invocation').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
  });

  it('shows a port in use in the status bar, and Settings moves the HTTP API to a free one', async () => {
    const listen = () =>
      new Promise<net.Server>((resolve) => {
        const server = net.createServer().listen(0, '127.0.0.1', () => resolve(server));
      });
    const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
    const taken = await listen();
    const spare = await listen();
    const free = portOf(spare);
    await new Promise((r) => spare.close(r));
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
      const input = page.locator('#httpApiPort');
      await input.fill(String(portOf(taken)));
      await input.press('Enter');
      await expect
        .poll(() => page.getByTestId('http-port').textContent())
        .toContain(`HTTP port ${portOf(taken)} in use`);
      await input.scrollIntoViewIfNeeded();
      await screenshotBothThemes(page, 'triggers-port-in-use');
      await input.fill(String(free));
      await input.press('Enter');
      await expect.poll(() => page.getByTestId('http-port').textContent()).toBe(`HTTP :${free}`);
      expect((await fetch(`http://127.0.0.1:${free}/hello/x`)).status).toBe(200);
    } finally {
      taken.close();
    }
  });
});
