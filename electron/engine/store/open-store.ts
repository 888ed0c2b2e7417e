/**
 * Opening the database at start-up without letting a bad file stop the app: a read-only, corrupt, locked
 * or full database becomes a `StoreUnavailable` error that names the file and what to do, and the engine
 * carries on with an in-memory database (History for this session only) and a visible warning.
 */
import { WorkbenchError } from '../../../shared/rpc/errors';
import { openDatabase, type Db } from './database';

export interface OpenedStore {
  db: Db;
  /** Set when the file could not be used and History lives in memory: shown in `app:status`. */
  warning?: string;
  error?: WorkbenchError;
}

export function openStore(file: string): OpenedStore {
  try {
    const db = openDatabase(file);
    try {
      checkWritable(db);
      return { db };
    } catch (error) {
      db.close();
      throw error;
    }
  } catch (error) {
    const unavailable = storeUnavailable(file, error);
    return {
      db: openDatabase(':memory:'),
      error: unavailable,
      warning: `${unavailable.message} Until then Lambench uses a temporary database: projects, settings and History of this session are not saved.`,
    };
  }
}

/** Opening only reads; a write transaction proves the file, its folder (for the WAL) and the lock are usable. */
function checkWritable(db: Db): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec("INSERT INTO settings (key, value) VALUES ('_writable', '1') ON CONFLICT(key) DO NOTHING");
    db.exec("DELETE FROM settings WHERE key = '_writable'");
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** Names what went wrong with the database file, and what the user can do about it. */
export function storeUnavailable(file: string, error: unknown): WorkbenchError {
  const e = error as Error & { code?: string };
  const code = String(e.code ?? '');
  const [reason, action] =
    e.name === 'StoreVersionError'
      ? [e.message, 'Update Lambench, or point LAMBENCH_HOME at another folder.']
      : /SQLITE_(READONLY|CANTOPEN|PERM|AUTH)|EACCES|EROFS|EPERM/.test(code + e.message)
        ? [
            'it is read-only or cannot be opened for writing',
            'Check the permissions of the file and its folder (Lambench also writes -wal and -shm files beside it).',
          ]
        : /SQLITE_(NOTADB|CORRUPT)/.test(code)
          ? [
              'it is not a SQLite database or is damaged',
              'Move the file aside (Lambench creates a new one) or restore a .bak copy from the same folder.',
            ]
          : /SQLITE_(BUSY|LOCKED)/.test(code)
            ? [
                'another program holds a lock on it',
                'Close the other Lambench (or the program holding the file) and restart.',
              ]
            : /SQLITE_FULL|ENOSPC/.test(code + e.message)
              ? ['the disk is full', 'Free some disk space and restart Lambench.']
              : [
                  `${code ? `${code}: ` : ''}${e.message}`,
                  'Check the file, or point LAMBENCH_HOME at another folder.',
                ];
  return new WorkbenchError(
    'StoreUnavailable',
    `Cannot use the Lambench database ${file}: ${reason}. ${action}`,
    {
      file,
      code: code || e.name,
      cause: e.message,
    },
  );
}
