/**
 * Versions and aliases in Chromium through `lambench serve`: publish from the Versions tab, change the code and
 * publish again, make a weighted alias, see Lambda refuse a delete, invoke the alias from the Invoke tab, and
 * find the executed version in History.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshotBothThemes } from '../support/browser';
import { servedWorkbench } from '../support/served-workbench';

let page: Page;
const work = mkdtempSync(join(tmpdir(), 'lambench-versions-e2e-'));
chmodSync(work, 0o755);
const code = join(work, 'shop/hello-world/app.mjs');
const writeCode = (mark: string) =>
  writeFileSync(
    code,
    `export const lambdaHandler = async () => ({ statusCode: 200, body: '${mark}', version: process.env.AWS_LAMBDA_FUNCTION_VERSION });\n`,
  );

const e2e = servedWorkbench();

/** Screenshots without the confirmations that would cover the tables. */
async function shoot(name: string) {
  // A DOM click: a modal dialog above them would take a pointer click.
  await page.evaluate("document.querySelectorAll('.toasts button').forEach((b) => b.click())");
  await screenshotBothThemes(page, name);
}
const tab = (name: string): Locator =>
  page.getByRole('tablist', { name: 'Function' }).getByRole('tab', { name });
const versionRow = (v: string) => page.locator(`[data-testid="version-row"][data-version="${v}"]`);

describe('Versions and aliases in the browser', () => {
  it('publishes two versions from the Versions tab, with the change between them', async () => {
    await e2e.client.call('projects:create', {
      blueprint: 'nodejs22-hello',
      path: join(work, 'shop'),
      name: 'shop',
    });
    writeCode('first');
    page = await e2e.browser.newPage({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
    await page.goto(e2e.served.url);
    const tree = page.getByRole('tree', { name: 'Projects and functions' });
    await tree.getByRole('treeitem', { name: 'HelloWorldFunction' }).click();
    await tab('Versions').click();
    await expect.poll(() => page.getByText('No versions yet').isVisible()).toBe(true);
    await shoot('versions-empty');

    await page.getByTestId('publish-version').click();
    const dialog = page.getByRole('dialog', { name: 'Publish new version' });
    await dialog.getByTestId('publish-description').fill('First release');
    await shoot('versions-publish-dialog');
    await dialog.getByTestId('publish-confirm').click();
    await expect.poll(() => versionRow('1').isVisible()).toBe(true);
    expect(await versionRow('1').textContent()).toContain('First release');
    expect(await versionRow('1').textContent()).toContain('First version');

    writeCode('second');
    await page.getByTestId('publish-version').click();
    await dialog.getByTestId('publish-description').fill('Faster checkout');
    await dialog.getByTestId('publish-confirm').click();
    await expect.poll(() => versionRow('2').isVisible()).toBe(true);
    expect(await versionRow('2').textContent()).toContain('Code changed');
  });

  it('creates a weighted alias and shows Lambda refusing to delete a version it points at', async () => {
    await page.getByTestId('create-alias').click();
    const dialog = page.getByRole('dialog', { name: 'Create alias' });
    await dialog.getByTestId('alias-name').fill('live');
    await dialog.getByTestId('alias-version').selectOption('2');
    await dialog.getByTestId('alias-weighted').check();
    await dialog.getByTestId('alias-extra-version').selectOption('1');
    await dialog.getByTestId('alias-weight').fill('30');
    await shoot('versions-alias-dialog');
    await dialog.getByRole('button', { name: 'Create alias' }).click();
    const alias = page.locator('[data-testid="alias-row"][data-alias="live"]');
    await expect.poll(() => alias.isVisible()).toBe(true);
    expect(await alias.getByTestId('weight-bar').textContent()).toMatch(/Version 2\s*70%.*Version 1\s*30%/s);

    await versionRow('1').getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete version 1?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect.poll(() => page.getByTestId('delete-refusal').isVisible()).toBe(true);
    expect(await page.getByTestId('delete-refusal').textContent()).toContain(
      'ResourceConflictException: Unable to delete version because the following aliases reference it: [live]',
    );
    expect(await versionRow('1').isVisible()).toBe(true);
    await shoot('versions-tab');
  });

  it('invokes the alias from the Invoke tab and shows the executed version there and in History', async () => {
    // One version only behind the alias for this check, so the executed version is known: edit it.
    await page
      .locator('[data-testid="alias-row"][data-alias="live"]')
      .getByRole('button', { name: 'Edit' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Edit alias live' });
    await dialog.getByTestId('alias-weighted').uncheck();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() =>
        page.locator('[data-testid="alias-row"][data-alias="live"]').getByTestId('weight-bar').textContent(),
      )
      .toMatch(/^\s*Version 2\s*100%\s*$/);
    await tab('Invoke').click();
    await expect
      .poll(() => page.getByTestId('qualifier-picker').locator('option[value="live"]').count())
      .toBe(1);
    await page.getByTestId('qualifier-picker').selectOption('live');
    await shoot('versions-qualifier-picker');
    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    const card = page.getByTestId('invocation').first();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 30_000 }).toBe('success');
    expect(await card.getByTestId('executed-version').textContent()).toContain('v2 via live');
    expect(await card.getByTestId('response-body').textContent()).toContain('second');
    await shoot('versions-invoke-alias');

    await tab('History').click();
    const row = page.getByTestId('history-row').first();
    await expect.poll(() => row.getByTestId('history-version').textContent()).toContain('2');
    expect(await row.getByTestId('history-version').textContent()).toContain('live');
    await page.getByTestId('filter-version').selectOption('a:live');
    await expect.poll(() => page.getByTestId('history-row').count()).toBe(1);
    await row.click();
    await expect.poll(() => page.getByTestId('detail-version').textContent()).toContain('2 via live');
    await shoot('versions-history');
  });

  it('rolls the alias back to the previous version', async () => {
    await tab('Versions').click();
    const alias = page.locator('[data-testid="alias-row"][data-alias="live"]');
    await alias.getByRole('button', { name: 'Roll back to 1' }).click();
    await expect.poll(() => alias.getByTestId('weight-bar').textContent()).toContain('Version 1');
    expect(await versionRow('1').textContent()).toContain('live');

    // The invoke of version 2 shows up in the comparison, beside version 1's empty column.
    const compare = page.getByTestId('compare-table');
    await expect.poll(() => compare.locator('tbody tr').first().textContent()).toMatch(/Invocations\s*0\s*1/);
    await compare.scrollIntoViewIfNeeded();
    await shoot('versions-compare');
  });

  it('shows a DeploymentPreference canary shifting the template alias to the new version', async () => {
    const template = join(work, 'shop/template.yaml');
    writeFileSync(
      template,
      readFileSync(template, 'utf8').replace(
        'Runtime: nodejs22.x',
        'Runtime: nodejs22.x\n      AutoPublishAlias: live\n      DeploymentPreference:\n        Type: Canary10Percent5Minutes',
      ),
    );
    writeCode('third');
    await e2e.client.call('projects:open', { path: join(work, 'shop') });
    await page.reload();
    await page
      .getByRole('tree', { name: 'Projects and functions' })
      .getByRole('treeitem', { name: 'HelloWorldFunction' })
      .click();
    await tab('Versions').click();
    const alias = page.locator('[data-testid="alias-row"][data-alias="live"]');
    await expect
      .poll(() => alias.getByTestId('alias-deployment').textContent())
      .toContain('Shifting to version 3 · Canary10Percent5Minutes');
    expect(await alias.getByTestId('weight-bar').textContent()).toMatch(/Version 1\s*90%.*Version 3\s*10%/s);
    expect(await alias.textContent()).toContain('template');
    await shoot('versions-deployment');
  });

  it('fits a 1024×700 window', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    const main = page.locator('main');
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(1024);
    expect(await main.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    // The cards stay inside the workspace (a wide table scrolls within its card).
    for (const card of await page.getByRole('tabpanel').locator('section.card').all()) {
      const box = (await card.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(1024 - 16);
    }
    await shoot('versions-1024');
    await tab('Invoke').click();
    expect(await main.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    await shoot('versions-invoke-1024');
  });
});
