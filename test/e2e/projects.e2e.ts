import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openWorkbench, screenshotBothThemes } from '../support/browser';
import { startServe, type Served } from '../support/serve';

let served: Served;
let browser: Browser;
let page: Page;
const work = mkdtempSync(join(tmpdir(), 'lambench-projects-'));

beforeAll(async () => {
  served = await startServe();
  browser = await launchBrowser();
  page = await openWorkbench(browser, served.url, { width: 1280, height: 800 });
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

const shoot = (name: string) => screenshotBothThemes(page, name);

const editorText = () => page.getByRole('textbox', { name: 'Event JSON' }).textContent();

describe('a project from a blueprint, a templated test event, saved and invoked (issue 4)', () => {
  it('creates the project and shows its function', async () => {
    await page.getByRole('button', { name: 'New project' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByText('Hello World (Python 3.12)').click();
    await dialog.getByLabel('Folder to create').fill(join(work, 'py-hello'));
    await dialog.getByLabel(/Project name/).fill('Python hello');
    await dialog.getByRole('button', { name: 'Create project' }).click();

    const tree = page.getByRole('tree', { name: 'Projects and functions' });
    await expect
      .poll(() => tree.getByRole('treeitem', { name: 'HelloWorldFunction' }).isVisible())
      .toBe(true);
    expect(await tree.getByRole('treeitem', { name: /Python hello/ }).getAttribute('aria-expanded')).toBe(
      'true',
    );
    await expect.poll(() => page.getByRole('heading', { name: 'HelloWorldFunction' }).isVisible()).toBe(true);
    expect(await page.getByRole('tab', { name: 'Invoke' }).getAttribute('aria-selected')).toBe('true');
  });

  it('fills the editor from the API Gateway HTTP API template and saves it as a named event', async () => {
    await page
      .getByRole('combobox', { name: 'New from template' })
      .selectOption({ label: 'API Gateway HTTP API (v2)' });
    await expect.poll(editorText).toContain('"version": "2.0"');
    expect(await editorText()).toContain('"routeKey"');

    await page.getByRole('button', { name: 'Save as…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save event as' });
    await dialog.getByLabel('Event name').fill('http-get');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);

    const picker = page.getByRole('combobox', { name: 'Saved event' });
    await expect.poll(() => picker.locator('option:checked').textContent()).toBe('http-get');
    await shoot('projects-event-saved');
  });

  it('invokes the function with the saved event', async () => {
    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    const card = page.getByTestId('invocation').first();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 30_000 }).not.toBe('running');
    expect(await card.getAttribute('data-status')).toBe('success');
    expect(await card.getByText('http-get').count()).toBe(1);
    expect(await card.getByTestId('response-body').textContent()).toContain('"statusCode": 200');
    await shoot('projects-invoked');
  });

  it('keeps the saved event across a reload', async () => {
    await page.reload();
    await page.getByRole('treeitem', { name: 'HelloWorldFunction' }).click();
    const picker = page.getByRole('combobox', { name: 'Saved event' });
    await expect.poll(() => picker.locator('option', { hasText: 'http-get' }).count()).toBe(1);
    await picker.selectOption({ label: 'http-get' });
    await expect.poll(editorText).toContain('"version": "2.0"');
  });

  it('duplicates, renames and deletes saved events', async () => {
    const picker = page.getByRole('combobox', { name: 'Saved event' });
    const chosen = () => picker.locator('option:checked').textContent();
    await page.getByRole('button', { name: 'Duplicate event' }).click();
    await expect.poll(chosen).toBe('http-get copy');

    await page.getByRole('button', { name: 'Rename event' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename event' });
    await rename.getByLabel('New name').fill('http-get');
    await rename.getByRole('button', { name: 'Rename' }).click();
    expect(await rename.getByRole('alert').textContent()).toContain('An event named “http-get” exists');
    await rename.getByLabel('New name').fill('http-post');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await expect.poll(chosen).toBe('http-post');

    await page.getByRole('button', { name: 'Delete event' }).click();
    await page.getByRole('dialog', { name: 'Delete event' }).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => picker.locator('option', { hasText: 'http-post' }).count()).toBe(0);
    expect(await chosen()).toBe('Unsaved event');
    expect(await editorText()).toContain('"version": "2.0"');
  });

  it('marks the project as missing when its folder is gone', async () => {
    // A fresh engine on the same data home, with the folder removed while it was stopped.
    await served.stop();
    rmSync(join(work, 'py-hello'), { recursive: true, force: true });
    served = await startServe({ LAMBENCH_HOME: served.home });
    await page.goto(served.url);
    const project = page.getByRole('treeitem', { name: /Python hello/ });
    await expect.poll(() => project.textContent()).toContain('missing');
    await project.click();
    await expect.poll(() => page.getByText(/is missing\. Lambench keeps the project/).isVisible()).toBe(true);
    await shoot('projects-missing');
  });
});
