import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openWorkbench, screenshot, screenshotBothThemes } from '../support/browser';
import { startServe, type Served } from '../support/serve';

let served: Served;
let browser: Browser;
let page: Page;
/** Projects are created and copied here, so config edits never touch the repository's fixtures. */
const work = mkdtempSync(join(tmpdir(), 'lambench-workbench-'));
const slowLogger = join(work, 'slow-logger');

beforeAll(async () => {
  cpSync(resolve('test/fixtures/projects/slow-logger'), slowLogger, { recursive: true });
  served = await startServe();
  browser = await launchBrowser();
  page = await openWorkbench(browser, served.url, { width: 1280, height: 800 });
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

const shoot = (name: string) => screenshotBothThemes(page, name);

/** The function workspace's own tabs (History has tabs of its own inside). */
const tab = (name: string | RegExp): Locator =>
  page.getByRole('tablist', { name: 'Function' }).getByRole('tab', { name });
const newest = (): Locator => page.getByTestId('invocation').first();

async function finished(card: Locator): Promise<string> {
  await expect.poll(() => card.getAttribute('data-status'), { timeout: 30_000 }).not.toBe('running');
  return (await card.getAttribute('data-status'))!;
}

describe('the workbench: project tree, function workspace, invoke with live logs', () => {
  it('creates a project from a blueprint and invokes it with Ctrl+Enter', async () => {
    await expect.poll(() => page.getByRole('heading', { name: 'No projects yet' }).isVisible()).toBe(true);
    await shoot('workbench-empty');

    await page.getByRole('button', { name: 'New project' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByText('Hello World (Node.js 22)').click();
    await dialog.getByLabel('Folder to create').fill(join(work, 'hello'));
    await shoot('workbench-new-project');
    await dialog.getByRole('button', { name: 'Create project' }).click();

    const tree = page.getByRole('tree', { name: 'Projects and functions' });
    await expect.poll(() => tree.getByRole('treeitem', { name: 'HelloWorldFunction' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('heading', { name: 'HelloWorldFunction' }).isVisible()).toBe(true);

    await page.getByRole('textbox', { name: 'Event JSON' }).click();
    await page.keyboard.press('Control+Enter');
    const card = newest();
    expect(await finished(card)).toBe('success');
    expect(await card.getByTestId('response-body').textContent()).toContain('"statusCode": 200');

    const maxMemory = Number.parseInt((await card.getByTestId('report-max-memory').textContent())!, 10);
    const memorySize = Number.parseInt((await card.getByTestId('report-memory-size').textContent())!, 10);
    expect(memorySize).toBe(128);
    expect(maxMemory).toBeGreaterThan(0);
    expect(maxMemory).toBeLessThan(memorySize);
    expect(await card.getByTestId('report-init').textContent()).toContain('cold');
    expect(await card.getByTestId('report-cost').textContent()).toMatch(/^\$0\.0000/);
    await shoot('workbench-invoked');
  });

  it('moves through the tree with the keyboard', async () => {
    const tree = page.getByRole('tree', { name: 'Projects and functions' });
    const fnItem = tree.getByRole('treeitem', { name: 'HelloWorldFunction' });
    await fnItem.focus();
    await page.keyboard.press('ArrowUp');
    const project = tree.getByRole('treeitem', { name: /hello/ }).first();
    expect(await project.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('ArrowLeft');
    expect(await project.getAttribute('aria-expanded')).toBe('false');
    expect(await fnItem.count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await fnItem.getAttribute('aria-selected')).toBe('true');
  });

  it('streams log lines while the invocation is still running', async () => {
    await page.getByRole('button', { name: 'Open folder…' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Open folder' });
    await dialog.getByLabel('Folder path').fill(slowLogger);
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'SlowLoggerFunction' }).isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    const card = newest();
    const first = card.getByText('first line: starting');
    await expect.poll(() => first.isVisible(), { timeout: 30_000, interval: 20 }).toBe(true);
    // The function sleeps a second after its first line: the line arrived before the response.
    expect(await card.getAttribute('data-status')).toBe('running');
    expect(await card.getByText('second line: done').count()).toBe(0);
    await shoot('workbench-streaming');

    expect(await finished(card)).toBe('success');
    await expect.poll(() => card.getByText('second line: done').isVisible()).toBe(true);

    // Search filters the lines and marks the match; wrapping keeps every line.
    await card.getByRole('searchbox', { name: 'Search logs' }).fill('second');
    await expect.poll(() => card.getByRole('log').locator('mark').textContent()).toBe('second');
    expect(await card.getByRole('log').getByText('first line: starting').count()).toBe(0);
    await card.getByRole('searchbox', { name: 'Search logs' }).fill('');
    await card.getByRole('button', { name: 'Wrap long lines' }).click();
    expect(await card.getByRole('button', { name: 'Wrap long lines' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await expect.poll(() => card.getByRole('log').getByText('first line: starting').isVisible()).toBe(true);
    await card.getByRole('log').scrollIntoViewIfNeeded();
    await shoot('workbench-logs');
  });

  it('saves a memory change and the next invoke is cold with the new Memory Size', async () => {
    await tab(/^Invoke/).focus();
    await page.keyboard.press('ArrowRight');
    expect(await tab('Configuration').getAttribute('aria-selected')).toBe('true');
    const memory = page.getByRole('spinbutton', { name: 'Memory' });
    await memory.fill('70000');
    expect(await page.getByText('The memory must be 128–10,240 MB.').isVisible()).toBe(true);
    await memory.fill('256');

    await page.getByRole('button', { name: '+ Add variable' }).click();
    await page.getByRole('textbox', { name: 'Variable 1 key' }).fill('AWS_REGION');
    expect(await page.getByText('AWS_REGION is reserved by Lambda.').isVisible()).toBe(true);
    await page.getByRole('textbox', { name: 'Variable 1 key' }).fill('GREETING');
    await page.getByRole('textbox', { name: 'Variable 1 value' }).fill('hello');
    await page.getByRole('button', { name: 'Hide value of GREETING' }).click();
    expect(await page.getByLabel('Variable 1 value').getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByText('Saved in template.yaml').isVisible()).toBe(true);
    const template = readFileSync(join(slowLogger, 'template.yaml'), 'utf8');
    expect(template).toMatch(/MemorySize: 256/);
    expect(template).toMatch(/GREETING: hello/);
    expect(await page.getByLabel('Variable 1 value').getAttribute('type')).toBe('password');
    expect(await page.getByTestId('fact-memory').textContent()).toBe('256 MB');
    await shoot('workbench-configuration');

    await tab('Invoke').click();
    await page.keyboard.press('Control+Enter');
    const card = newest();
    expect(await finished(card)).toBe('success');
    expect(await card.getByTestId('report-memory-size').textContent()).toBe('256 MB');
    expect(await card.getByTestId('report-init').textContent()).toContain('cold');
  });

  it('stops a long-running invocation', async () => {
    await page.getByRole('textbox', { name: 'Event JSON' }).click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('{"sleepMs": 30000}');
    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    const card = newest();
    await expect
      .poll(() => card.getByText('first line: starting').isVisible(), { timeout: 30_000 })
      .toBe(true);
    await card.getByRole('button', { name: 'Stop' }).click();
    expect(await finished(card)).toBe('interrupted');
    expect(await card.getByTestId('invocation-status').textContent()).toContain('Stopped');
    expect(await card.getByTestId('invocation-error').textContent()).toContain('Lambench.Stopped');
    await shoot('workbench-stopped');
  });

  it('shows History, Metrics and Cost scoped to the function in its tabs', async () => {
    await tab('History').click();
    // Three invocations of SlowLoggerFunction so far (streamed, cold after the change, stopped); none of HelloWorldFunction's.
    await expect.poll(() => page.getByTestId('history-row').count()).toBe(3);
    await shoot('workbench-history');
    await tab('Metrics').click();
    await expect.poll(() => page.getByTestId('metrics-charts').isVisible()).toBe(true);
    await shoot('workbench-metrics');
    await tab('Cost').click();
    await expect.poll(() => page.getByText(/p50/).first().isVisible()).toBe(true);
    await shoot('workbench-cost');
    await tab(/^Invoke/).click();
  });

  it('filters the tree and fits a 1024×700 window', async () => {
    await page
      .getByRole('navigation', { name: 'Breadcrumb' })
      .getByRole('button', { name: 'Projects' })
      .click();
    await expect
      .poll(() => page.getByRole('list', { name: 'Projects' }).locator(':scope > li').count())
      .toBe(2);
    await shoot('workbench-projects');
    await page.getByRole('button', { name: 'slow-logger' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'slow-logger' }).isVisible()).toBe(true);
    await shoot('workbench-project-overview');
    await page.getByRole('table').getByRole('button', { name: 'SlowLoggerFunction' }).click();

    const tree = page.getByRole('tree', { name: 'Projects and functions' });
    await page.getByRole('searchbox', { name: 'Filter projects and functions' }).fill('slow');
    await expect.poll(() => tree.getByRole('treeitem').count()).toBe(2);
    expect(await tree.getByRole('treeitem', { name: 'HelloWorldFunction' }).count()).toBe(0);
    await page.getByRole('searchbox', { name: 'Filter projects and functions' }).fill('');
    await expect.poll(() => tree.getByRole('treeitem').count()).toBe(4);

    await page.setViewportSize({ width: 1024, height: 700 });
    await newest().scrollIntoViewIfNeeded();
    await shoot('workbench-1024');
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(1024);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('disables Invoke, with the reason, when Docker is unreachable', async () => {
    const offline = await startServe({ DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` });
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await other.goto(offline.url);
      await other.locator('[data-testid="docker-status"][data-state="unavailable"]').waitFor();
      await other.getByRole('button', { name: 'Open folder…' }).first().click();
      await other.getByRole('dialog', { name: 'Open folder' }).getByLabel('Folder path').fill(slowLogger);
      await other.getByRole('button', { name: 'Open', exact: true }).click();
      const invoke = other.getByRole('button', { name: 'Invoke', exact: true });
      await invoke.waitFor();
      expect(await invoke.isDisabled()).toBe(true);
      expect(await invoke.getAttribute('title')).toContain('Docker is not reachable');
      expect(await other.getByText('Docker is not reachable: start Docker to invoke.').isVisible()).toBe(
        true,
      );
      await screenshot(other, 'workbench-no-docker-light');
    } finally {
      await other.close();
      await offline.stop();
    }
  });
});
