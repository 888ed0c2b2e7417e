import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

/**
 * Prepared statements for SQL built from a filter: the text depends only on which filters are set, so a
 * handful of shapes cover every query and each is prepared once.
 */
export class StatementCache {
  private readonly cache = new Map<string, Statement>();

  constructor(
    private readonly db: Db,
    private readonly max = 200,
  ) {}

  get<Row>(sql: string): Statement<unknown[], Row> {
    let statement = this.cache.get(sql);
    if (!statement) {
      if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value!);
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement as Statement<unknown[], Row>;
  }
}
