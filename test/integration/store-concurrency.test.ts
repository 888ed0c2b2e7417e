/** Two processes writing History into one file at once (the app and the CLI, say) lose nothing. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/store/database';

const dir = mkdtempSync(join(tmpdir(), 'lambench-writers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PER_WRITER = 5000;

/**
 * One writer: the real write-ahead path, begin then finish in separate turns of the event loop (as a
 * running invocation does), in bursts of 50 so both processes hold the write lock many times.
 */
const writer = (file: string, tag: string) => `
  import { randomUUID } from 'node:crypto';
  import { openDatabase } from '${resolve('electron/engine/store/database.ts')}';
  import { InvocationsRepo } from '${resolve('electron/engine/store/invocations-repo.ts')}';
  const db = openDatabase(${JSON.stringify(file)});
  const records = new InvocationsRepo(db);
  const tick = () => new Promise((r) => setImmediate(r));
  console.log('ready');
  for (let i = 0; i < ${PER_WRITER}; i += 50) {
    const batch = Array.from({ length: 50 }, (_, j) => ({ invocationId: '${tag}-' + (i + j), requestId: randomUUID(),
      projectId: null, functionId: '${tag}', startedAt: Date.now() }));
    for (const b of batch) records.begin({ ...b, trigger: 'cli', event: '{}', memorySizeMb: 128, architecture: 'x86_64' });
    await tick();
    for (const b of batch) records.finish({ ...b, status: 'success', durationMs: 1.5, billedDurationMs: 2, coldStart: false,
      memorySizeMb: 128, maxMemoryUsedMb: 40, architecture: 'x86_64', logs: 'log ' + b.invocationId, logsTruncated: false,
      gbSeconds: 0.00025, costUsd: 0.0000002 });
    await tick();
  }
  records.flush();
  if (records.writeError) throw new Error(records.writeError);
  db.close();
  console.log('done');
`;

function run(file: string, tag: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer(file, tag)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolveRun, reject) =>
    child.once('exit', (code) => (code === 0 ? resolveRun(out) : reject(new Error(`writer ${tag}: ${out}`)))),
  );
}

describe('two writers', () => {
  it('both write 5,000 invocations into one file concurrently, and every one is there, complete', async () => {
    const file = join(dir, 'lambench.db');
    openDatabase(file).close();
    const outputs = await Promise.all([run(file, 'A'), run(file, 'B')]);
    expect(outputs.every((o) => o.includes('done'))).toBe(true);

    const db = openDatabase(file);
    const counts = db
      .prepare<[], { function_id: string; n: number; done: number; logs: number }>(
        `SELECT function_id, count(*) AS n, sum(status = 'success') AS done, count(logs) AS logs
         FROM invocations GROUP BY function_id ORDER BY function_id`,
      )
      .all();
    const spans = db
      .prepare<[], { first: number; last: number }>(
        'SELECT min(started_at) AS first, max(started_at) AS last FROM invocations GROUP BY function_id',
      )
      .all();
    db.close();
    // The two really wrote at the same time: each began before the other ended.
    expect(spans[0].first).toBeLessThan(spans[1].last);
    expect(spans[1].first).toBeLessThan(spans[0].last);
    expect(counts).toEqual([
      { function_id: 'A', n: PER_WRITER, done: PER_WRITER, logs: PER_WRITER },
      { function_id: 'B', n: PER_WRITER, done: PER_WRITER, logs: PER_WRITER },
    ]);
  }, 120_000);
});
