/**
 * An engine with fixture projects from test/fixtures/projects copied to a temp folder and opened, for the
 * trigger tests (real Docker, real SQLite, the local images).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine, type Engine, type EngineOptions } from '../../electron/engine/engine';
import type { WorkbenchClient } from '../../shared/rpc/client';
import { ensureLocalImages, LOCAL_IMAGES_JSON } from './images.js';

const PROJECTS_DIR = fileURLToPath(new URL('../fixtures/projects/', import.meta.url));

export interface TriggerEngine {
  engine: Engine;
  client: WorkbenchClient;
  projects: Record<string, number>;
  dirs: Record<string, string>;
  close(): Promise<void>;
}

export async function startTriggerEngine(
  names: string[],
  options: Partial<EngineOptions> = {},
): Promise<TriggerEngine> {
  process.env.LAMBENCH_IMAGES = LOCAL_IMAGES_JSON;
  await ensureLocalImages();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-triggers-'));
  fs.chmodSync(root, 0o755);
  const engine = await createEngine({ home: path.join(root, 'home'), ...options });
  await engine.services.triggers.start();
  const client = createDirectClient(engine);
  const projects: Record<string, number> = {};
  const dirs: Record<string, string> = {};
  for (const name of names) {
    const dir = path.join(root, name);
    fs.cpSync(path.join(PROJECTS_DIR, name), dir, { recursive: true });
    dirs[name] = dir;
    projects[name] = (await client.call('projects:open', { path: dir })).id;
  }
  await engine.services.triggers.settled();
  return {
    engine,
    client,
    projects,
    dirs,
    async close() {
      await engine.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
