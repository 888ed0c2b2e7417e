/**
 * The Cost view in Chromium (web mode): a blueprint function invoked over the API, its measured p50 filling
 * in the projection, 5M requests a month priced and charted, bad input refused in place, and a small
 * memory sweep drawn on two axes with its recommendations.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUsd } from '../../shared/pricing';
import type { WorkbenchClient } from '../../shared/rpc/client';
import { connectClient } from '../support/client';
import { launchBrowser, screenshot } from '../support/browser';
import { startServe, type Served } from '../support/serve';

let served: Served;
let browser: Browser;
let closeClient: (() => void) | undefined;
let client: WorkbenchClient;
let projectId: number;

beforeAll(async () => {
  served = await startServe();
  browser = await launchBrowser();
  ({ client, close: closeClient } = connectClient(served));
  projectId = (
    await client.call('projects:create', { blueprint: 'nodejs22-hello', path: join(served.home, 'hello') })
  ).id;
  for (let i = 0; i < 3; i++) {
    const r = await client.call('functions:invoke', {
      projectId,
      functionId: 'HelloWorldFunction',
      payload: '{}',
    });
    expect(r.status).toBe('success');
  }
});
afterAll(async () => {
  closeClient?.();
  await browser?.close();
  await served?.stop();
});

/** The canvas as this (DOM-less) test project sees it. */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}

/** Painted pixels of a canvas: a chart that rendered nothing has none. */
const paintedPixels = (canvas: Locator) =>
  canvas.evaluate((el) => {
    const c = el as unknown as CanvasLike;
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });

async function openCost(page: Page): Promise<void> {
  await page.goto(served.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Cost' }).click();
  await page.getByRole('heading', { name: 'Cost', level: 1 }).waitFor();
}

describe('Cost view', () => {
  it('projects a month from the measured p50, charts it, and refuses bad input in place', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 }, colorScheme: 'light' });
    await openCost(page);
    const usage = await client.call('cost:function', { projectId, functionId: 'HelloWorldFunction' });
    expect(usage.count).toBe(3);

    await page.getByTestId('measured-function').selectOption('HelloWorldFunction');
    await expect.poll(() => page.getByTestId('cost-duration').inputValue()).toBe(String(usage.durationMs));
    expect(await page.getByTestId('measured-note').textContent()).toMatch(
      new RegExp(
        `p50 billed duration \\(${usage.durationMs} ms\\) of\\s+3 successful invocations\\s+at 128 MB`,
      ),
    );

    await page.getByTestId('cost-requests').fill('5000000');
    await page.getByTestId('cost-per').selectOption('month');
    const expected = await client.call('cost:monthly', {
      requests: 5e6,
      durationMs: usage.durationMs!,
      memoryMb: 128,
      freeTier: true,
    });
    await expect
      .poll(() => page.getByTestId('cost-total').textContent())
      .toBe(formatUsd(expected.totalUsd, { digits: 2 }));
    const curve = page.getByTestId('cost-curve').locator('canvas');
    await expect.poll(() => paintedPixels(curve)).toBeGreaterThan(2000);

    // The per-function bars price the same volume without the free tier.
    await expect.poll(() => paintedPixels(page.getByTestId('project-bars'))).toBeGreaterThan(500);
    await screenshot(page, 'cost-projection');

    // Bad input: the field says why and the last good figures stay (dimmed) rather than vanish.
    await page.getByTestId('cost-requests').fill('-5');
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toBe('Requests must be more than 0');
    expect(await page.getByTestId('cost-total').textContent()).toBe(
      formatUsd(expected.totalUsd, { digits: 2 }),
    );
    await page.getByTestId('cost-requests').fill('5000000');
    await page.getByTestId('cost-memory').fill('64');
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toBe('Lambda memory is 128–10,240 MB');
    await screenshot(page, 'cost-bad-input');
    await page.getByTestId('cost-memory').fill('128');
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    await page.close();
  });

  it('runs a small sweep and shows the two-axis chart and the recommendations', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1400 }, colorScheme: 'dark' });
    await openCost(page);
    await page.getByTestId('sweep-function').selectOption('HelloWorldFunction');
    const sizes = page.getByTestId('sweep-sizes');
    for (const mb of ['1024', '1536', '3008'])
      await sizes.getByRole('button', { name: mb, exact: true }).click();
    expect(await sizes.locator('button[aria-pressed=true]').allTextContents()).toEqual(['128', '256', '512']);
    await page.getByTestId('sweep-runs').fill('2');
    await page.getByTestId('sweep-start').click();

    await expect.poll(() => page.getByTestId('sweep-status').textContent(), { timeout: 90_000 }).toBe('done');
    await expect.poll(() => paintedPixels(page.getByTestId('sweep-chart'))).toBeGreaterThan(2000);
    const cheapest = await page.getByTestId('rec-cheapest').textContent();
    expect(cheapest).toMatch(/Cheapest\s*(128|256|512) MB/);
    expect(await page.getByTestId('rec-fastest').textContent()).toMatch(/Fastest\s*(128|256|512) MB/);
    expect(await page.getByTestId('sweep-history').locator('tbody tr').count()).toBe(1);

    // The weight at 1 (cost) makes balanced the cheapest. Both are read together: the last runs' figures can
    // land just after the status says done and move the cheapest.
    await page.getByTestId('sweep-weight').fill('1');
    const size = async (id: string) => /(\d+) MB/.exec((await page.getByTestId(id).textContent()) ?? '')?.[1];
    await expect
      .poll(async () => [await size('rec-cheapest'), await size('rec-balanced')])
      .toSatisfy(([c, b]) => c !== undefined && c === b);
    await page.getByTestId('sweep-chart').scrollIntoViewIfNeeded();
    await screenshot(page, 'cost-sweep-dark');
    await page.close();
  });

  it('refuses an event that is not JSON, and says why an always-failing function gets no recommendation', async () => {
    // A second function that always throws, added to template.yaml the way a developer would.
    const dir = join(served.home, 'hello');
    writeFileSync(
      join(dir, 'hello-world', 'fails.mjs'),
      "export const handler = async () => { throw new Error('nope'); };\n",
    );
    const template = readFileSync(join(dir, 'template.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'template.yaml'),
      template.replace(
        'Outputs:',
        '  FailsFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: hello-world/\n      Handler: fails.handler\n      Runtime: nodejs22.x\n\nOutputs:',
      ),
    );
    await expect
      .poll(async () => (await client.call('projects:functions', { projectId })).map((f) => f.id))
      .toContain('FailsFunction');

    const page = await browser.newPage({ viewport: { width: 1360, height: 1400 }, colorScheme: 'light' });
    await openCost(page);
    await expect
      .poll(() => page.getByTestId('sweep-function').locator('option').allTextContents())
      .toContain('FailsFunction');
    await page.getByTestId('sweep-function').selectOption('FailsFunction');
    await page.getByTestId('sweep-event').fill('{nope');
    await page.getByTestId('sweep-start').click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toMatch(/^Could not parse the event as JSON/);

    await page.getByTestId('sweep-event').fill('{}');
    const sizes = page.getByTestId('sweep-sizes');
    for (const mb of ['256', '512', '1024', '1536', '3008'])
      await sizes.getByRole('button', { name: mb, exact: true }).click();
    await page.getByTestId('sweep-runs').fill('2');
    await page.getByTestId('sweep-start').click();
    await expect.poll(() => page.getByTestId('sweep-status').textContent(), { timeout: 60_000 }).toBe('done');
    expect(await page.getByTestId('sweep-message').textContent()).toContain(
      'All 2 measured runs failed (first error: Error: nope). Failed runs are excluded, so no recommendation is possible.',
    );
    expect(await page.getByTestId('rec-cheapest').count()).toBe(0);
    await screenshot(page, 'cost-sweep-all-failed');
    await page.close();
  });
});
