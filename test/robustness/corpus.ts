/**
 * R1's table-driven runner: every folder of test/fixtures/bad is one bad input, described by its
 * expect.json, and run through the real engine (real containers, a real SQLite file in a temp home).
 * After each case a good function is invoked, so "the engine survived" means it still runs code, and
 * the case's History row is read back, so "recorded" means History says what happened.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine, type Engine } from '../../electron/engine/engine';
import type { WorkbenchClient } from '../../shared/rpc/client';
import type { InvocationResult } from '../../shared/types';
import { ensureLocalImages, LOCAL_IMAGES_JSON } from '../support/images.js';
import { PROCESS_OWNER } from '../../electron/engine/docker/docker-executor';
import type { SoakRow } from './report';
import { docker } from './workload';

export const BAD_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/bad');
const CONTROL = '_control';

export interface Expect {
  /** Where the input fails: opening the project, invoking the function, or opening the store. */
  stage: 'open' | 'invoke' | 'store';
  /** The event: inline JSON, a file of the case (sent as is), or a generated payload of this size. */
  event?: unknown;
  eventFile?: string;
  eventBytes?: number;
  status?: 'success' | 'error' | 'timeout';
  errorType?: string;
  /** In the error message; for successes and store cases, in the logs or the store warning. */
  messageIncludes?: string;
  /** The exact response body. */
  response?: string;
  logsTruncated?: boolean;
  logsInclude?: string;
  /** Time a cheap handler call over and over while the case runs. */
  probeLatency?: boolean;
  /** store cases: what the data home is. */
  home?: 'corrupt' | 'read-only';
}

export interface BadCase {
  name: string;
  dir: string;
  expect: Expect;
}

export interface CaseResult {
  name: string;
  expected: string;
  got: string;
  /** Ended the way expect.json says, with the error type and message named. */
  clearError: boolean;
  /** A good function invoked right after still succeeded. */
  survived: boolean;
  /** History holds a row with the case's status and error type; null where no invocation exists (open). */
  recorded: boolean | null;
  pass: boolean;
}

export function loadCases(): BadCase[] {
  return fs
    .readdirSync(BAD_DIR)
    .filter((name) => name !== CONTROL && fs.existsSync(path.join(BAD_DIR, name, 'expect.json')))
    .sort()
    .map((name) => ({
      name,
      dir: path.join(BAD_DIR, name),
      expect: JSON.parse(fs.readFileSync(path.join(BAD_DIR, name, 'expect.json'), 'utf8')) as Expect,
    }));
}

export interface Corpus {
  engine: Engine;
  client: WorkbenchClient;
  root: string;
  run(c: BadCase): Promise<CaseResult>;
  close(): Promise<void>;
}

/** A copy of a fixture folder in `root`, readable by the sandbox user. */
function copyFixture(root: string, name: string): string {
  const dir = path.join(root, name);
  fs.cpSync(path.join(BAD_DIR, name), dir, { recursive: true });
  return dir;
}

/** Opens the control project in `client` and returns a function that invokes it and says if it worked. */
async function controlOf(client: WorkbenchClient, root: string): Promise<() => Promise<boolean>> {
  const { id } = await client.call('projects:open', { path: copyFixture(root, CONTROL) });
  return async () => {
    try {
      const r = await client.call('functions:invoke', {
        projectId: id,
        functionId: 'Fn',
        payload: '{"n":1}',
      });
      return r.status === 'success' && r.response === '{"ok":true,"event":{"n":1}}';
    } catch {
      return false;
    }
  };
}

export async function startCorpus(): Promise<Corpus> {
  process.env.LAMBENCH_IMAGES = LOCAL_IMAGES_JSON;
  await ensureLocalImages();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-bad-'));
  fs.chmodSync(root, 0o755);
  const engine = await createEngine({ home: path.join(root, 'home') });
  const client = createDirectClient(engine);
  const control = await controlOf(client, root);
  return {
    engine,
    client,
    root,
    run: (c) => (c.expect.stage === 'store' ? runStoreCase(c, root) : runCase(client, root, c, control)),
    async close() {
      await engine.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

function describeExpected(e: Expect): string {
  if (e.stage === 'store') return `engine opens; warning "${e.messageIncludes}"`;
  if (e.stage === 'open') return `projects:open → ${e.errorType} "${e.messageIncludes}"`;
  const body = e.response !== undefined ? ` ${e.response}` : '';
  const error = e.errorType ? ` ${e.errorType} "${e.messageIncludes}"` : '';
  return `${e.status}${error}${body}${e.logsTruncated ? ' logs capped' : ''}`;
}

function payloadOf(c: BadCase): string {
  const e = c.expect;
  if (e.eventFile) return fs.readFileSync(path.join(c.dir, e.eventFile), 'utf8');
  if (e.eventBytes) return JSON.stringify({ blob: 'x'.repeat(e.eventBytes) });
  return JSON.stringify(e.event ?? {});
}

/** Calls a cheap handler every 50 ms until `done` settles; returns the slowest answer and the count. */
async function probeLatency(client: WorkbenchClient, done: Promise<unknown>) {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => {});
  let max = 0;
  let count = 0;
  while (!finished) {
    const t0 = performance.now();
    await client.call('projects:list');
    max = Math.max(max, performance.now() - t0);
    count++;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { max, count };
}

async function runCase(
  client: WorkbenchClient,
  root: string,
  c: BadCase,
  control: () => Promise<boolean>,
): Promise<CaseResult> {
  const e = c.expect;
  const expected = describeExpected(e);
  const dir = copyFixture(root, c.name);
  let projectId: number;
  try {
    projectId = (await client.call('projects:open', { path: dir })).id;
  } catch (error) {
    const err = error as Error;
    const got = `projects:open → ${err.name} "${firstLine(err.message)}"`;
    const clearError =
      e.stage === 'open' && err.name === e.errorType && err.message.includes(e.messageIncludes ?? '');
    const survived = await control();
    return {
      name: c.name,
      expected,
      got,
      clearError,
      survived,
      recorded: null,
      pass: clearError && survived,
    };
  }
  if (e.stage === 'open') {
    const survived = await control();
    return {
      name: c.name,
      expected,
      got: 'opened',
      clearError: false,
      survived,
      recorded: null,
      pass: false,
    };
  }

  const invocationId = randomUUID();
  const call = client.call('functions:invoke', {
    projectId,
    functionId: 'Fn',
    payload: payloadOf(c),
    invocationId,
  });
  const probe = e.probeLatency ? probeLatency(client, call) : undefined;
  let result: Pick<InvocationResult, 'status' | 'response' | 'logs' | 'logsTruncated'> & {
    error?: { type: string; message: string };
  };
  try {
    result = await call;
  } catch (error) {
    const err = error as Error;
    result = {
      status: 'error',
      error: { type: err.name, message: err.message },
      logs: '',
      logsTruncated: false,
    };
  }
  const latency = probe ? await probe : undefined;
  let got = `${result.status}`;
  if (result.error) got += ` ${result.error.type} "${firstLine(result.error.message)}"`;
  if (e.response !== undefined) got += ` ${result.response?.slice(0, 40)}`;
  if (result.logsTruncated) got += ' logs capped';
  if (latency) got += `; projects:list max ${latency.max.toFixed(0)} ms over ${latency.count} calls`;

  const text = e.status === 'success' ? result.logs : (result.error?.message ?? '');
  const clearError =
    result.status === e.status &&
    (e.errorType === undefined || result.error?.type === e.errorType) &&
    (e.messageIncludes === undefined || text.includes(e.messageIncludes)) &&
    (e.response === undefined || result.response === e.response) &&
    (e.logsTruncated === undefined || result.logsTruncated === e.logsTruncated) &&
    (e.logsInclude === undefined || result.logs.includes(e.logsInclude)) &&
    // The engine answered other calls all along, not only after the flood.
    (latency === undefined || latency.count > 1);

  const survived = await control();
  const recorded = await recordedAs(client, invocationId, result.status, result.error?.type);
  // At most the one warm environment and its pre-started spare (spares.ts) stay, and nothing dead once a
  // spare being created or a container being removed has settled.
  let left = await containersOfProject(projectId);
  for (let i = 0; i < 25 && left.dead > 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
    left = await containersOfProject(projectId);
  }
  const tidy = left.dead === 0 && left.running <= 2;
  if (!tidy) got += ` | containers left: ${left.running} running, ${left.dead} dead`;
  return {
    name: c.name,
    expected,
    got,
    clearError: clearError && tidy,
    survived,
    recorded,
    pass: clearError && tidy && survived && recorded,
  };
}

/** This engine's containers of one project: running, and stopped but not removed. */
async function containersOfProject(projectId: number): Promise<{ running: number; dead: number }> {
  const out = await docker(
    'ps',
    '-a',
    '--filter',
    `label=lambench.owner=${PROCESS_OWNER}`,
    '--filter',
    `label=lambench.project=${projectId}`,
    '--format',
    '{{.State}}',
  );
  const states = out.split('\n').filter(Boolean);
  return {
    running: states.filter((s) => s === 'running').length,
    dead: states.filter((s) => s !== 'running').length,
  };
}

async function recordedAs(
  client: WorkbenchClient,
  invocationId: string,
  status: string,
  errorType: string | undefined,
): Promise<boolean> {
  try {
    const row = await client.call('history:get', { invocationId });
    return row.status === status && row.errorType === errorType;
  } catch {
    return false;
  }
}

/** A data home the store cannot use: the engine must open anyway, say why, and still invoke and record. */
async function runStoreCase(c: BadCase, root: string): Promise<CaseResult> {
  const e = c.expect;
  const home = fs.mkdtempSync(path.join(root, `${c.name}-home-`));
  let unmount: (() => void) | undefined;
  if (e.home === 'corrupt') fs.copyFileSync(path.join(c.dir, 'lambench.db'), path.join(home, 'lambench.db'));
  if (e.home === 'read-only') {
    if (process.getuid?.() !== 0) {
      const got = 'skipped: needs root for a tmpfs';
      return {
        name: c.name,
        expected: describeExpected(e),
        got,
        clearError: false,
        survived: false,
        recorded: false,
        pass: false,
      };
    }
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', home]);
    unmount = () => execFileSync('umount', ['-l', home]);
    const { openDatabase } = await import('../../electron/engine/store/database');
    openDatabase(path.join(home, 'lambench.db')).close();
    execFileSync('mount', ['-o', 'remount,ro', home]);
  }
  const engine = await createEngine({ home });
  try {
    const client = createDirectClient(engine);
    const warning = (await client.call('app:status')).storeWarning ?? '';
    const control = await controlOf(client, fs.mkdtempSync(path.join(root, `${c.name}-code-`)));
    const survived = await control();
    const rows = (await client.call('history:list', { limit: 5 })).rows;
    const recorded = rows.length === 1 && rows[0].status === 'success';
    const clearError =
      warning.includes(e.messageIncludes ?? '') && warning.includes(path.join(home, 'lambench.db'));
    const got = `warning "${firstLine(warning).slice(0, 80)}"; invoke ${survived ? 'ok' : 'FAILED'}; ${rows.length} row(s) in memory`;
    return {
      name: c.name,
      expected: describeExpected(e),
      got,
      clearError,
      survived,
      recorded,
      pass: clearError && survived && recorded,
    };
  } finally {
    await engine.close();
    unmount?.();
  }
}

const firstLine = (s: string) => s.split('\n')[0].slice(0, 160);

export function toRows(results: CaseResult[]): SoakRow[] {
  return results.map((r) => ({
    case: `R1 ${r.name}`,
    expected: r.expected,
    got: `${r.got}${r.survived ? '' : ' | engine did NOT answer after'}${r.recorded === false ? ' | NOT recorded' : ''}`,
    pass: r.pass,
  }));
}

export function totals(results: CaseResult[]): string {
  const recordable = results.filter((r) => r.recorded !== null);
  return (
    `R1 totals: ${results.length} tried, ${results.filter((r) => r.clearError).length} with a clear error, ` +
    `${results.filter((r) => r.survived).length} where the engine survived, ` +
    `${recordable.filter((r) => r.recorded).length}/${recordable.length} recorded in History ` +
    `(${results.length - recordable.length} fail at projects:open, before any invocation exists)`
  );
}
