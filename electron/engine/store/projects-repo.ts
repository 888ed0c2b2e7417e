import { existsSync } from 'node:fs';
import type { Project } from '../../../shared/types';
import type { Db } from './database';

/**
 * Every invoke looks its project up; a row read in the last second is reused (the query cost a warm invoke
 * ~25 µs). This process's own writes drop the copy at once; another process's (the CLI's) show within a
 * second. Whether its folder exists is checked each time, except where the caller trusts a watcher to
 * report the folder gone (`trustFolder`): a stat per invoke cost more than the rest of the lookup.
 */
const ROW_TTL_MS = 1000;

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
  private readonly recent = new Map<number, { project: Project; at: number }>();

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

  /**
   * `trustFolder`: the invoke path, where the project watcher stands in for a stat (it drops the copy when
   * the folder goes); elsewhere the folder is checked every time.
   */
  get(id: number, trustFolder = false): Project | undefined {
    const now = performance.now();
    const cached = this.recent.get(id);
    let project = cached && now - cached.at < ROW_TTL_MS ? cached.project : undefined;
    if (!project) {
      const row = this.byId.get(id);
      if (!row) return void this.recent.delete(id);
      project = toProject(row);
      this.recent.set(id, { project, at: now });
    } else if (!trustFolder || project.missing) {
      project = { ...project, missing: !existsSync(project.path) };
      this.recent.set(id, { project, at: cached!.at });
    }
    return { ...project };
  }

  /** Drops the cached copy (the folder was seen to go). */
  forget(id: number): void {
    this.recent.delete(id);
  }

  /** Adds the folder, or marks it as the most recently opened if it is already known. */
  open(path: string, name: string): Project {
    this.recent.clear();
    this.upsert.run(name, path, Date.now());
    return toProject(this.byPath.get(path)!);
  }

  /** Returns the renamed project, or undefined if there is none with that id. */
  rename(id: number, name: string): Project | undefined {
    this.recent.delete(id);
    this.setName.run(name, id);
    return this.get(id);
  }

  /**
   * Drops the project from the list; its saved events go with it (ON DELETE CASCADE) and its
   * invocations stay in History without a project. The folder itself is never touched.
   */
  remove(id: number): boolean {
    this.recent.delete(id);
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
