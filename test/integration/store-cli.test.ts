/** `lambench history` from the built CLI (run `npm run build` first) over a History recorded beforehand. */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationSummary } from '../../shared/api/history';
import { openDatabase } from '../../electron/engine/store/database';
import { InvocationsRepo } from '../../electron/engine/store/invocations-repo';

const repo = resolve(__dirname, '../..');
const root = mkdtempSync(join(tmpdir(), 'lambench-history-cli-'));
const home = join(root, 'home');
const shop = join(root, 'shop');
const ids: Record<string, string> = {};
let t0: number;

beforeAll(() => {
  if (!existsSync(join(repo, 'out/main/cli.js')))
    throw new Error('The CLI is not built: run `npm run build` before this test');
  mkdirSync(home);
  mkdirSync(shop);
  const db = openDatabase(join(home, 'lambench.db'));
  db.prepare(
    "INSERT INTO projects (id, name, path, opened_at) VALUES (1, 'shop', ?, 0), (2, 'other', '/x', 0)",
  ).run(shop);
  const records = new InvocationsRepo(db);
  // Recent, or the default retention (90 days) would delete them when the CLI's engine starts.
  t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  const rows: [string, number, string, 'success' | 'error', number][] = [
    ['first', 1, 'Orders', 'success', 0],
    ['failed', 1, 'Orders', 'error', 1000],
    ['cart', 1, 'Cart', 'success', 2000],
    ['elsewhere', 2, 'Orders', 'success', 3000],
  ];
  for (const [name, projectId, functionId, status, offset] of rows) {
    const base = { invocationId: randomUUID(), requestId: randomUUID(), projectId, functionId };
    ids[name] = base.requestId;
    records.begin({
      ...base,
      trigger: 'cli',
      event: '{}',
      startedAt: t0 + offset,
      memorySizeMb: 128,
      architecture: 'x86_64',
    });
    records.finish({
      ...base,
      status,
      startedAt: t0 + offset,
      durationMs: 12.5,
      billedDurationMs: 13,
      coldStart: offset === 0,
      memorySizeMb: 128,
      maxMemoryUsedMb: 40,
      architecture: 'x86_64',
      error: status === 'error' ? { type: 'Runtime.UserError', message: 'no "items", sorry' } : undefined,
      logs: '',
      logsTruncated: false,
      gbSeconds: 0.0016,
      costUsd: 0.0000002,
    });
  }
  records.flush();
  db.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function lambench(...args: string[]) {
  const run = spawnSync(process.execPath, [join(repo, 'bin/lambench.js'), 'history', ...args], {
    env: { ...process.env, LAMBENCH_HOME: home, LAMBENCH_EXECUTOR: 'process' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('lambench history', () => {
  it('prints a table, newest first', () => {
    const out = lambench();
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual([
      'TIME',
      'FUNCTION',
      'STATUS',
      'DURATION',
      'BILLED',
      'MEMORY',
      'COLD',
      'TRIGGER',
      'REQUEST ID',
    ]);
    expect(lines.slice(1).map((l) => l.split(/\s+/).pop())).toEqual([
      ids.elsewhere,
      ids.cart,
      ids.failed,
      ids.first,
    ]);
    expect(lines[4]).toMatch(/Orders\s+success\s+12\.50 ms\s+13 ms\s+40\/128 MB\s+cold\s+cli/);
  });

  it('filters by project, function and status, and limits', () => {
    const json = (...args: string[]) => JSON.parse(lambench(...args, '--json').stdout) as InvocationSummary[];
    expect(json('--project', shop, '--function', 'Orders').map((r) => r.requestId)).toEqual([
      ids.failed,
      ids.first,
    ]);
    expect(json('--status', 'error').map((r) => r.requestId)).toEqual([ids.failed]);
    expect(json('--status', 'success,error', '--limit', '2').map((r) => r.requestId)).toEqual([
      ids.elsewhere,
      ids.cart,
    ]);
  });

  it('writes CSV with a header and quoted fields', () => {
    const out = lambench('--csv', '--status', 'error');
    expect(out.code).toBe(0);
    const [header, line, end] = out.stdout.split('\r\n');
    expect(header.startsWith('started_at,invocation_id,request_id,')).toBe(true);
    expect(line.startsWith(`${new Date(t0 + 1000).toISOString()},`)).toBe(true);
    expect(line).toContain(
      `,${ids.failed},1,Orders,cli,error,Runtime.UserError,"no ""items"", sorry",12.5,13,`,
    );
    expect(end).toBe('');
  });

  it('explains bad flags and unknown projects', () => {
    expect(lambench('--status', 'broken')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown status 'broken'/),
    });
    expect(lambench('--json', '--csv')).toMatchObject({ code: 2 });
    expect(lambench('--limit', '0')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--limit must be/),
    });
    expect(lambench('--project', join(root, 'nope'))).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/ProjectNotFound: .*nope has no History/),
    });
  });
});
