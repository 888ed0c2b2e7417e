import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchBrowser, screenshot } from '../support/browser';
import { startServe, type Served } from '../support/serve';

let served: Served;
let browser: Browser;

beforeAll(async () => {
  served = await startServe();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

describe('web mode (lambench serve) in Chromium', () => {
  it('shows the app frame with Docker connected, in light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme });
      await page.goto(served.url);
      await expect.poll(() => page.getByTestId('docker-status').getAttribute('data-state')).toBe('connected');
      expect(await page.getByTestId('docker-status').textContent()).toMatch(/Docker \d+\.\d+.* connected/);
      for (const item of ['Projects', 'History', 'Cost', 'Settings']) {
        expect(
          await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: item }).count(),
        ).toBe(1);
      }
      await screenshot(page, `shell-${colorScheme}`);
      await page.close();
    }
  });

  it('refuses the UI and the API without the token or from another Origin', async () => {
    expect((await fetch(`${served.origin}/`)).status).toBe(403);
    const refused = (headers: Record<string, string>, query = '') =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`${served.origin.replace('http', 'ws')}/api${query}`, { headers });
        ws.on('open', () => resolve('open'));
        ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.on('error', () => resolve('error'));
      });
    expect(await refused({ Origin: served.origin })).toBe('403');
    expect(await refused({ Origin: 'http://evil.example' }, `?token=${served.token}`)).toBe('403');
    expect(await refused({ Origin: served.origin }, `?token=${served.token}`)).toBe('open');
  });
});
