/** A database written by schema v1 opens as the latest schema, with its rows intact and a backup beside it. */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/store/database';
import type { HistoryFilter } from '../../shared/api/history';
import { whereClause } from '../../electron/engine/store/history-filter';
import { HistoryRepo } from '../../electron/engine/store/history-repo';
import { migrations } from '../../electron/engine/store/migrations';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** What Lambench with schema v1 left on disk: its SQL, user_version 1, a project and two invocations. */
function v1Database(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lambench-migrate-'));
  dirs.push(dir);
  const file = join(dir, 'lambench.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(migrations[0]);
  db.pragma('user_version = 1');
  db.exec(`
    INSERT INTO projects (id, name, path, opened_at) VALUES (1, 'shop', '/srv/shop', 1700000000000);
    INSERT INTO invocations (id, request_id, project_id, function_id, trigger, status, event, started_at, ended_at,
      duration_ms, billed_duration_ms, init_duration_ms, cold_start, memory_size_mb, max_memory_used_mb,
      architecture, gb_seconds, cost_usd, pid)
    VALUES ('inv-1', 'req-1', 1, 'Orders', 'ui', 'success', '{"a":1}', 1700000001000, 1700000001200,
      12.5, 13, 180.25, 1, 256, 71, 'x86_64', 0.00325, 0.0000000541, 4242),
      ('inv-2', 'req-2', 1, 'Orders', 'cli', 'error', '{}', 1700000002000, 1700000002010,
      3.2, 4, NULL, 0, 256, 70, 'x86_64', 0.001, 0.0000000167, 4242);
    INSERT INTO invocation_logs (invocation_id, text, truncated) VALUES ('inv-1', 'START\nhello\nEND', 0);
    INSERT INTO settings (key, value) VALUES ('theme', '"dark"');
  `);
  db.close();
  return file;
}

describe('migrations', () => {
  it('upgrades a v1 database to the latest schema with its data, after a .v1.bak copy', () => {
    const file = v1Database();
    // A row that is only in the -wal file: a connection that stays open has not checkpointed it.
    const other = new Database(file);
    other.pragma('wal_autocheckpoint = 0');
    other.exec(`INSERT INTO invocations (id, request_id, function_id, trigger, status, started_at, memory_size_mb,
      architecture, pid) VALUES ('inv-0', 'req-0', 'Orders', 'ui', 'success', 1600000000000, 128, 'arm64', 1)`);
    const db = openDatabase(file);
    other.close();
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
      const columns = db
        .prepare<[], { name: string }>('PRAGMA table_info(invocations)')
        .all()
        .map((c) => c.name);
      expect(columns).toEqual(expect.arrayContaining(['container_start_ms', 'sweep_id', 'logs']));
      const indexes = db
        .prepare<[], { name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'invocations'",
        )
        .all()
        .map((i) => i.name);
      expect(indexes).toEqual(expect.arrayContaining(['invocations_by_status', 'invocations_by_function']));
      // Migration 10: logs moved into their rows, the unused duration index gone.
      expect(indexes).not.toContain('invocations_by_duration');
      expect(
        db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'invocation_logs'").get(),
      ).toEqual({
        n: 0,
      });
      // An old file keeps its page size; only new ones get 8 KB pages.
      expect(db.pragma('page_size', { simple: true })).toBe(4096);

      const history = new HistoryRepo(db);
      expect(history.list({ limit: 10 }).rows.map((r) => [r.invocationId, r.status])).toEqual([
        ['inv-2', 'error'],
        ['inv-1', 'success'],
        ['inv-0', 'success'],
      ]);
      expect(history.get('inv-1')).toMatchObject({
        requestId: 'req-1',
        event: '{"a":1}',
        durationMs: 12.5,
        billedDurationMs: 13,
        initDurationMs: 180.25,
        coldStart: true,
        maxMemoryUsedMb: 71,
        costUsd: 0.0000000541,
        logs: 'START\nhello\nEND',
        phases: { initMs: 180.25, invokeMs: 12.5 },
      });
      expect(db.prepare('SELECT value FROM settings WHERE key = ?').get('theme')).toEqual({
        value: '"dark"',
      });
    } finally {
      db.close();
    }

    // The backup is the database as it was: still v1, with every row, the one from the -wal file too.
    expect(existsSync(`${file}.v1.bak`)).toBe(true);
    const backup = new Database(`${file}.v1.bak`, { readonly: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(1);
    expect(backup.prepare('SELECT count(*) AS n FROM invocations').get()).toEqual({ n: 3 });
    backup.close();

    // Opening again changes nothing and makes no second backup.
    rmSync(`${file}.v1.bak`);
    openDatabase(file).close();
    expect(existsSync(`${file}.v1.bak`)).toBe(false);
  });

  it('creates new files with 8 KB pages, and status pages read the partial status indexes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambench-migrate-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'lambench.db'));
    try {
      expect(db.pragma('page_size', { simple: true })).toBe(8192);
      const plan = (filter: HistoryFilter) => {
        const where = whereClause(filter);
        return db
          .prepare<unknown[], { detail: string }>(
            `EXPLAIN QUERY PLAN SELECT * FROM invocations ${where.sql} ORDER BY started_at DESC, id DESC LIMIT 51`,
          )
          .all(...where.params)
          .map((r) => r.detail)
          .join('; ');
      };
      expect(plan({ status: ['throttled'] })).toContain('USING INDEX invocations_by_status');
      expect(plan({ projectId: 1, functionId: 'Orders', status: ['error'] })).toContain(
        'USING INDEX invocations_by_function_status',
      );
      // Successes are not in the status indexes: their page walks the time index, newest first.
      expect(plan({ status: ['success'] })).toContain('USING INDEX invocations_by_time');
      // A version or alias filter walks the function's time index, in page order.
      for (const filter of [{ version: '1' }, { alias: 'live' }])
        expect(plan({ projectId: 1, functionId: 'Orders', ...filter })).toContain(
          'USING INDEX invocations_by_function',
        );
      for (const filter of [
        { status: ['success' as const] },
        { status: ['error' as const] },
        {},
        { version: '2' },
      ])
        expect(plan(filter)).not.toContain('TEMP B-TREE');
    } finally {
      db.close();
    }
  });

  it('refuses a database from a newer Lambench by name', () => {
    const file = v1Database();
    const db = new Database(file);
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(expect.objectContaining({ name: 'StoreVersionError' }));
  });
});
