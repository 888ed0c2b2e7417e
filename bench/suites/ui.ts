/**
 * P5: the shell paints in ≤ 1 s, and a 10 MB log stays scrollable. Measured in Debian's Chromium against the
 * built `lambench serve`, beside a plain static page served from this process as the baseline.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createClient } from '../../shared/rpc/client';
import { createWebSocketTransport } from '../../shared/rpc/ws-transport';
import { launchBrowser } from '../../test/support/browser';
import { startServe } from '../../test/support/serve';
import { percentile, type BenchRow, type BenchSuite } from '../report';

const PAINT_RUNS = 7;
// These callbacks run in the page, where the DOM exists; the Node tsconfig has no DOM types.
declare const requestAnimationFrame: (callback: () => void) => number;
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
};

export const suite: BenchSuite = {
  name: 'ui',
  async run() {
    const served = await startServe();
    const browser = await launchBrowser();
    const rows: BenchRow[] = [];
    try {
      const baseline = await staticPagePaint(browser);
      const shell: number[] = [];
      for (let i = 0; i < PAINT_RUNS; i++) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        const t0 = performance.now();
        await page.goto(served.url);
        await page.getByRole('navigation', { name: 'Main' }).waitFor();
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
        shell.push(performance.now() - t0);
        await page.close();
      }
      shell.sort((a, b) => a - b);
      const p50 = percentile(shell, 50);
      rows.push({
        id: 'P5',
        what: 'shell painted (navigation → sidebar drawn), p50',
        value: p50,
        unit: 'ms',
        baseline: { what: 'a static page from a bare HTTP server', value: baseline },
        goal: '≤ 1000 ms',
        pass: p50 <= 1000,
      });
      rows.push(...(await bigLog(browser, served.url, served.origin, served.token)));
    } finally {
      await browser.close();
      await served.stop();
    }
    return rows;
  },
};

async function staticPagePaint(browser: Awaited<ReturnType<typeof launchBrowser>>): Promise<number> {
  const server = createServer((_req, res) => res.end('<!doctype html><nav aria-label="Main">x</nav>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const times: number[] = [];
  for (let i = 0; i < PAINT_RUNS; i++) {
    const page = await browser.newPage();
    const t0 = performance.now();
    await page.goto(url);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    times.push(performance.now() - t0);
    await page.close();
  }
  server.close();
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

/** A function that prints 10 MB of log; then the log pane is scrolled end to end, frame by frame. */
async function bigLog(
  browser: Awaited<ReturnType<typeof launchBrowser>>,
  url: string,
  origin: string,
  token: string,
): Promise<BenchRow[]> {
  const transport = createWebSocketTransport(
    `${origin.replace('http', 'ws')}/api?token=${token}`,
    (u) => new WebSocket(u, { headers: { Origin: origin } }) as never,
  );
  const client = createClient(transport);
  const dir = join(mkdtempSync(join(tmpdir(), 'lambench-bench-ui-')), 'flood');
  const project = await client.call('projects:create', { blueprint: 'nodejs22-hello', path: dir });
  // At 128 MB and 3 s the loop times out long before 10 MB: give it Lambda's CPU of 3008 MB and time.
  await client.call('functions:updateConfig', {
    projectId: project.id,
    functionId: 'HelloWorldFunction',
    patch: { memorySize: 3008, timeout: 120 },
  });
  writeFileSync(
    join(dir, 'hello-world', 'app.mjs'),
    `export const lambdaHandler = async () => {
  const line = 'x'.repeat(96);
  for (let i = 0; i < 104000; i++) console.log(i, line);
  return { statusCode: 200 };
};\n`,
  );

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.getByRole('treeitem', { name: 'HelloWorldFunction' }).click();
  const t0 = performance.now();
  await page
    .getByRole('button', { name: /^Invoke/ })
    .first()
    .click();
  const card = page.getByTestId('invocation').first();
  await card.waitFor();
  // Checked every frame: a coarser poll would add its period to the figure.
  await page.waitForFunction(
    () => document.querySelector('[data-testid=invocation]')?.getAttribute('data-status') !== 'running',
    null,
    { polling: 'raf', timeout: 120_000 },
  );
  const shown = performance.now() - t0;
  const scroller = card.getByRole('log');
  const result = await scroller.evaluate(async (el) => {
    const frames: number[] = [];
    const steps = 60;
    for (let i = 0; i <= steps; i++) {
      const t = performance.now();
      el.scrollTop = (el.scrollHeight * i) / steps;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))));
      frames.push(performance.now() - t);
    }
    frames.sort((a, b) => a - b);
    return {
      p95: frames[Math.floor(frames.length * 0.95)],
      rows: el.querySelectorAll('.row').length,
      height: el.scrollHeight,
    };
  });
  const counted = (await card.locator('.logs .count').first().textContent()) ?? '';
  const lines = Number(/([\d,]+)\s+lines/.exec(counted)?.[1]?.replace(/,/g, '') ?? 0);
  await page.close();
  // The function's own run (its REPORT Duration), and the cold start before it: what the UI cannot shorten.
  const { rows: invoked } = await client.call('history:list', { projectId: project.id, limit: 1 });
  const detail = await client.call('history:get', { invocationId: invoked[0].invocationId });
  transport.close();
  const run =
    (detail.durationMs ?? 0) + (detail.initDurationMs ?? 0) + (detail.phases?.containerStartMs ?? 0);
  return [
    {
      id: 'P5',
      what: `10 MB log (${lines.toLocaleString()} lines): scroll step end to end, p95 of 60 jumps (${result.rows} DOM rows)`,
      value: result.p95,
      unit: 'ms',
      goal: '≤ 50 ms per step (stays scrollable)',
      pass: result.p95 <= 50 && result.rows < 500 && lines > 50_000,
    },
    {
      id: 'P5',
      what: `10 MB log: invoke click → every line shown (${Math.round(shown)} ms), beyond the function's run`,
      value: shown - run,
      unit: 'ms',
      baseline: { what: 'container start + init + REPORT Duration', value: run },
      goal: '≤ 1000 ms',
      pass: shown - run <= 1000,
    },
  ];
}
