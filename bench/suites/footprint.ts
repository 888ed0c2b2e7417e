/**
 * Footprint (issue 16): the resident memory of an idle `lambench serve` (its whole process tree) with no
 * projects and with 20 projects open (templates loaded, folders watched): ≤ 100 MB, beside an idle bare
 * Node process measured in the same run. Needs `npm run build`.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createClient } from '../../shared/rpc/client';
import { createWebSocketTransport } from '../../shared/rpc/ws-transport';
import { startServe } from '../../test/support/serve';
import type { BenchRow, BenchSuite } from '../report';

const PROJECTS = 20;
/** What the installed `lambench` command runs with (bin/lambench.js's shebang). */
const INSTALLED_FLAGS = '--max-semi-space-size=2';
const IDLE_MS = 3000;
const GOAL_MB = 100;

/** VmRSS of a process and all its descendants, in MB (Linux /proc). */
function treeRssMb(pid: number): number {
  const children = (() => {
    try {
      return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  })();
  const own = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return (own ? Number(own[1]) / 1024 : 0) + children.reduce((sum, c) => sum + treeRssMb(c), 0);
}

const idle = () => new Promise((r) => setTimeout(r, IDLE_MS));

/** A small SAM project: three Node functions sharing a code folder. */
function project(dir: string, i: number): string {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'src/app.mjs'), 'export const handler = async () => ({ ok: true });\n');
  const fns = ['Orders', 'Cart', 'Auth']
    .map(
      (name) =>
        `  ${name}Function:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n`,
    )
    .join('');
  fs.writeFileSync(
    path.join(dir, 'template.yaml'),
    `AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nDescription: project ${i}\n` +
      `Globals:\n  Function:\n    Runtime: nodejs22.x\n    CodeUri: src/\nResources:\n${fns}`,
  );
  return dir;
}

async function bareNodeRssMb(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await idle();
  const mb = treeRssMb(child.pid!);
  child.kill();
  return mb;
}

export const suite: BenchSuite = {
  name: 'footprint',
  async run(): Promise<BenchRow[]> {
    const bare = await bareNodeRssMb();
    const baseline = { what: 'idle bare `node -e setInterval`', value: bare };
    const installed = await measure({ NODE_OPTIONS: INSTALLED_FLAGS });
    const plain = await measure({});
    const row = (mb: number, what: string): BenchRow => ({
      id: 'F1',
      what: `idle \`lambench serve\` RSS, ${what} (load ${os.loadavg()[0].toFixed(1)})`,
      value: mb,
      unit: 'MB',
      baseline,
      goal: `≤ ${GOAL_MB} MB`,
      pass: mb <= GOAL_MB,
    });
    return [
      row(installed.empty, `no projects, as installed (${INSTALLED_FLAGS})`),
      row(
        installed.full,
        `${PROJECTS} projects open (${PROJECTS * 3} functions, folders watched), as installed`,
      ),
      // For comparison: what the flag buys.
      {
        ...row(
          plain.full,
          `${PROJECTS} projects open, plain \`node bin/lambench.js\` (V8's default young generation)`,
        ),
        goal: 'for comparison',
        pass: true,
      },
    ];
  },
};

/** RSS of an idle serve with no projects, then with PROJECTS open. */
async function measure(env: Record<string, string>): Promise<{ empty: number; full: number }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-bench-footprint-'));
  fs.chmodSync(root, 0o755);
  const served = await startServe({ LAMBENCH_HOME: path.join(root, 'home'), ...env });
  const transport = createWebSocketTransport(
    `${served.origin.replace('http', 'ws')}/api?token=${served.token}`,
    (url) => new WebSocket(url, { headers: { Origin: served.origin } }) as never,
  );
  const client = createClient(transport);
  try {
    await idle();
    const empty = treeRssMb(served.process.pid!);
    for (let i = 0; i < PROJECTS; i++) {
      const opened = await client.call('projects:open', { path: project(path.join(root, `p${i}`), i) });
      await client.call('projects:functions', { projectId: opened.id });
    }
    await idle();
    const full = treeRssMb(served.process.pid!);
    return { empty, full };
  } finally {
    transport.close();
    await served.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
