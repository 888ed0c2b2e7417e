import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const screenshotDir = 'test-results/screenshots';

/** Debian's Chromium, never a downloaded one; background networking off because this machine has no network. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu'],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = `${screenshotDir}/${name}.png`;
  await page.screenshot({ path });
  return path;
}

/** A screenshot in light and in dark: the app follows prefers-color-scheme live. Leaves the page light. */
export async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await screenshot(page, `${name}-${colorScheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** A light page on the served workbench, once its status bar shows Docker connected. */
export async function openWorkbench(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number },
): Promise<Page> {
  const page = await browser.newPage({ viewport, colorScheme: 'light' });
  await page.goto(url);
  await page.locator('[data-testid="docker-status"][data-state="connected"]').waitFor();
  return page;
}
