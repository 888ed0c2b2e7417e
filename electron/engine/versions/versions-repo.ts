/** Published versions and aliases in SQLite (migration 5), per project and logical id. */
import type { FunctionAlias, VersionConfig } from '../../../shared/api/versions';
import type { Db } from '../store/database';
import type { Deployment } from './deployment';

/** What a version runs, as stored: the published configuration plus the snapshots' content hashes. */
export interface StoredConfig extends VersionConfig {
  functionName: string;
  resourceType: string;
  reservedConcurrency?: number;
  /** Hex content hash of the code snapshot (`<home>/code/<hex>`). */
  code: string;
}

export interface VersionRow {
  id: number;
  version: number;
  description: string;
  codeSha256: string;
  codeSize: number;
  createdAt: number;
  config: StoredConfig;
}

interface RawVersion {
  id: number;
  version: number;
  description: string;
  code_sha256: string;
  code_size: number;
  created_at: number;
  config: string;
}

interface RawAlias {
  name: string;
  version: string;
  description: string;
  routing: string | null;
  deployment: string | null;
  updated_at: number;
}

export type AliasRow = Omit<FunctionAlias, 'managedByTemplate' | 'deployment'> & { deployment?: Deployment };

export class VersionsRepo {
  private readonly listVersions;
  private readonly oneVersion;
  private readonly nextNumber;
  private readonly insertVersion;
  private readonly deleteVersion;
  private readonly usesSnapshot;
  private readonly listAliases;
  private readonly oneAlias;
  private readonly upsertAlias;
  private readonly deleteAlias;

  constructor(db: Db) {
    // Deleted versions keep their row (config '' marks them) so their number is never handed out again.
    const key = 'project_id = ? AND function_id = ?';
    this.listVersions = db.prepare<[number, string], RawVersion>(
      `SELECT * FROM function_versions WHERE ${key} AND config != '' ORDER BY version`,
    );
    this.oneVersion = db.prepare<[number, string, number], RawVersion>(
      `SELECT * FROM function_versions WHERE ${key} AND version = ? AND config != ''`,
    );
    this.nextNumber = db
      .prepare<[number, string], number>(
        `SELECT coalesce(max(version), 0) + 1 FROM function_versions WHERE ${key}`,
      )
      .pluck();
    this.insertVersion = db.prepare(
      `INSERT INTO function_versions (project_id, function_id, version, description, code_sha256, code_size,
         config, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteVersion = db.prepare<[number, string, number]>(
      `UPDATE function_versions SET config = '' WHERE ${key} AND version = ?`,
    );
    // Hex hashes are 64 characters: a match inside a config's JSON is that snapshot, nothing else.
    this.usesSnapshot = db
      .prepare<[string], number>('SELECT count(*) FROM function_versions WHERE instr(config, ?) > 0')
      .pluck();
    this.listAliases = db.prepare<[number, string], RawAlias>(
      `SELECT * FROM function_aliases WHERE ${key} ORDER BY name`,
    );
    this.oneAlias = db.prepare<[number, string, string], RawAlias>(
      `SELECT * FROM function_aliases WHERE ${key} AND name = ?`,
    );
    this.upsertAlias = db.prepare(
      `INSERT OR REPLACE INTO function_aliases (project_id, function_id, name, version, description, routing,
         deployment, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteAlias = db.prepare<[number, string, string]>(
      `DELETE FROM function_aliases WHERE ${key} AND name = ?`,
    );
  }

  versions(projectId: number, functionId: string): VersionRow[] {
    return this.listVersions.all(projectId, functionId).map(toVersion);
  }

  version(projectId: number, functionId: string, version: number): VersionRow | undefined {
    const row = this.oneVersion.get(projectId, functionId, version);
    return row && toVersion(row);
  }

  /** Inserts the next number; the caller holds the function's publish lock. */
  publish(
    projectId: number,
    functionId: string,
    v: Omit<VersionRow, 'id' | 'version' | 'createdAt'>,
  ): VersionRow {
    const version = this.nextNumber.get(projectId, functionId)!;
    const createdAt = Date.now();
    const { lastInsertRowid } = this.insertVersion.run(
      projectId,
      functionId,
      version,
      v.description,
      v.codeSha256,
      v.codeSize,
      JSON.stringify(v.config),
      createdAt,
    );
    return { ...v, id: Number(lastInsertRowid), version, createdAt };
  }

  /** Whether any published version (of any function) runs this snapshot. */
  snapshotInUse(hex: string): boolean {
    return this.usesSnapshot.get(hex)! > 0;
  }

  remove(projectId: number, functionId: string, version: number): boolean {
    return this.deleteVersion.run(projectId, functionId, version).changes > 0;
  }

  aliases(projectId: number, functionId: string): AliasRow[] {
    return this.listAliases.all(projectId, functionId).map(toAlias);
  }

  alias(projectId: number, functionId: string, name: string): AliasRow | undefined {
    const row = this.oneAlias.get(projectId, functionId, name);
    return row && toAlias(row);
  }

  putAlias(projectId: number, functionId: string, a: Omit<AliasRow, 'updatedAt'>): AliasRow {
    const updatedAt = Date.now();
    this.upsertAlias.run(
      projectId,
      functionId,
      a.name,
      a.functionVersion,
      a.description,
      a.routingConfig ? JSON.stringify(a.routingConfig.additionalVersionWeights) : null,
      a.deployment ? JSON.stringify(a.deployment) : null,
      updatedAt,
    );
    return { ...a, updatedAt };
  }

  removeAlias(projectId: number, functionId: string, name: string): boolean {
    return this.deleteAlias.run(projectId, functionId, name).changes > 0;
  }
}

function toVersion(r: RawVersion): VersionRow {
  return {
    id: r.id,
    version: r.version,
    description: r.description,
    codeSha256: r.code_sha256,
    codeSize: r.code_size,
    createdAt: r.created_at,
    config: JSON.parse(r.config) as StoredConfig,
  };
}

function toAlias(r: RawAlias): AliasRow {
  return {
    name: r.name,
    functionVersion: r.version,
    description: r.description,
    ...(r.routing
      ? { routingConfig: { additionalVersionWeights: JSON.parse(r.routing) as Record<string, number> } }
      : {}),
    ...(r.deployment ? { deployment: JSON.parse(r.deployment) as Deployment } : {}),
    updatedAt: r.updated_at,
  };
}
