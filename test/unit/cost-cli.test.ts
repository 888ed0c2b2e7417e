/** `lambench cost`: pure arithmetic, so no engine and no Docker. */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../electron/cli/run';

/** The CLI in this process, its console output captured: a child process per case costs seconds here. */
async function lambench(...args: string[]) {
  const out = { stdout: '', stderr: '' };
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (out.stdout += `${a.join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (out.stderr += `${a.join(' ')}\n`));
  const code = await runCli(args);
  vi.restoreAllMocks();
  return { code, ...out };
}
afterEach(() => vi.restoreAllMocks());

describe('lambench cost', () => {
  it('prints the AWS worked example as JSON (the real binary entry, in a child process)', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'electron/cli/index.ts',
        'cost',
        '--requests',
        '3000000',
        '--duration-ms',
        '120',
        '--memory-mb',
        '1536',
        '--json',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      gbSeconds: 540_000,
      computeUsd: 2.333338,
      requestUsd: 0.4,
      storageUsd: 0,
      totalUsd: 2.733338,
    });
  });

  it('takes a rate, architecture, region, storage and no free tier, and prints a table', async () => {
    const r = await lambench(
      'cost',
      '--requests',
      '10',
      '--per',
      'second',
      '--duration-ms',
      '120',
      '--memory-mb',
      '1536',
      '--arch',
      'arm64',
      '--region',
      'eu-west-1',
      '--no-free-tier',
      '--ephemeral-mb',
      '2048',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('eu-west-1, arm64, 1536 MB, 120 ms billed per request, free tier not applied');
    // 26,280,000 requests × 0.18 GB-s = 4,730,400 GB-s × $0.0000133334 = $63.07; requests $5.256.
    expect(r.stdout).toMatch(/Compute\s+4,730,400 GB-s \(4,730,400 GB-s billable\)\s+\$63\.07/);
    expect(r.stdout).toMatch(/Requests\s+26,280,000 a month\s+\$5\.26/);
    expect(r.stdout).toMatch(/Total a month\s+\$68\.47/);
  });

  it('exits 2 with a clear message on a non-numeric flag', async () => {
    const r = await lambench('cost', '--requests', 'lots', '--duration-ms', '120', '--memory-mb', '1536');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("lambench cost: --requests must be a number, got 'lots'");
    expect(r.stderr).toContain('Usage: lambench cost --requests N');
    expect(r.stdout).toBe('');
  });

  it('exits 2 naming each flag out of range', async () => {
    const r = await lambench('cost', '--requests=-5', '--duration-ms', '100', '--memory-mb', '64');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--requests: Requests must be more than 0');
    expect(r.stderr).toContain('--memory-mb: Lambda memory is 128–10,240 MB');
    const absurd = await lambench(
      'cost',
      '--requests',
      '1e9',
      '--per',
      'second',
      '--duration-ms',
      '1',
      '--memory-mb',
      '128',
    );
    expect(absurd.code).toBe(2);
    expect(absurd.stderr).toContain(
      '--requests: 1,000,000,000 a second is 2,628,000,000,000,000 requests a month',
    );
    expect((await lambench('cost', '--requests', '0', '--duration-ms', '1', '--memory-mb', '128')).code).toBe(
      2,
    );
    expect((await lambench('cost', '--duration-ms', '1', '--memory-mb', '128')).stderr).toContain(
      '--requests is required',
    );
  });
});
