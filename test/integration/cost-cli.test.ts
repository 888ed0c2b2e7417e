/** `lambench tune`: a real sweep from the command line, in a child process with its own data home. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sweep } from '../../shared/types';

const home = mkdtempSync(join(tmpdir(), 'lambench-tune-'));
const project = join(home, 'hello');
cpSync('resources/blueprints/nodejs22-hello', project, { recursive: true });
afterAll(() => rmSync(home, { recursive: true, force: true }));

function lambench(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, LAMBENCH_HOME: home, LAMBENCH_IMAGES: 'test/support/local-images.json' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('lambench tune', () => {
  it('sweeps the sizes given, progress on stderr and the sweep as JSON on stdout', () => {
    const r = lambench(
      'tune',
      'HelloWorldFunction',
      '--project',
      project,
      '--memory',
      '128,256',
      '--runs',
      '2',
      '--json',
    );
    expect(r.code).toBe(0);
    const sweep = JSON.parse(r.stdout) as Sweep;
    expect(sweep).toMatchObject({
      status: 'done',
      done: 6,
      total: 6,
      memorySizes: [128, 256],
      runsPerSize: 2,
    });
    expect(sweep.sizes.map((s) => s.succeeded)).toEqual([2, 2]);
    expect([128, 256]).toContain(sweep.recommendations!.cheapest.memoryMb);
    expect(r.stderr).toContain('[  6/6] 256 MB — done');
  });

  it('prints a table and the recommendations', () => {
    const r = lambench('tune', 'HelloWorldFunction', '--project', project, '--memory', '128', '--runs', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Memory\s+Runs\s+Failed\s+Avg duration\s+Avg billed\s+Cost \/ invocation$/m);
    expect(r.stdout).toMatch(/^128 MB\s+1\s+0\s+\d+\.\d\d ms\s+\d+ ms\s+\$0\.\d+$/m);
    expect(r.stdout).toMatch(/^Cheapest\s+128 MB/m);
    expect(r.stdout).toContain('one warm-up invoke (a cold start, left out)');
  });

  it('exits 2 on a bad flag or a size Lambda does not offer', () => {
    const runs = lambench('tune', 'HelloWorldFunction', '--project', project, '--runs', 'many');
    expect(runs.code).toBe(2);
    expect(runs.stderr).toContain("lambench tune: --runs must be a number, got 'many'");
    const size = lambench('tune', 'HelloWorldFunction', '--project', project, '--memory', '64,128');
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('memorySizes.0: Lambda memory is 128–10,240 MB');
  });
});
