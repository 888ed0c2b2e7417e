import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot } from '../support/browser';

function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as string;
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
if (!binary) {
  console.warn(
    '\n[electron.e2e] SKIPPED: the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1 or no network).\n' +
      '  The same UI is covered in Chromium through web mode; install electron with its binary to run this.\n',
  );
}

describe.skipIf(!binary)('the desktop app (Electron)', () => {
  it('opens a sandboxed window, creates a project from a blueprint and invokes it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lambench-electron-'));
    const app = await electron.launch({
      executablePath: binary,
      args: ['.'],
      env: { ...process.env, LAMBENCH_HOME: home, LAMBENCH_IMAGES: 'test/support/local-images.json' },
    });
    try {
      const page = await app.firstWindow();
      // Isolated and sandboxed: the page sees neither Node nor ipcRenderer, only the bridge's two functions.
      const exposed = await page.evaluate(() => {
        const g = globalThis as unknown as Record<string, unknown> & { lambench?: Record<string, unknown> };
        return {
          require: typeof g.require,
          process: typeof g.process,
          bridge: Object.keys(g.lambench ?? {}).sort(),
        };
      });
      expect(exposed).toEqual({ require: 'undefined', process: 'undefined', bridge: ['call', 'onEvent'] });
      await expect.poll(() => page.getByTestId('docker-status').getAttribute('data-state')).toBe('connected');
      const project = await page.evaluate(
        (path) =>
          (
            globalThis as unknown as {
              lambench: { call(m: string, i: unknown): Promise<{ ok: boolean; result: { id: number } }> };
            }
          ).lambench.call('projects:create', { blueprint: 'nodejs22-hello', path }),
        join(home, 'hello'),
      );
      expect(project.ok).toBe(true);
      const reply = await page.evaluate(
        (projectId) =>
          (
            globalThis as unknown as {
              lambench: { call(m: string, i: unknown): Promise<{ ok: boolean; result: { status: string } }> };
            }
          ).lambench.call('functions:invoke', { projectId, functionId: 'HelloWorldFunction', payload: '{}' }),
        project.result.id,
      );
      expect(reply).toMatchObject({ ok: true, result: { status: 'success' } });
      await screenshot(page, 'electron-window');
    } finally {
      await app.close();
    }
  });
});
