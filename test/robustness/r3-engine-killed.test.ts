/**
 * R3: the engine SIGKILLed with invocations in flight, then started again on the same home: every
 * in-flight row is marked interrupted, finished rows are kept, the dead engine's containers are reaped,
 * the store passes PRAGMA integrity_check, and the next invoke works. (Queued async events are not
 * covered: the async Invoke API is not on this branch.)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine } from '../../electron/engine/engine';
import { ensureLocalImages, LOCAL_IMAGES_JSON } from '../support/images.js';
import { report, type SoakRow } from './report';
import { containersOf, workloadRoot } from './workload';

const IN_FLIGHT = 4;
const FINISHED = 3;
/** The hanging ones' containers plus the warm one the finished invokes left. */
const LEFT_BEHIND = IN_FLIGHT + 1;
const rows: SoakRow[] = [];
afterAll(() => report(rows));

/** The engine in a child process: a few finished invokes, then IN_FLIGHT hanging ones; prints their ids. */
function engineScript(home: string, projectDir: string): string {
  return `
    import { createEngine } from '${path.resolve('electron/engine/engine.ts')}';
    import { createDirectClient } from '${path.resolve('electron/engine/direct-client.ts')}';
    // No spares: the count of orphans below is the environments' own (spares carry the same labels).
    const engine = await createEngine({ home: ${JSON.stringify(home)}, spares: false });
    const client = createDirectClient(engine);
    const { id } = await client.call('projects:open', { path: ${JSON.stringify(projectDir)} });
    for (let i = 0; i < ${FINISHED}; i++)
      await client.call('functions:invoke', { projectId: id, functionId: 'Quick', payload: '{"i":' + i + '}' });
    const hanging = new Set();
    client.on('invocation:log', (l) => {
      if (!l.lines.some((line) => line.includes('hanging'))) return;
      hanging.add(l.invocationId);
      if (hanging.size < ${IN_FLIGHT}) return;
      engine.services.records.flush();
      console.log('HANGING ' + [...hanging].join(','));
    });
    await Promise.all(Array.from({ length: ${IN_FLIGHT} }, (_, i) =>
      client.call('functions:invoke', { projectId: id, functionId: 'Hang', payload: '{"n":' + i + '}' })));
  `;
}

describe('R3 engine killed mid-invoke', () => {
  it('marks in-flight rows interrupted, reaps orphans, keeps the store whole, and invokes again', async () => {
    process.env.LAMBENCH_IMAGES = LOCAL_IMAGES_JSON;
    await ensureLocalImages();
    const { root, projectDir } = workloadRoot();
    const home = path.join(root, 'home');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', engineScript(home, projectDir)],
      { env: { ...process.env, LAMBENCH_IMAGES: LOCAL_IMAGES_JSON }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stderr.on('data', (d) => (output += d));
    const ids = await new Promise<string[]>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        output += d;
        const m = /HANGING (\S+)/.exec(output);
        if (m) resolve(m[1].split(','));
      });
      child.once('exit', (code) => reject(new Error(`engine exited with ${code} first:\n${output}`)));
    });
    const owner = `${os.hostname()}/${child.pid}/`;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const orphansBefore = (await containersOf(owner)).length;

    const engine = await createEngine({ home });
    try {
      const client = createDirectClient(engine);
      // Reaped at start-up; another engine on this Docker may be removing them at the same moment
      // (its remove wins, ours gets 409), so give a removal in progress a few seconds to finish.
      let orphansAfter = (await containersOf(owner)).length;
      for (let i = 0; orphansAfter > 0 && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 200));
        orphansAfter = (await containersOf(owner)).length;
      }
      const page = await client.call('history:list', { limit: 50 });
      const interrupted = page.rows.filter((r) => r.status === 'interrupted');
      const kept = page.rows.filter((r) => r.status === 'success');
      const integrity = engine.services.db.pragma('integrity_check', { simple: true });
      const { id } = await client.call('projects:open', { path: projectDir });
      const next = await client.call('functions:invoke', {
        projectId: id,
        functionId: 'Quick',
        payload: '{}',
      });

      const got =
        `${interrupted.length} interrupted (${interrupted[0]?.errorType}), ${kept.length} finished kept; ` +
        `orphans ${orphansBefore} → ${orphansAfter}; integrity ${integrity}; next invoke ${next.status}`;
      const pass =
        interrupted.length === IN_FLIGHT &&
        kept.length === FINISHED &&
        orphansBefore === LEFT_BEHIND &&
        orphansAfter === 0 &&
        integrity === 'ok' &&
        next.status === 'success';
      rows.push({
        case: 'R3 engine SIGKILLed mid-invoke',
        expected: `${IN_FLIGHT} interrupted, ${FINISHED} kept; orphans ${LEFT_BEHIND} → 0; integrity ok; invoke ok`,
        got,
        pass,
      });
      expect(interrupted.map((r) => r.invocationId).sort()).toEqual([...ids].sort());
      for (const r of interrupted) expect(r.errorType).toBe('Lambench.Interrupted');
      expect(kept).toHaveLength(FINISHED);
      expect(orphansBefore).toBe(LEFT_BEHIND);
      expect(orphansAfter).toBe(0);
      expect(integrity).toBe('ok');
      expect(next.status, JSON.stringify(next.error) + next.logs).toBe('success');
    } finally {
      await engine.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
