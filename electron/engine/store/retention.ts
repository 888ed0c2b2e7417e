/**
 * History retention: rows older than `retentionDays`, and beyond the newest `retentionRows`, are deleted
 * with their logs (part of the row). Deletes go in small chunks with a turn of the event loop between
 * them, so trimming a million rows never freezes the engine; running invocations are never touched.
 * Asynchronous events that are done go with the days as well.
 */
import type { Db } from './database';

export interface RetentionSettings {
  /** 0 keeps rows forever. */
  retentionDays: number;
  /** 0 keeps any number of rows. */
  retentionRows: number;
}

const DAY_MS = 86_400_000;
const CHUNK = 2000;
export const RETENTION_INTERVAL_MS = 10 * 60_000;

export class Retention {
  private readonly deleteOlder;
  private readonly nthNewest;
  private readonly deleteBefore;
  private readonly deleteOldEvents;
  private running: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    db: Db,
    private readonly settings: () => RetentionSettings,
    private readonly beforeWrite: () => void = () => {},
  ) {
    this.deleteOlder = db.prepare<[number, number]>(
      `DELETE FROM invocations WHERE rowid IN (SELECT rowid FROM invocations INDEXED BY invocations_by_time
         WHERE started_at < ? AND status != 'running' ORDER BY started_at LIMIT ?)`,
    );
    this.nthNewest = db.prepare<[number], { started_at: number; id: string }>(
      'SELECT started_at, id FROM invocations ORDER BY started_at DESC, id DESC LIMIT 1 OFFSET ?',
    );
    this.deleteBefore = db.prepare<[number, string, number]>(
      `DELETE FROM invocations WHERE rowid IN (SELECT rowid FROM invocations INDEXED BY invocations_by_time
         WHERE (started_at, id) < (?, ?) AND status != 'running' ORDER BY started_at, id LIMIT ?)`,
    );
    // Asynchronous events that are done (succeeded, or failed and listed as dead letters) go with the days
    // too: their attempts' rows are gone by then. Queued and running ones are never touched.
    this.deleteOldEvents = db.prepare<[number, number]>(
      `DELETE FROM async_events WHERE rowid IN (SELECT rowid FROM async_events INDEXED BY async_events_by_status
         WHERE status IN ('succeeded', 'failed') AND updated_at < ? LIMIT ?)`,
    );
  }

  /** Applies the settings now and then every `intervalMs`. */
  start(intervalMs = RETENTION_INTERVAL_MS, onError: (error: Error) => void = () => {}): void {
    const run = () => void this.apply().catch(onError);
    run();
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => 0);
  }

  /** Deletes what the settings say should go; resolves with how many invocations were deleted. */
  apply(): Promise<number> {
    // One pass at a time: a settings change during a long trim joins the trim already under way.
    this.running ??= this.trim().finally(() => (this.running = undefined));
    return this.running;
  }

  private async trim(): Promise<number> {
    this.beforeWrite();
    const { retentionDays, retentionRows } = this.settings();
    let deleted = 0;
    if (retentionDays > 0) {
      const cutoff = Date.now() - retentionDays * DAY_MS;
      deleted += await chunked(() => this.deleteOlder.run(cutoff, CHUNK).changes);
      await chunked(() => this.deleteOldEvents.run(cutoff, CHUNK).changes);
    }
    if (retentionRows > 0) {
      // The oldest row to keep is found once; rows started later are never behind it in the order.
      const keepFrom = this.nthNewest.get(retentionRows - 1);
      if (keepFrom) {
        deleted += await chunked(
          () => this.deleteBefore.run(keepFrom.started_at, keepFrom.id, CHUNK).changes,
        );
      }
    }
    return deleted;
  }
}

async function chunked(deleteChunk: () => number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = deleteChunk();
    total += n;
    if (n < CHUNK) return total;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
