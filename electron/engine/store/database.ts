import Database from 'better-sqlite3';
import { copyFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { migrations } from './migrations';

export type Db = Database.Database;

/**
 * Opens (or creates) the database: WAL so the app and the CLI can share the file, foreign keys on,
 * and a busy timeout so a second writer waits instead of failing.
 */
export function openDatabase(file: string): Db {
  const isNew = !existsSync(file);
  // The desktop app in development loads a copy built for Electron's ABI (scripts/electron-sqlite.js).
  const nativeBinding = process.env.LAMBENCH_SQLITE_BINDING;
  const db = new Database(file, nativeBinding ? { nativeBinding } : {});
  try {
    // 8 KB pages: fewer splits per insert across History's indexes (a quarter more rows/s at a million rows).
    // Only a new file can take it; older ones keep their 4 KB pages.
    if (isNew) db.pragma('page_size = 8192');
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    // Up to 64 MB of page cache: the pages a million rows' inserts touch stay in memory (32 MB cost a
    // quarter of the insert rate at 1M rows; the cache only grows as the history does).
    db.pragma('cache_size = -65536');
    migrate(db, file, isNew);
    checkpointOffThread(db, file, nativeBinding);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Db, file: string, isNew: boolean): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw Object.assign(
      new Error(
        `${file} was written by a newer Lambench (schema ${current}; this one knows ${migrations.length})`,
      ),
      { name: 'StoreVersionError' },
    );
  }
  if (current === migrations.length) return;
  // A copy taken before touching the schema, so a failed upgrade never costs the user their history.
  if (!isNew) {
    // Rows still in the -wal file go into the main file first, so the copy holds everything.
    db.pragma('wal_checkpoint(TRUNCATE)');
    copyFileSync(file, `${file}.v${current}.bak`);
  }
  db.transaction(() => {
    for (let version = current; version < migrations.length; version++) db.exec(migrations[version]);
    db.pragma(`user_version = ${migrations.length}`);
  })();
}

/**
 * SQLite's automatic checkpoint runs inside whichever commit crosses the threshold, stalling that invoke
 * for up to tens of milliseconds; a checkpoint on a timer on this thread stalls whatever runs then (about
 * 100 ms each under sustained load here). So a worker thread checkpoints, on its own connection: in WAL
 * mode a PASSIVE checkpoint never blocks this connection's writes. If the worker cannot start, this
 * thread does it.
 */
function checkpointOffThread(db: Db, file: string, nativeBinding: string | undefined, everyMs = 2000): void {
  db.pragma('wal_autocheckpoint = 0');
  const checkpoint = () => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or read-only: the next tick tries again.
    }
  };
  let worker: Worker | undefined;
  const closed = new Int32Array(new SharedArrayBuffer(4));
  if (file !== ':memory:') {
    try {
      worker = new Worker(CHECKPOINTER, {
        eval: true,
        workerData: {
          driver: createRequire(import.meta.url).resolve('better-sqlite3'),
          file,
          nativeBinding,
          closed,
        },
      });
      worker.unref();
      worker.on('error', () => (worker = undefined));
    } catch {
      worker = undefined;
    }
  }
  const timer = setInterval(() => (worker ? worker.postMessage('checkpoint') : checkpoint()), everyMs);
  timer.unref();
  // The worker's connection closes before this one, which is then the last and folds the WAL into the
  // file. Waited for: a worker still booting would otherwise open (and create) the files after the caller
  // has moved on, even after it deleted the folder.
  const close = db.close.bind(db);
  db.close = () => {
    clearInterval(timer);
    if (worker) {
      worker.postMessage('close');
      Atomics.wait(closed, 0, 0, 5000);
      worker = undefined;
    }
    return close();
  };
}

/** The checkpoint worker: its own connection to the same file, a PASSIVE checkpoint per message. */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const done = () => {
  Atomics.store(workerData.closed, 0, 1);
  Atomics.notify(workerData.closed, 0);
};
let db;
try {
  db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
  db.pragma('busy_timeout = 0');
} catch (error) {
  done();
  throw error;
}
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    done();
    parentPort.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {}
});
`;
