/**
 * An engine with the robustness workload project (test/fixtures/robustness/workload) open: real
 * containers on the real Docker engine, a real SQLite file in a temp home.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine, type Engine, type EngineOptions } from '../../electron/engine/engine';
import type { WorkbenchClient } from '../../shared/rpc/client';
import type { InvocationResult } from '../../shared/types';
import { ensureLocalImages, LOCAL_IMAGES_JSON } from '../support/images.js';

export const WORKLOAD_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/robustness/workload',
);

export interface Workload {
  engine: Engine;
  client: WorkbenchClient;
  projectId: number;
  /** The temp folder: the home and the project copy live here. */
  root: string;
  home: string;
  projectDir: string;
  invoke(functionId: string, event?: unknown, invocationId?: string): Promise<InvocationResult>;
  close(): Promise<void>;
}

/** A temp root readable by the sandbox user, with a copy of the workload project. */
export function workloadRoot(): { root: string; projectDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-soak-'));
  fs.chmodSync(root, 0o755);
  const projectDir = path.join(root, 'workload');
  fs.cpSync(WORKLOAD_DIR, projectDir, { recursive: true });
  return { root, projectDir };
}

export async function startWorkload(
  options: Partial<EngineOptions> & { root?: string; projectDir?: string } = {},
): Promise<Workload> {
  process.env.LAMBENCH_IMAGES = LOCAL_IMAGES_JSON;
  await ensureLocalImages();
  const made = options.root ? { root: options.root, projectDir: options.projectDir! } : workloadRoot();
  const { root, projectDir } = made;
  const home = options.home ?? path.join(root, 'home');
  const engine = await createEngine({ ...options, home });
  const client = createDirectClient(engine);
  const projectId = (await client.call('projects:open', { path: projectDir })).id;
  return {
    engine,
    client,
    projectId,
    root,
    home,
    projectDir,
    invoke: (functionId, event = {}, invocationId) =>
      client.call('functions:invoke', {
        projectId,
        functionId,
        payload: JSON.stringify(event),
        invocationId,
      }),
    async close() {
      await engine.close();
      if (!options.root) fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The docker CLI, off the event loop. */
export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('docker', args, { encoding: 'utf8' });
  return stdout.trim();
}

/** Containers (all states) whose lambench.owner label starts with `ownerPrefix`. */
export async function containersOf(ownerPrefix: string): Promise<string[]> {
  const out = await docker(
    'ps',
    '-a',
    '--filter',
    'label=lambench=1',
    '--format',
    '{{.ID}} {{.Label "lambench.owner"}}',
  );
  return out
    .split('\n')
    .filter(Boolean)
    .filter((line) => line.split(' ')[1]?.startsWith(ownerPrefix))
    .map((line) => line.split(' ')[0]);
}
