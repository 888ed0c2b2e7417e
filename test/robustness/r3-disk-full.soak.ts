/**
 * R3: the disk fills while invoking. The data home is a 16 MB tmpfs; once it is full, invokes still run
 * and answer, app:status says History cannot be saved and why, the store passes PRAGMA integrity_check,
 * and once space comes back every queued row is written and survives a restart.
 * Needs root for the tmpfs mount (as here); skips loudly otherwise.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine } from '../../electron/engine/engine';
import { report, type SoakRow } from './report';
import { startWorkload, workloadRoot } from './workload';

const isRoot = process.getuid?.() === 0;
if (!isRoot) report([], ['R3 disk full: not run (needs root for the tmpfs mount)']);

const BEFORE = 3;
const WHILE_FULL = 50;
const rows: SoakRow[] = [];
afterAll(() => report(rows));

/** Fills a folder's file system to the last byte; returns the filler file. */
function fill(dir: string): string {
  const filler = path.join(dir, 'filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { stdio: 'ignore' });
  } catch {
    // dd stops with "No space left on device": exactly what was wanted.
  }
  return filler;
}

describe('R3 disk full while invoking', () => {
  it.runIf(isRoot)(
    'answers every invoke, says why History waits, and loses nothing',
    async () => {
      const { root, projectDir } = workloadRoot();
      const home = path.join(root, 'home');
      fs.mkdirSync(home);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', home]);
      try {
        const w = await startWorkload({ root, projectDir, home });
        let reopened: Awaited<ReturnType<typeof createEngine>> | undefined;
        try {
          for (let i = 0; i < BEFORE; i++) expect((await w.invoke('Quick', { i })).status).toBe('success');
          w.engine.services.records.flush();
          const filler = fill(home);

          // Big events, so the rows cannot fit in what the filler left; five clients at a time.
          const pad = 'x'.repeat(20_000);
          const statuses: string[] = [];
          let next = 0;
          const slowest = { ms: 0 };
          await Promise.all(
            Array.from({ length: 5 }, async () => {
              while (next < WHILE_FULL) {
                const i = next++;
                const t0 = performance.now();
                const r = await w.invoke('Quick', { i, pad });
                slowest.ms = Math.max(slowest.ms, performance.now() - t0);
                statuses.push(r.status);
              }
            }),
          );
          w.engine.services.records.flush();
          const warning = (await w.client.call('app:status')).storeWarning ?? '';
          const integrityFull = w.engine.services.db.pragma('integrity_check', { simple: true });
          const pending = w.engine.services.records.pending;

          fs.rmSync(filler);
          await expect.poll(() => w.engine.services.records.pending, { timeout: 15_000 }).toBe(0);
          const cleared = (await w.client.call('app:status')).storeWarning;
          const saved = (await w.client.call('history:list', { limit: 500 })).rows.length;
          await w.close();

          reopened = await createEngine({ home });
          const integrity = reopened.services.db.pragma('integrity_check', { simple: true });
          const kept = (await createDirectClient(reopened).call('history:list', { limit: 500 })).rows.length;

          const ok = statuses.filter((s) => s === 'success').length;
          const total = BEFORE + WHILE_FULL;
          rows.push(
            {
              case: 'R3 disk full: invokes answer',
              expected: `${WHILE_FULL} successes, none hangs`,
              got: `${ok} successes, slowest ${slowest.ms.toFixed(0)} ms`,
              pass: ok === WHILE_FULL,
            },
            {
              case: 'R3 disk full: clear error',
              expected: 'app:status: History could not be saved (disk is full)',
              got: `${warning.slice(0, 90)} (${pending} writes queued)`,
              pass: /disk is full/.test(warning) && pending > 0,
            },
            {
              case: 'R3 disk full: store not corrupted',
              expected: 'integrity_check ok (full, and after restart)',
              got: `${integrityFull} / ${integrity}`,
              pass: integrityFull === 'ok' && integrity === 'ok',
            },
            {
              case: 'R3 disk full: nothing lost',
              expected: `${total} rows once space is back, and after restart; warning cleared`,
              got: `${saved} rows, ${kept} after restart; warning ${cleared ? 'still there' : 'cleared'}`,
              pass: saved === total && kept === total && !cleared,
            },
          );
          expect(ok).toBe(WHILE_FULL);
          expect(warning).toMatch(/disk is full/);
          expect(integrityFull).toBe('ok');
          expect(integrity).toBe('ok');
          expect(saved).toBe(total);
          expect(kept).toBe(total);
          expect(cleared).toBeUndefined();
        } finally {
          await reopened?.close();
        }
      } finally {
        execFileSync('umount', ['-l', home]);
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
    300_000,
  );
});
