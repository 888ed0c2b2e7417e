import { WorkbenchError } from '../../../shared/rpc/errors';
import type { TestEvent } from '../../../shared/types';
import type { Db } from './database';

interface EventRow {
  name: string;
  body: string;
  updated_at: number;
}

/** Saved test events, by project and function; a name is unique within its function. */
export class EventsRepo {
  private readonly all;
  private readonly one;
  private readonly insert;
  private readonly upsert;
  private readonly setName;
  private readonly deleteOne;

  constructor(db: Db) {
    this.all = db.prepare<[number, string], EventRow>(
      'SELECT name, body, updated_at FROM saved_events WHERE project_id = ? AND function_id = ? ORDER BY name COLLATE NOCASE, name',
    );
    this.one = db.prepare<[number, string, string], EventRow>(
      'SELECT name, body, updated_at FROM saved_events WHERE project_id = ? AND function_id = ? AND name = ?',
    );
    this.insert = db.prepare<[number, string, string, string, number]>(
      'INSERT INTO saved_events (project_id, function_id, name, body, updated_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.upsert = db.prepare<[number, string, string, string, number]>(
      'INSERT INTO saved_events (project_id, function_id, name, body, updated_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT(project_id, function_id, name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at',
    );
    this.setName = db.prepare<[string, number, number, string, string]>(
      'UPDATE saved_events SET name = ?, updated_at = ? WHERE project_id = ? AND function_id = ? AND name = ?',
    );
    this.deleteOne = db.prepare<[number, string, string]>(
      'DELETE FROM saved_events WHERE project_id = ? AND function_id = ? AND name = ?',
    );
  }

  list(projectId: number, functionId: string): TestEvent[] {
    return this.all.all(projectId, functionId).map(toEvent);
  }

  get(projectId: number, functionId: string, name: string): TestEvent | undefined {
    const row = this.one.get(projectId, functionId, name);
    return row && toEvent(row);
  }

  /** Creates the event, or (with `overwrite`) replaces the body of the one with that name. */
  save(projectId: number, functionId: string, name: string, body: string, overwrite: boolean): TestEvent {
    uniqueName(name, () =>
      (overwrite ? this.upsert : this.insert).run(projectId, functionId, name, body, Date.now()),
    );
    return this.get(projectId, functionId, name)!;
  }

  rename(projectId: number, functionId: string, name: string, newName: string): TestEvent | undefined {
    const changes = uniqueName(
      newName,
      () => this.setName.run(newName, Date.now(), projectId, functionId, name).changes,
    );
    return changes > 0 ? this.get(projectId, functionId, newName) : undefined;
  }

  delete(projectId: number, functionId: string, name: string): boolean {
    return this.deleteOne.run(projectId, functionId, name).changes > 0;
  }
}

/** The UNIQUE constraint is the one arbiter of names, so the app and the CLI cannot both take one. */
function uniqueName<T>(name: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
      throw new WorkbenchError(
        'EventNameTaken',
        `This function already has a saved event named '${name}'; choose another name`,
        { name },
      );
    throw error;
  }
}

function toEvent(row: EventRow): TestEvent {
  return { name: row.name, body: row.body, source: 'saved', updatedAt: row.updated_at };
}
