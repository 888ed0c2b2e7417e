import { existsSync } from 'node:fs';
import type { Project } from '../../../shared/types';
import type { Db } from './database';

interface ProjectRow {
  id: number;
  name: string;
  path: string;
  opened_at: number;
}

/** The project registry: folders the user opened. Removing one never touches their files. */
export class ProjectsRepo {
  private readonly byPath;
  private readonly byId;
  private readonly all;
  private readonly upsert;
  private readonly setName;
  private readonly deleteById;

  constructor(db: Db) {
    this.byPath = db.prepare<[string], ProjectRow>('SELECT * FROM projects WHERE path = ?');
    this.byId = db.prepare<[number], ProjectRow>('SELECT * FROM projects WHERE id = ?');
    this.all = db.prepare<[], ProjectRow>('SELECT * FROM projects ORDER BY opened_at DESC, id DESC');
    this.upsert = db.prepare<[string, string, number]>(
      'INSERT INTO projects (name, path, opened_at) VALUES (?, ?, ?) ON CONFLICT(path) DO UPDATE SET opened_at = excluded.opened_at',
    );
    this.setName = db.prepare<[string, number]>('UPDATE projects SET name = ? WHERE id = ?');
    this.deleteById = db.prepare<[number]>('DELETE FROM projects WHERE id = ?');
  }

  list(): Project[] {
    return this.all.all().map(toProject);
  }

  get(id: number): Project | undefined {
    const row = this.byId.get(id);
    return row && toProject(row);
  }

  /** Adds the folder, or marks it as the most recently opened if it is already known. */
  open(path: string, name: string): Project {
    this.upsert.run(name, path, Date.now());
    return toProject(this.byPath.get(path)!);
  }

  /** Returns the renamed project, or undefined if there is none with that id. */
  rename(id: number, name: string): Project | undefined {
    this.setName.run(name, id);
    return this.get(id);
  }

  /**
   * Drops the project from the list; its saved events go with it (ON DELETE CASCADE) and its
   * invocations stay in History without a project. The folder itself is never touched.
   */
  remove(id: number): boolean {
    return this.deleteById.run(id).changes > 0;
  }
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    openedAt: row.opened_at,
    missing: !existsSync(row.path),
  };
}
