/**
 * R3: dockerd restarted during a run of 100 invokes. Each invoke ends with a clear error or succeeds,
 * none hangs past its timeout, and invokes work again within 5 s of Docker answering, without
 * restarting Lambench.
 *
 * It stops the machine's SHARED dockerd, so it runs only when asked: LAMBENCH_SOAK_DOCKERD=1, alone,
 * with nothing else using Docker. dockerd is started again in afterAll whatever happened, with the
 * arguments it was running with.
 */
import { execFile, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { report, type SoakRow } from './report';
import { startWorkload, type Workload } from './workload';

const enabled = process.env.LAMBENCH_SOAK_DOCKERD === '1';
// Said at load, in the table too: vitest runs no hooks in a file whose tests are all skipped.
if (!enabled)
  report(
    [],
    ['R3 dockerd restart: not run (it restarts the shared dockerd; opt in with LAMBENCH_SOAK_DOCKERD=1)'],
  );

const TOTAL = 100;
const CLIENTS = 4;
/** Limited's Timeout (10 s) plus Lambda's 10 s init limit: no invoke may take longer, plus slack. */
const LONGEST_MS = 10_000 + 10_000 + 5_000;
const DOCKERD_LOG = join(tmpdir(), 'lambench-soak-dockerd.log');
const run = promisify(execFile);

const rows: SoakRow[] = [];
let w: Workload | undefined;
let dockerdArgs: string[] | undefined;

async function dockerdPid(): Promise<number | undefined> {
  try {
    const pid = Number((await run('pidof', ['dockerd'])).stdout.trim().split(/\s+/)[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined; // pidof exits 1 when there is none
  }
}

async function dockerAnswers(): Promise<boolean> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopDockerd(): Promise<void> {
  const pid = await dockerdPid();
  if (!pid) throw new Error('dockerd is not running: this soak needs the real engine');
  dockerdArgs = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1);
  process.kill(pid, 'SIGTERM');
  await waitFor(async () => (await dockerdPid()) === undefined, 'dockerd to exit', 60_000);
}

/** Starts dockerd as it ran before; resolves when it answers, with the time it first did. */
async function startDockerd(): Promise<number> {
  if (dockerdArgs && !(await dockerdPid())) {
    const log = openSync(DOCKERD_LOG, 'a');
    spawn('dockerd', dockerdArgs, { detached: true, stdio: ['ignore', log, log] }).unref();
  }
  await waitFor(dockerAnswers, `dockerd to answer (log: ${DOCKERD_LOG})`, 90_000);
  return Date.now();
}

afterAll(async () => {
  // First of all: Docker comes back for everyone, even if the soak failed half way.
  if (enabled) await startDockerd();
  report(rows);
  await w?.close();
});

describe.runIf(enabled)('R3 dockerd restarted during 100 invokes', () => {
  it('ends each invoke clearly, none hangs, and invokes work again within 5 s', async () => {
    w = await startWorkload();
    expect((await w.invoke('Limited', { ms: 50 })).status).toBe('success');
    const results: { status: string; type?: string; message?: string; ms: number; at: number }[] = [];
    let next = 0;
    // The last 30 wait for Docker to answer again, so some are left to show the recovery.
    let dockerBack!: () => void;
    const back = new Promise<void>((resolve) => (dockerBack = resolve));
    const client = async () => {
      while (next < TOTAL) {
        if (next >= TOTAL - 30) await back;
        if (next >= TOTAL) break;
        next++;
        const t0 = Date.now();
        try {
          const r = await w!.invoke('Limited', { ms: 100 });
          results.push({
            status: r.status,
            type: r.error?.type,
            message: r.error?.message,
            ms: Date.now() - t0,
            at: t0,
          });
        } catch (e) {
          const err = e as Error;
          results.push({
            status: 'thrown',
            type: err.name,
            message: err.message,
            ms: Date.now() - t0,
            at: t0,
          });
        }
        // Paced, so the run spans the whole restart.
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const invoking = Promise.all(Array.from({ length: CLIENTS }, client));
    await waitFor(async () => results.length >= 20, '20 invokes before the restart', 60_000);
    await stopDockerd();
    await new Promise((r) => setTimeout(r, 3000));
    const backAt = await startDockerd();
    dockerBack();
    await invoking;

    const clear = results.filter((r) => r.status === 'success' || (r.type && r.message));
    const longest = Math.max(...results.map((r) => r.ms));
    const firstOk = results
      .filter((r) => r.status === 'success' && r.at >= backAt)
      .sort((a, b) => a.at - b.at)[0];
    const recoveredMs = firstOk ? firstOk.at + firstOk.ms - backAt : Infinity;
    const failures = [...new Set(results.filter((r) => r.status !== 'success').map((r) => r.type))];
    rows.push(
      {
        case: 'R3 dockerd restart: every invoke clear',
        expected: `${TOTAL} successes or named errors`,
        got: `${results.filter((r) => r.status === 'success').length} successes; errors: ${failures.join(', ') || 'none'}`,
        pass: results.length === TOTAL && clear.length === TOTAL,
      },
      {
        case: 'R3 dockerd restart: none hangs',
        expected: `each ≤ ${LONGEST_MS / 1000} s`,
        got: `longest ${(longest / 1000).toFixed(1)} s`,
        pass: longest <= LONGEST_MS,
      },
      {
        case: 'R3 dockerd restart: recovery',
        expected: '≤ 5 s after Docker answers, no Lambench restart',
        got: `${(recoveredMs / 1000).toFixed(1)} s`,
        pass: recoveredMs <= 5000,
      },
    );
    expect(results).toHaveLength(TOTAL);
    expect(clear).toHaveLength(TOTAL);
    expect(longest).toBeLessThanOrEqual(LONGEST_MS);
    expect(recoveredMs).toBeLessThanOrEqual(5000);
  }, 600_000);
});
