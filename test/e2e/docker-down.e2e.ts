/**
 * Stops the machine's dockerd and starts it again: run it alone, never beside other Docker tests.
 * dockerd is restarted in afterAll whatever happened, with the arguments it was running with.
 */
import { execFileSync, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../support/browser';
import { startServe, type Served } from '../support/serve';

const DOCKERD_LOG = join(tmpdir(), 'lambench-e2e-dockerd.log');

let served: Served;
let browser: Browser;
let dockerdArgs: string[] = [];

function dockerdPid(): number | undefined {
  try {
    const pid = Number(execFileSync('pidof', ['dockerd'], { encoding: 'utf8' }).trim().split(/\s+/)[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined; // pidof exits 1 when there is none
  }
}

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopDockerd(): Promise<void> {
  const pid = dockerdPid();
  if (!pid) throw new Error('dockerd is not running: this test needs the real engine');
  // Restart it later exactly as it runs now.
  dockerdArgs = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1);
  process.kill(pid, 'SIGTERM');
  await waitFor(() => dockerdPid() === undefined, 'dockerd to exit', 60_000);
}

async function startDockerd(): Promise<void> {
  if (!dockerdPid()) {
    const log = openSync(DOCKERD_LOG, 'a');
    spawn('dockerd', dockerdArgs, { detached: true, stdio: ['ignore', log, log] }).unref();
  }
  await waitFor(dockerAnswers, `dockerd to answer (log: ${DOCKERD_LOG})`, 90_000);
}

beforeAll(async () => {
  if (!dockerAnswers()) throw new Error('Docker must be up before this test');
  served = await startServe();
  browser = await launchBrowser();
});
afterAll(async () => {
  // First of all: the engine comes back, even if the test failed half way.
  await startDockerd();
  await browser?.close();
  await served?.stop();
}, 180_000);

describe('Docker going away and coming back', () => {
  it('shows the banner with how to start Docker, and clears it by itself without a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    await page.goto(served.url);
    const status = page.getByTestId('docker-status');
    const banner = page.getByTestId('docker-banner');
    await expect.poll(() => status.getAttribute('data-state')).toBe('connected');
    expect(await banner.count()).toBe(0);
    // Survives only if the page is never reloaded.
    await page.evaluate("window.lambenchMarker = 'still here'");

    await stopDockerd();
    await expect.poll(() => banner.count(), { timeout: 30_000 }).toBe(1);
    expect(await banner.textContent()).toContain('Docker is not reachable');
    expect(await page.getByTestId('docker-hint').textContent()).toContain('Docker is not running');
    expect(await page.getByTestId('docker-hint').textContent()).toContain('sudo systemctl start docker');
    expect(await status.getAttribute('data-state')).toBe('unavailable');
    await screenshot(page, 'docker-down-light');

    await startDockerd();
    await expect.poll(() => banner.count(), { timeout: 30_000 }).toBe(0);
    expect(await status.getAttribute('data-state')).toBe('connected');
    expect(await status.textContent()).toMatch(/Docker \d+\.\d+.* connected/);
    expect(await page.evaluate('window.lambenchMarker')).toBe('still here');
    await page.close();
  }, 240_000);
});
