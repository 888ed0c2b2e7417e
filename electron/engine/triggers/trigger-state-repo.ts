/** Which projects have their schedules switched on (off until the user says so; saved across restarts). */
import type { Db } from '../store/database';

export class TriggerStateRepo {
  private readonly read;
  private readonly write;

  constructor(db: Db) {
    this.read = db
      .prepare<[number], number>('SELECT schedules_enabled FROM project_triggers WHERE project_id = ?')
      .pluck();
    this.write = db.prepare<[number, number]>(
      `INSERT INTO project_triggers (project_id, schedules_enabled) VALUES (?, ?)
       ON CONFLICT(project_id) DO UPDATE SET schedules_enabled = excluded.schedules_enabled`,
    );
  }

  schedulesEnabled(projectId: number): boolean {
    return this.read.get(projectId) === 1;
  }

  setSchedulesEnabled(projectId: number, enabled: boolean): void {
    this.write.run(projectId, enabled ? 1 : 0);
  }
}
