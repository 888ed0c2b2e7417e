/**
 * `lambench invoke --invocation-type Event` as a user runs it (the BUILT CLI, `npm run build` first): it prints
 * the event id and the first attempt, and the retries it leaves queued in the data home are finished by the
 * next engine that opens that home (the app, or `lambench serve`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine';
import { until } from '../fixtures/functions/engine-harness';
import { requireBuiltCli, runCli } from '../support/cli';
import { ensureLocalImages, LOCAL_IMAGES_JSON } from '../support/images.js';

let root: string;

beforeAll(async () => {
  requireBuiltCli();
  await ensureLocalImages();
  // The engine this test opens itself uses the local images too.
  process.env.LAMBENCH_IMAGES = LOCAL_IMAGES_JSON;
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-async-cli-'));
  fs.chmodSync(root, 0o755);
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const lambench = (...args: string[]) => runCli(path.join(root, 'home'), ...args);

it('prints the event id and leaves the retries for the next engine', async () => {
  const dir = path.join(root, 'invoke-api');
  fs.cpSync(path.resolve('test/fixtures/projects/invoke-api'), dir, { recursive: true });
  const human = await lambench('invoke', 'Echo', '--project', dir, '--invocation-type', 'Event');
  expect(human.code).toBe(0);
  expect(human.stdout).toMatch(/^EventId: [0-9a-f-]{36}$/m);
  expect(human.stderr).toContain('REPORT RequestId:');

  const run = await lambench('invoke', 'Fails', '--project', dir, '--invocation-type', 'Event', '--json');
  expect(run.code).toBe(0);
  const out = JSON.parse(run.stdout);
  expect(out).toMatchObject({ statusCode: 202, firstAttempt: { status: 'error', error: { type: 'Error' } } });
  expect(out.firstAttempt.requestId).toBe(out.eventId);

  const bad = await lambench('invoke', 'Echo', '--project', dir, '--invocation-type', 'Sometimes');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--invocation-type must be RequestResponse or Event');

  // The retry waits (Lambda's minute) in the home; an engine opened on it later runs it to the end.
  const engine = await createEngine({ home: path.join(root, 'home'), async: { retryDelaysMs: [20, 20] } });
  try {
    expect(engine.services.asyncEvents.get(out.eventId)).toMatchObject({ status: 'queued', attempts: 1 });
    engine.services.db.prepare('UPDATE async_events SET next_attempt_at = 0 WHERE id = ?').run(out.eventId);
    engine.services.asyncInvoker.wake();
    const done = await until(
      () => {
        const e = engine.services.asyncEvents.get(out.eventId);
        return e?.status === 'failed' ? e : undefined;
      },
      'the CLI’s event to fail for good',
      60_000,
    );
    expect(done.attempts).toBe(3);
  } finally {
    await engine.close();
  }
}, 120_000);
