import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const lines = Number(process.argv[2] ?? 100000);
const home = mkdtempSync(join(tmpdir(), 'lambench-flood-'));
const child = spawn(process.execPath, ['bin/lambench.js', 'serve'], { env: { ...process.env, LAMBENCH_HOME: home, LAMBENCH_IMAGES: 'test/support/local-images.json' }, stdio: ['ignore', 'pipe', 'pipe'] });
let out = ''; child.stdout.on('data', d => out += d); child.stderr.on('data', d => out += d);
const url = await new Promise(r => { const t = setInterval(() => { const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out); if (m) { clearInterval(t); r(m[1]); } }, 100); });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('crash', () => console.log('PAGE CRASHED'));
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  await page.goto(url);
  await page.locator('[data-testid="docker-status"][data-state="connected"]').waitFor();
  await page.getByRole('button', { name: 'Open folder…' }).first().click();
  await page.getByLabel('Folder path').fill('/tmp/flood');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('textbox', { name: 'Event JSON' }).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(`{"lines": ${lines}}`);
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Invoke', exact: true }).click();
  const card = page.getByTestId('invocation').first();
  for (let i = 0; i < 240; i++) { const s = await card.getAttribute('data-status'); if (i % 4 === 0) console.log(Date.now() - t0, s, await card.locator('.count').first().textContent()); if (s !== 'running') break; await page.waitForTimeout(500); }
  console.log('status', await card.getAttribute('data-status'), 'ms', Date.now() - t0);
  console.log(await card.locator('.count').first().textContent());
  await card.getByRole('searchbox', { name: 'Search logs' }).fill(`line ${lines - 1} `);
  console.log(await card.locator('.count').first().textContent());
  await card.getByRole('searchbox', { name: 'Search logs' }).fill('');
  await card.getByRole('log').evaluate((el) => { el.scrollTop = 0; });
  await page.waitForTimeout(300);
  console.log('first row', await card.locator('.row').first().textContent());
  await page.screenshot({ path: 'test-results/screenshots/scratch-flood.png' });
} catch (e) { console.log('ERR', e.message); console.log(out.slice(-1500)); } finally {
  await browser.close();
  child.kill('SIGTERM');
}
