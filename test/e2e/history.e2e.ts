/**
 * History in Chromium through `lambench serve`: a project made over the API, a success and a failure,
 * then the History view: filter by status, open the detail, re-run with the event, see the new row live.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { InvocationResult } from '../../shared/types';
import { screenshotBothThemes } from '../support/browser';
import { servedWorkbench } from '../support/served-workbench';

let page: Page;
const work = mkdtempSync(join(tmpdir(), 'lambench-history-e2e-'));
chmodSync(work, 0o755);

const e2e = servedWorkbench();

const shoot = (name: string) => screenshotBothThemes(page, name);

const rows = () => page.getByTestId('history-row');

describe('History in the browser', () => {
  let ok: InvocationResult;
  let failed: InvocationResult;

  it('records a success and a failure invoked over the API', async () => {
    const project = await e2e.client.call('projects:create', {
      blueprint: 'nodejs22-hello',
      path: join(work, 'hello'),
      name: 'hello',
    });
    // The blueprint's handler, taught to fail on demand.
    writeFileSync(
      join(work, 'hello/hello-world/app.mjs'),
      `export const lambdaHandler = async (event) => {
        console.log('order', event.order);
        if (event.fail) throw new TypeError('order ' + event.order + ' has no items');
        return { statusCode: 200, body: JSON.stringify({ ok: event.order }) };
      };\n`,
    );
    const invoke = (event: unknown) =>
      e2e.client.call('functions:invoke', {
        projectId: project.id,
        functionId: 'HelloWorldFunction',
        payload: JSON.stringify(event),
        trigger: 'api',
      });
    ok = await invoke({ order: 1 });
    failed = await invoke({ order: 2, fail: true });
    expect([ok.status, failed.status]).toEqual(['success', 'error']);
    expect(failed.error).toMatchObject({ type: 'TypeError', message: 'order 2 has no items' });
  });

  it('lists both, filters by status, opens the detail and re-runs the event into a new live row', async () => {
    page = await e2e.browser.newPage({ viewport: { width: 1024, height: 700 }, colorScheme: 'light' });
    await page.goto(e2e.served.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'History' }).click();
    await expect.poll(() => rows().count()).toBe(2);
    expect(await rows().nth(0).getAttribute('data-status')).toBe('error');
    expect(await rows().nth(0).textContent()).toContain(failed.requestId);
    expect(await rows().nth(1).textContent()).toContain(ok.requestId);
    await shoot('history-list');

    await page.getByRole('group', { name: 'Status' }).getByRole('button', { name: 'Failed' }).click();
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().getAttribute('data-status')).toBe('error');

    await rows().first().click();
    const detail = page.getByTestId('invocation-detail');
    await expect.poll(() => detail.getByTestId('detail-request-id').textContent()).toBe(failed.requestId);
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('TypeError');
    expect(text).toContain('order 2 has no items');
    expect(text).toContain(`REPORT RequestId: ${failed.requestId}`);
    expect(await detail.getByRole('region', { name: 'Event' }).textContent()).toContain('"fail": true');
    await shoot('history-detail');

    await detail.getByRole('button', { name: 'Re-run with this event' }).click();
    // The re-run fails the same way, so it shows under the Failed filter too, live, at the top.
    await expect.poll(() => rows().count(), { timeout: 30_000 }).toBe(2);
    const newest = await rows().first().textContent();
    expect(newest).not.toContain(failed.requestId);
    expect(await rows().nth(1).textContent()).toContain(failed.requestId);
    await expect.poll(() => detail.getByTestId('detail-request-id').textContent()).not.toBe(failed.requestId);
    expect(await detail.getByRole('region', { name: 'Event' }).textContent()).toContain('"order": 2');

    const recorded = await e2e.client.call('history:list', { status: ['error'], limit: 5 });
    expect(recorded.rows).toHaveLength(2);
    expect(recorded.rows[0]).toMatchObject({
      trigger: 'ui',
      functionId: 'HelloWorldFunction',
      status: 'error',
    });
    await shoot('history-rerun');
  });

  it('shows a function’s metrics', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('group', { name: 'Status' }).getByRole('button', { name: 'Failed' }).click();
    await page.getByTestId('filter-function').selectOption({ label: 'HelloWorldFunction · hello' });
    await page.getByRole('tab', { name: 'Metrics' }).click();
    const metrics = page.getByTestId('metrics-charts');
    await expect.poll(() => metrics.textContent()).toMatch(/Invocations\s*3/);
    expect(await metrics.locator('canvas').count()).toBe(3);
    await shoot('history-metrics');
  });
});
