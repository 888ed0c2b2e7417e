import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchClient } from '../../shared/rpc/client';
import { connectClient } from '../support/client';
import { launchBrowser, screenshot } from '../support/browser';
import { startServe, type Served } from '../support/serve';

let served: Served;
let browser: Browser;
let closeClient: (() => void) | undefined;

beforeAll(async () => {
  served = await startServe();
  browser = await launchBrowser();
});
afterAll(async () => {
  closeClient?.();
  await browser?.close();
  await served?.stop();
});

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
}

const imageState = (page: Page, runtime: string) =>
  page.locator(`[data-testid=image-row][data-runtime="${runtime}"] [data-testid=image-state]`);

/** The engine's API as a second client (the UI must follow what it does), over the same WebSocket. */
function engineClient(): WorkbenchClient {
  const { client, close } = connectClient(served);
  closeClient = close;
  return client;
}

describe('Settings', () => {
  it('tests the connection, lists local images, switches the theme and keeps changes over a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
    await page.goto(served.url);
    await openSettings(page);

    // The image table: LAMBENCH_IMAGES points these runtimes at the locally built images.
    await expect.poll(() => imageState(page, 'nodejs20.x').getAttribute('data-state')).toBe('present');
    expect(await imageState(page, 'python3.12').getAttribute('data-state')).toBe('present');
    expect(await imageState(page, 'provided.al2023').getAttribute('data-state')).toBe('present');
    expect(await imageState(page, 'nodejs18.x').getAttribute('data-state')).toBe('missing');
    expect(await page.getByLabel('nodejs20.x').inputValue()).toBe('lambench-local/nodejs:20');

    // Test connection shows the engine's version.
    const version = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {
      encoding: 'utf8',
    }).trim();
    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('docker-test-result');
    await expect.poll(() => result.textContent()).toContain(`Connected to Docker ${version}`);
    await screenshot(page, 'settings-light');

    // An endpoint that is not one is refused inline, and Test connection is disabled for it.
    const endpoint = page.getByLabel('Engine endpoint');
    await endpoint.fill('http//localhost');
    expect(await endpoint.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#dockerEndpoint-error').textContent()).toContain('Use unix://');
    expect(await page.getByRole('button', { name: 'Test connection' }).isDisabled()).toBe(true);
    await endpoint.fill('');

    // Keep-alive: a bad value is explained and not saved; a good one is saved.
    const keepAlive = page.getByLabel('Keep warm environments for');
    await keepAlive.fill('-3');
    await keepAlive.press('Enter');
    expect(await page.locator('#keepAliveSeconds-error').textContent()).toBe('At least 0');
    await keepAlive.fill('45');
    await keepAlive.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Saved' }).first().waitFor();

    // Theme: applied at once.
    await page.getByRole('radio', { name: 'Dark' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await page.evaluate('getComputedStyle(document.documentElement).backgroundColor')).toBe(
      'rgb(15, 20, 25)',
    );
    await page.getByRole('heading', { name: 'Settings', level: 1 }).scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-dark');

    // After a reload the theme applies before Settings is even opened, and keep-alive is still 45.
    await page.reload();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await openSettings(page);
    expect(await page.getByLabel('Keep warm environments for').inputValue()).toBe('45');
    expect(await page.getByRole('radio', { name: 'Dark' }).getAttribute('aria-checked')).toBe('true');

    // Back to System: the attribute goes, so the OS preference (light here) rules again.
    await page.getByRole('radio', { name: 'System' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBeNull();
    expect(await page.evaluate('getComputedStyle(document.documentElement).backgroundColor')).toBe(
      'rgb(244, 245, 247)',
    );
    await page.close();
  });

  it('fails a pull of an unreachable image with a message naming it and the setting, then resets', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 700 }, colorScheme: 'dark' });
    await page.goto(served.url);
    await openSettings(page);
    // A registry on a closed loopback port: the pull fails at once and no traffic leaves the machine.
    const image = '127.0.0.1:1/lambench/missing:1';
    const input = page.getByLabel('nodejs18.x');
    await input.fill('Not An Image');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    await input.fill(image);
    await input.press('Enter');
    await expect.poll(() => imageState(page, 'nodejs18.x').getAttribute('data-state')).toBe('missing');
    const row = page.locator('[data-testid=image-row][data-runtime="nodejs18.x"]');
    await expect.poll(() => row.textContent()).toContain('Custom');

    await page.getByRole('button', { name: `Pull ${image}` }).click();
    const alert = page.getByRole('alert').filter({ hasText: `Image ${image} is not available` });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('point this runtime at another image in Settings');
    const task = page.getByTestId('docker-task').filter({ hasText: image });
    await expect.poll(() => task.getAttribute('data-state')).toBe('failed');
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-pull-failed-dark');

    await row.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => input.inputValue()).toBe('public.ecr.aws/lambda/nodejs:18');
    expect(await row.textContent()).toContain('Default');
    await page.close();
  });
});

describe('status bar and Docker tasks', () => {
  it('shows an environment start as a task, counts it warm, and stops it', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 700 }, colorScheme: 'light' });
    await page.goto(served.url);
    await expect.poll(() => page.getByTestId('docker-status').getAttribute('data-state')).toBe('connected');
    const warm = page.getByTestId('warm-environments');
    await expect.poll(() => warm.textContent()).toContain('0 warm');

    const client = engineClient();
    const dir = join(mkdtempSync(join(tmpdir(), 'lambench-e2e-project-')), 'hello');
    cpSync('test/fixtures/templates/hello-world', dir, { recursive: true });
    const project = await client.call('projects:open', { path: dir });
    const invoked = client.call('functions:invoke', {
      projectId: project.id,
      functionId: 'HelloWorldFunction',
      payload: '{}',
    });

    // The task panel (collapsed to a pill) follows the cold start from another client's invoke.
    const task = page.getByTestId('docker-task').filter({ hasText: 'Cold start · HelloWorldFunction' });
    await page.getByTestId('docker-tasks').getByRole('button').first().click();
    expect((await invoked).status).toBe('success');
    await expect.poll(() => task.getAttribute('data-state')).toBe('done');
    expect(await task.textContent()).toMatch(/Ready · init \d+ ms/);
    await expect.poll(() => warm.textContent()).toContain('1 warm');
    await screenshot(page, 'docker-tasks-light');
    expect(await warm.getAttribute('title')).toBe(`1 × ${project.name} / HelloWorldFunction`);
    await page.getByRole('button', { name: 'Stop all warm environments' }).click();
    await expect.poll(() => warm.textContent()).toContain('0 warm');
    expect(await page.getByRole('button', { name: 'Stop all warm environments' }).count()).toBe(0);
    await page.close();
  });
});
