/**
 * Bad database files: read-only, corrupt, locked by another process, on a full disk. Each gives a
 * StoreUnavailable error naming the file and what to do, and the engine still opens (History in memory,
 * the warning in app:status). A disk that fills up later keeps writes queued until space comes back.
 * Needs root for tmpfs mounts (as here); skips loudly otherwise.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine, type Engine } from '../../electron/engine/engine';
import { openDatabase } from '../../electron/engine/store/database';
import { openStore } from '../../electron/engine/store/open-store';

const isRoot = process.getuid?.() === 0;
if (!isRoot)
  console.warn('store-robustness: not root, so the tmpfs (read-only, disk-full) cases are skipped');

const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lambench-bad-db-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A small tmpfs, unmounted after the test. */
function tmpfs(size: string): string {
  const dir = tempDir();
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  cleanups.push(() => execFileSync('umount', ['-l', dir]));
  return dir;
}

async function engineIn(home: string): Promise<Engine> {
  const engine = await createEngine({ home, executor: 'process' });
  cleanups.push(() => void engine.close());
  return engine;
}

/** The engine opened anyway: it answers, History works in memory, and app:status says why. */
async function expectOpenedWithWarning(home: string, reason: RegExp): Promise<void> {
  const engine = await engineIn(home);
  const client = createDirectClient(engine);
  const status = await client.call('app:status');
  expect(status.storeWarning).toMatch(reason);
  expect(status.storeWarning).toContain(join(home, 'lambench.db'));
  expect(status.storeWarning).toMatch(/temporary database/);
  expect(await client.call('history:list', { limit: 5 })).toEqual({ rows: [] });
}

describe('bad database files', () => {
  it.runIf(isRoot)('read-only file system', async () => {
    const home = tmpfs('4m');
    openDatabase(join(home, 'lambench.db')).close();
    execFileSync('mount', ['-o', 'remount,ro', home]);
    const store = openStore(join(home, 'lambench.db'));
    expect(store.error).toMatchObject({
      name: 'StoreUnavailable',
      details: { file: join(home, 'lambench.db') },
    });
    expect(store.error!.message).toMatch(/read-only.*Check the permissions/);
    store.db.close();
    await expectOpenedWithWarning(home, /read-only/);
  });

  it('corrupt file (garbage bytes)', async () => {
    const home = tempDir();
    writeFileSync(join(home, 'lambench.db'), randomBytes(64 * 1024));
    const store = openStore(join(home, 'lambench.db'));
    expect(store.error).toMatchObject({ name: 'StoreUnavailable', details: { code: 'SQLITE_NOTADB' } });
    expect(store.error!.message).toMatch(/not a SQLite database.*Move the file aside/);
    store.db.close();
    await expectOpenedWithWarning(home, /not a SQLite database/);
  });

  it('locked by another process holding an exclusive transaction', async () => {
    const home = tempDir();
    const file = join(home, 'lambench.db');
    openDatabase(file).close();
    const holder = await holdExclusiveLock(file);
    cleanups.push(() => holder.kill('SIGKILL'));
    const store = openStore(file);
    expect(store.error).toMatchObject({ name: 'StoreUnavailable', details: { code: 'SQLITE_BUSY' } });
    expect(store.error!.message).toMatch(/another program holds a lock.*Close the other Lambench/);
    store.db.close();
    await expectOpenedWithWarning(home, /holds a lock/);
  }, 30_000);

  it.runIf(isRoot)('disk full at start-up', async () => {
    const home = tmpfs('512k');
    fill(home);
    const store = openStore(join(home, 'lambench.db'));
    expect(store.error).toMatchObject({ name: 'StoreUnavailable' });
    expect(store.error!.message).toMatch(/disk is full.*Free some disk space/);
    store.db.close();
    await expectOpenedWithWarning(home, /disk is full/);
  });

  it.runIf(isRoot)('disk filling up later: writes wait, the warning shows, nothing is lost', async () => {
    // Room for the rows twice over once the filler goes: WAL frames, then the pages they land in.
    const home = tmpfs('4m');
    const engine = await engineIn(home);
    const client = createDirectClient(engine);
    const { records } = engine.services;
    const filler = fill(home);
    const ids = Array.from({ length: 300 }, () => randomUUID());
    // Big events, so the writes cannot fit in what the filler left.
    for (const [i, invocationId] of ids.entries()) {
      records.begin({
        invocationId,
        requestId: randomUUID(),
        projectId: null,
        functionId: 'Fn',
        trigger: 'api',
        event: JSON.stringify({ pad: 'x'.repeat(4000), i }),
        startedAt: 1000 + i,
        memorySizeMb: 128,
        architecture: 'x86_64',
      });
    }
    records.flush();
    expect(records.pending).toBe(300);
    const status = await client.call('app:status');
    expect(status.storeWarning).toMatch(
      /History could not be saved \(database or disk is full\); 300 write\(s\) wait/,
    );

    // Until the retry is due, more writes and reads wait rather than try again.
    records.flush();
    expect(records.pending).toBe(300);
    rmSync(filler);
    // The retry timer writes them by itself once there is room.
    await expect.poll(() => records.pending, { timeout: 10_000 }).toBe(0);
    expect(records.writeError).toBeUndefined();
    expect((await client.call('app:status')).storeWarning).toBeUndefined();
    const page = await client.call('history:list', { limit: 500 });
    expect(page.rows.map((r) => r.invocationId).sort()).toEqual([...ids].sort());
  });
});

/** Fills a tmpfs to the last byte; returns the filler file. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { stdio: 'ignore' });
  } catch {
    // dd stops with "No space left on device": exactly what was wanted.
  }
  mkdirSync(join(dir, 'probe'), { recursive: true });
  return filler;
}

/** Another process that takes the write lock and keeps it until killed. */
function holdExclusiveLock(file: string): Promise<ChildProcess> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(file)});
    db.exec('BEGIN EXCLUSIVE');
    db.exec("INSERT INTO settings (key, value) VALUES ('held', '1')");
    console.log('locked');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('locked') && resolve(child));
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
}
