/**
 * A new user's first run (issue 15): a fresh data home, the official images as defaults (no registry answers
 * here) and no local image either — its repository (LAMBENCH_LOCAL_IMAGE_REPO) is this test's own, so the
 * shared lambench-local/* images are neither used nor touched. New project → Invoke → the offer → build →
 * the invoke succeeds. Then Open in editor / Open folder, with a fake $EDITOR and xdg-open that record argv.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openWorkbench, screenshotBothThemes } from '../support/browser';
import { startServe, type Served } from '../support/serve';

const REPO = `lambench-e2e-${process.pid}-${Date.now().toString(36)}`;
const work = mkdtempSync(join(tmpdir(), 'lambench-first-run-'));
const bin = join(work, 'bin');
const editorLog = join(work, 'editor-argv');
const openerLog = join(work, 'xdg-open-argv');
let served: Served;
let browser: Browser;
let page: Page;

/** A program that appends its arguments, one per line, to a file. */
function recorder(path: string, log: string): void {
  writeFileSync(path, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done >> '${log}'\n`);
  chmodSync(path, 0o755);
}

beforeAll(async () => {
  mkdirSync(bin);
  recorder(join(bin, 'fake-editor'), editorLog);
  recorder(join(bin, 'xdg-open'), openerLog);
  served = await startServe({
    LAMBENCH_IMAGES: '', // the defaults: public.ecr.aws/lambda/*
    LAMBENCH_LOCAL_IMAGE_REPO: REPO,
    EDITOR: join(bin, 'fake-editor'),
    VISUAL: '',
    PATH: `${bin}:${process.env.PATH}`,
  });
  browser = await launchBrowser();
  page = await openWorkbench(browser, served.url, { width: 1280, height: 860 });
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  const ids = execFileSync('docker', ['images', '-q', `${REPO}/*`], { encoding: 'utf8' }).split('\n');
  const own = [...new Set(ids.filter(Boolean))];
  if (own.length) execFileSync('docker', ['image', 'rm', '-f', ...own], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
});

/** Screenshots without the toasts of earlier steps over them. */
async function shoot(name: string): Promise<void> {
  for (const close of await page.getByRole('button', { name: 'Dismiss', exact: true }).all())
    await close.click();
  await screenshotBothThemes(page, name);
}
const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

describe('first run on a machine without images', () => {
  it('a new project’s first invoke fails to pull and offers the local build', async () => {
    expect(execFileSync('docker', ['images', '-q', `${REPO}/*`], { encoding: 'utf8' }).trim()).toBe('');
    await page.getByRole('button', { name: 'New project' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByText('Hello World (Node.js 20)').click();
    await dialog.getByLabel('Folder to create').fill(join(work, 'hello'));
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'HelloWorldFunction' }).isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    const card = page.getByTestId('invocation').first();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 30_000 }).not.toBe('running');
    expect(await card.getAttribute('data-status')).toBe('error');
    const error = card.getByTestId('invocation-error');
    expect(await error.textContent()).toContain('ImageNotAvailable');
    expect(await error.textContent()).toContain('No image registry answered');
    const offer = card.getByTestId('local-image-offer');
    expect(await offer.textContent()).toContain('No AWS SDK');
    expect(await offer.textContent()).toContain('lambench images build nodejs20.x');
    await offer.scrollIntoViewIfNeeded();
    await shoot('first-run-offer');
  });

  it('builds the local image with progress in the Docker task panel, and the next invoke succeeds', async () => {
    const card = page.getByTestId('invocation').first();
    await card.getByRole('button', { name: 'Build local runtime image' }).click();
    const task = page.locator('[data-testid="docker-task"][data-kind="build"]').first();
    await expect.poll(() => task.getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    expect(await task.textContent()).toContain(`Build ${REPO}/nodejs:20`);
    const offer = card.getByTestId('local-image-offer');
    await expect.poll(() => offer.textContent()).toContain('nodejs20.x now runs on it');
    await shoot('first-run-built');
    await page.getByRole('button', { name: 'Collapse Docker tasks' }).click();

    await page.getByRole('button', { name: 'Invoke', exact: true }).click();
    const next = page.getByTestId('invocation').first();
    await expect.poll(() => next.getAttribute('data-status'), { timeout: 30_000 }).not.toBe('running');
    expect(await next.getAttribute('data-status')).toBe('success');
    expect(await next.getByTestId('response-body').textContent()).toContain('"statusCode": 200');
    await shoot('first-run-invoked');

    // Settings' image map now points the runtime at the local image, present on this machine.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
    await expect.poll(() => page.getByLabel('nodejs20.x').inputValue()).toBe(`${REPO}/nodejs:20`);

    // The same build from the image table: nodejs22.x's official image is missing too; the local one is shared.
    const row = page.locator('[data-testid="image-row"][data-runtime="nodejs22.x"]');
    await expect.poll(() => row.getByTestId('image-state').getAttribute('data-state')).toBe('missing');
    await row.getByRole('button', { name: 'Build a local image for nodejs22.x' }).click();
    await expect.poll(() => page.getByLabel('nodejs22.x').inputValue()).toBe(`${REPO}/nodejs:20`);
    await expect.poll(() => row.getByTestId('image-state').getAttribute('data-state')).toBe('present');
    await page.getByRole('button', { name: 'Collapse Docker tasks' }).click();
    await row.scrollIntoViewIfNeeded();
    await shoot('first-run-settings-images');
  });

  it('opens the handler in $EDITOR and the project folder in the file manager, on the host', async () => {
    await page.getByRole('treeitem', { name: 'HelloWorldFunction' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'HelloWorldFunction' }).isVisible()).toBe(true);
    expect(await page.getByTestId('opens-on-host').first().textContent()).toBe('Opens on the host machine');
    await page.getByRole('button', { name: 'Open in editor' }).click();
    await expect.poll(() => lines(editorLog)).toEqual([join(work, 'hello', 'hello-world', 'app.mjs')]);
    await expect.poll(() => page.getByText('Opened app.mjs on the host').isVisible()).toBe(true);
    await shoot('first-run-open-in-editor');

    await page.getByRole('treeitem', { name: /hello/ }).first().click();
    await page.getByRole('button', { name: 'Open in file manager' }).click();
    await expect.poll(() => lines(openerLog)).toEqual([join(work, 'hello')]);
  });
});
