/**
 * Container-image functions in the UI: the tree and configuration show them as images, Rebuild streams
 * the build's steps into the Docker task panel, an invoke runs the built image, and a failed build shows
 * Docker's log.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openWorkbench, screenshotBothThemes } from '../support/browser';
import { startServe, type Served } from '../support/serve';

let served: Served;
let browser: Browser;
let page: Page;
const dir = join(mkdtempSync(join(tmpdir(), 'lambench-e2e-image-')), 'image-app');
cpSync('test/fixtures/projects/image-app', dir, { recursive: true });
writeFileSync(join(dir, 'greeter/stamp'), `${Date.now()}-${Math.random()}\n`);

beforeAll(async () => {
  served = await startServe();
  browser = await launchBrowser();
  page = await openWorkbench(browser, served.url, { width: 1280, height: 860 });
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
  const tags = execFileSync(
    'docker',
    ['images', '--format', '{{.Repository}}:{{.Tag}}', 'lambench-fn/image-app-*'],
    {
      encoding: 'utf8',
    },
  );
  const ours = tags.split('\n').filter(Boolean);
  if (ours.length) execFileSync('docker', ['rmi', '-f', ...ours], { stdio: 'ignore' });
});

const tasks = () => page.getByTestId('docker-tasks');

/** Toasts float over the task panel; the screenshots are of what stays. */
async function clearToasts() {
  // A toast may time out on its own between the listing and the click.
  for (const b of await page.getByRole('button', { name: 'Dismiss', exact: true }).all())
    await b.click({ timeout: 1000 }).catch(() => undefined);
}

describe('container-image functions', () => {
  it('lists them as container images and shows what they are built from', async () => {
    await page.getByRole('button', { name: 'Open folder…' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Open folder' });
    await dialog.getByLabel('Folder path').fill(dir);
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
    const tree = page.getByRole('tree', { name: 'Projects and functions' });
    const item = tree.getByRole('treeitem', { name: 'GreeterFunction' });
    await expect.poll(() => item.isVisible()).toBe(true);
    expect(await item.getAttribute('title')).toBe('GreeterFunction · Container image');
    await item.click();
    await expect.poll(() => page.getByRole('heading', { name: 'GreeterFunction' }).isVisible()).toBe(true);

    await page.getByRole('tab', { name: 'Configuration' }).click();
    const card = page.getByTestId('image-details');
    await expect.poll(() => card.isVisible()).toBe(true);
    expect(await card.textContent()).toContain(join(dir, 'greeter'));
    await expect.poll(() => page.getByTestId('image-build-status').textContent()).toContain('not built');
    expect(await page.getByTestId('image-hash').textContent()).toMatch(/^[0-9a-f]{12}$/);
  });

  it('Rebuild streams the steps into the Docker task panel, then shows the built image', async () => {
    await page.getByTestId('image-details').getByRole('button', { name: 'Rebuild' }).click();
    const task = tasks().locator('[data-testid="docker-task"][data-kind="build"]').first();
    // The slow RUN step: the steps so far are listed, the current one last.
    const current = task.locator('[data-testid="build-step"]').nth(2);
    await expect
      .poll(() => current.textContent(), { timeout: 60_000 })
      .toContain('RUN echo "preparing the image"');
    expect(await task.getAttribute('data-state')).toBe('running');
    await clearToasts();
    await screenshotBothThemes(page, 'image-function-building');
    await expect.poll(() => task.getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    expect(await task.textContent()).toContain('Built · 6 steps');
    await expect.poll(() => page.getByTestId('image-build-status').textContent()).toContain('built');
    expect(await page.getByTestId('image-build-status').textContent()).not.toContain('not built');
    expect(await page.getByTestId('image-build-status').textContent()).toMatch(
      /lambench-fn\/image-app-greeterfunction:[0-9a-f]{12}/,
    );
    expect(await page.getByTestId('image-details').textContent()).toContain('["/var/task/bootstrap"]');
    await clearToasts();
    await screenshotBothThemes(page, 'image-function-configuration');
  });

  it('invokes the built image', async () => {
    await page.getByRole('tab', { name: 'Invoke' }).click();
    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    const card = page.getByTestId('invocation').first();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).not.toBe('running');
    expect(await card.getAttribute('data-status')).toBe('success');
    expect(await card.getByTestId('response-body').textContent()).toContain('hello from the image');
  });

  it('a failing build shows Docker’s log in the card and in the task panel', async () => {
    await page
      .getByRole('tree', { name: 'Projects and functions' })
      .getByRole('treeitem', { name: 'BrokenFunction' })
      .click();
    await page.getByRole('tab', { name: 'Configuration' }).click();
    await page.getByTestId('image-details').getByRole('button', { name: 'Rebuild' }).click();
    const alert = page.getByTestId('image-details').getByRole('alert');
    await expect.poll(() => alert.isVisible(), { timeout: 60_000 }).toBe(true);
    expect(await alert.textContent()).toContain('non-zero code: 7');
    expect(await alert.getByTestId('build-log').textContent()).toContain('error: no network here');
    const task = tasks()
      .locator('[data-testid="docker-task"][data-kind="build"][data-state="failed"]')
      .first();
    await expect.poll(() => task.isVisible()).toBe(true);
    expect(await task.getByTestId('build-log').textContent()).toContain('fetching dependencies');
    expect(await task.getByTestId('build-log').textContent()).not.toContain('\x1b');
    await clearToasts();
    await screenshotBothThemes(page, 'image-function-build-failed');
  });

  it('an invoke of a function whose image does not build fails with the build’s log, and runs nothing', async () => {
    await page.getByRole('button', { name: 'Clear finished' }).click();
    await page.getByRole('tab', { name: 'Invoke' }).click();
    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    const card = page.getByTestId('invocation').first();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 60_000 }).toBe('error');
    expect(await card.getByTestId('invocation-error').textContent()).toContain('ImageBuildFailed');
    await expect.poll(() => card.textContent()).toContain('error: no network here');
    expect(await card.textContent()).not.toContain('START RequestId');
    expect(await card.getByTestId('report-init').textContent()).toContain('not started');
    expect(await card.getByTestId('report-cost').textContent()).toBe('—');
    await clearToasts();
    await screenshotBothThemes(page, 'image-function-invoke-build-failed');
  });
});

describe('the project overview', () => {
  it('lists image functions with their package type and command', async () => {
    await page
      .getByRole('link', { name: 'image-app' })
      .or(page.getByRole('button', { name: 'image-app' }))
      .first()
      .click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'image-app', level: 1 }).isVisible())
      .toBe(true);
    const row = page.getByRole('row').filter({ hasText: 'GreeterFunction' });
    expect(await row.textContent()).toContain('Container image');
    expect(await row.textContent()).toContain('image default');
    await clearToasts();
    await screenshotBothThemes(page, 'image-project-overview');
  });
});
