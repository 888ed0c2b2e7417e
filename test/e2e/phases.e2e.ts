/**
 * Issue 16 in Chromium through `lambench serve`: a cold start's phases in the History detail (the container
 * create apart from its start, then init and the handler, as the engine recorded them), a provisioned
 * function's REPORT (warm from the first invoke, at provisioned prices) and the Cost tab's projection with
 * provisioned concurrency.
 */
import { chmodSync, cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type WorkbenchClient } from '../../shared/rpc/client';
import { createWebSocketTransport } from '../../shared/rpc/ws-transport';
import { formatUsd } from '../../shared/pricing';
import { launchBrowser, screenshotBothThemes } from '../support/browser';
import { startServe, type Served } from '../support/serve';

let served: Served;
let browser: Browser;
let client: WorkbenchClient;
let closeClient: () => void;
const work = mkdtempSync(join(tmpdir(), 'lambench-phases-e2e-'));
chmodSync(work, 0o755);

beforeAll(async () => {
  served = await startServe();
  const transport = createWebSocketTransport(
    `${served.origin.replace('http', 'ws')}/api?token=${served.token}`,
    (url) => new WebSocket(url, { headers: { Origin: served.origin } }) as never,
  );
  client = createClient(transport);
  closeClient = () => transport.close();
  browser = await launchBrowser();
});
afterAll(async () => {
  closeClient?.();
  await browser?.close();
  await served?.stop();
});

describe('cold-start phases', () => {
  it('shows container create, container start, init and invoke for a cold invoke', async () => {
    const project = await client.call('projects:create', {
      blueprint: 'nodejs22-hello',
      path: join(work, 'hello'),
      name: 'hello',
    });
    const cold = await client.call('functions:invoke', {
      projectId: project.id,
      functionId: 'HelloWorldFunction',
      payload: '{}',
      trigger: 'api',
    });
    expect(cold).toMatchObject({ status: 'success', coldStart: true });
    const detail = await client.call('history:get', { invocationId: cold.invocationId });
    const { createMs, startMs, containerStartMs } = detail.phases;
    expect(createMs).toBeGreaterThan(0);
    expect(startMs).toBeGreaterThan(0);
    expect(createMs! + startMs!).toBeCloseTo(containerStartMs!, 1);

    const page = await browser.newPage({ viewport: { width: 1024, height: 700 }, colorScheme: 'light' });
    await page.goto(served.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'History' }).click();
    await page.getByTestId('history-row').first().click();
    const phases = page.getByTestId('invocation-detail').getByRole('region', { name: 'Phases' });
    await phases.scrollIntoViewIfNeeded();
    const label = (await phases.getByRole('img').getAttribute('aria-label')) ?? '';
    expect(label).toMatch(
      /^Container create .+, Container start .+, Init \(to runtime ready\) .+, Invoke .+$/,
    );
    await screenshotBothThemes(page, 'history-phases');

    // A code change: the next cold start takes the spare the first one left, so no container start is waited for.
    writeFileSync(
      join(work, 'hello', 'hello-world', 'app.mjs'),
      'export const lambdaHandler = async () => ({ statusCode: 200, body: "v2" });\n',
    );
    await new Promise((r) => setTimeout(r, 500));
    const fromSpare = await client.call('functions:invoke', {
      projectId: project.id,
      functionId: 'HelloWorldFunction',
      payload: '{}',
      trigger: 'api',
    });
    expect(fromSpare).toMatchObject({
      status: 'success',
      coldStart: true,
      response: expect.stringContaining('v2'),
    });
    expect((await client.call('history:get', { invocationId: fromSpare.invocationId })).phases).toMatchObject(
      {
        containerStartMs: 0,
        spareBootMs: expect.any(Number),
      },
    );
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'History' }).click();
    await page.getByTestId('history-row').first().click();
    await phases.scrollIntoViewIfNeeded();
    expect(await phases.getByRole('img').getAttribute('aria-label')).toMatch(
      /^Init \(to runtime ready\) .+, Invoke .+$/,
    );
    expect(await phases.textContent()).toContain('Started from a spare');
    await screenshotBothThemes(page, 'history-phases-spare');
  });

  it('prices a month on provisioned concurrency in the Cost tab', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 }, colorScheme: 'light' });
    await page.goto(served.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Cost' }).click();
    await page.getByRole('heading', { name: 'Cost', level: 1 }).waitFor();
    await page.getByTestId('cost-requests').fill('5000000');
    await page.getByTestId('cost-per').selectOption('month');
    await page.getByTestId('cost-duration').fill('120');
    await page.getByTestId('cost-provisioned').fill('2');
    const expected = await client.call('cost:monthly', {
      requests: 5e6,
      per: 'month',
      durationMs: 120,
      memoryMb: Number(await page.getByTestId('cost-memory').inputValue()),
      provisionedConcurrency: 2,
    });
    expect(expected.provisioned?.concurrency).toBe(2);
    await expect
      .poll(() => page.getByTestId('cost-provisioned-usd').textContent())
      .toBe(formatUsd(expected.provisioned!.usd, { digits: 2 }));
    await expect
      .poll(() => page.getByTestId('cost-total').textContent())
      .toBe(formatUsd(expected.totalUsd, { digits: 2 }));
    await screenshotBothThemes(page, 'cost-provisioned');
  });

  it('shows a provisioned function first invoke as warm, at the provisioned price', async () => {
    const dir = join(work, 'provisioned');
    cpSync(join(import.meta.dirname, '../fixtures/functions/provisioned'), dir, { recursive: true });
    const project = await client.call('projects:open', { path: dir });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    await page.goto(served.url);
    const tree = page.getByRole('tree', { name: 'Projects and functions' });
    await tree
      .getByRole('treeitem', { name: /provisioned/ })
      .first()
      .click();
    await tree.getByRole('treeitem', { name: 'Warm' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Warm' }).isVisible()).toBe(true);
    // The environments start when the project opens; the engine counts them once they are ready.
    const warm = async () =>
      (await client.call('environments:list')).functions.find(
        (f) => f.projectId === project.id && f.functionId === 'Warm',
      )?.count;
    await expect.poll(warm, { timeout: 30_000 }).toBe(2);
    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    const card = page.getByTestId('invocation').first();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 30_000 }).toBe('success');
    expect(await card.getByTestId('report-init').textContent()).toContain('provisioned');
    expect(await card.textContent()).toContain('provisioned)');
    await screenshotBothThemes(page, 'report-provisioned');

    // The Configuration tab shows the template's setting and overrides it for this function at once.
    await page.getByRole('tablist', { name: 'Function' }).getByRole('tab', { name: 'Configuration' }).click();
    const field = page.getByTestId('provisioned-field');
    expect(await field.textContent()).toContain('From template.yaml');
    await field.getByLabel('Provisioned concurrency').fill('1');
    await field.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => field.textContent()).toContain('Lambench setting, over the template');
    // Saved as the setting; the second environment goes back to keep-alive (still warm, no longer kept).
    const { settings } = await client.call('settings:get');
    expect(settings.provisionedConcurrency).toEqual({ [`${project.id}/Warm`]: 1 });
    await field.scrollIntoViewIfNeeded();
    await screenshotBothThemes(page, 'config-provisioned');
  });
});
