/**
 * The no-Docker fallback: each environment is a plain child process on the host running the same runtime
 * clients (node → resources/runtimes/node/bootstrap.mjs, python → .../python/bootstrap.py, provided* →
 * the function's own bootstrap). No isolation, no memory limit: Max Memory Used is the tree's VmHWM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LineSplitter } from '../docker/lines';
import { isProcessAlive } from '../process-alive';
import { resourcesDir } from '../resources';
import type { EnvironmentSpec, Executor, ExitInfo, LineListener, RunningEnvironment } from './executor';

/** Marks our processes so a later run can reap what a crashed one left (value: owner pid). */
const OWNER_VAR = '_LAMBENCH_OWNER_PID';

function nodeBinary(): { cmd: string; env: Record<string, string> } {
  // Inside Electron, execPath is the app: run it as plain Node.
  if (process.versions.electron) return { cmd: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } };
  return { cmd: process.execPath, env: {} };
}

/** Command, args and runtime dir for a runtime id such as nodejs20.x, python3.12 or provided.al2023. */
export function commandFor(spec: EnvironmentSpec): { cmd: string; args: string[]; runtimeDir: string } {
  const runtimes = path.join(resourcesDir(), 'runtimes');
  if (spec.runtime.startsWith('nodejs')) {
    const dir = path.join(runtimes, 'node');
    return { cmd: nodeBinary().cmd, args: [path.join(dir, 'bootstrap.mjs')], runtimeDir: dir };
  }
  if (spec.runtime.startsWith('python')) {
    const dir = path.join(runtimes, 'python');
    return { cmd: 'python3', args: ['-u', path.join(dir, 'bootstrap.py')], runtimeDir: dir };
  }
  if (spec.runtime.startsWith('provided')) {
    return { cmd: path.join(spec.codeDir, 'bootstrap'), args: [], runtimeDir: spec.codeDir };
  }
  throw new Error(`Runtime ${spec.runtime} is not supported by the process executor`);
}

function logStreamName(): string {
  const d = new Date();
  const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/** Lambda's environment with host paths in place of /opt and /var/task. Reserved variables win. */
export function environmentFor(spec: EnvironmentSpec, runtimeDir: string): Record<string, string> {
  // Later layers override earlier ones at /opt, so they come first in search paths.
  const layers = [...spec.layerDirs].reverse();
  const major = /^nodejs(\d+)/.exec(spec.runtime)?.[1] ?? '20';
  const nodePath = [
    ...layers.flatMap((l) => [
      path.join(l, 'nodejs', `node${major}`, 'node_modules'),
      path.join(l, 'nodejs', 'node_modules'),
    ]),
    spec.codeDir,
  ];
  const pyPath = layers.map((l) => path.join(l, 'python'));
  const defaults: Record<string, string> = {
    PATH: [
      ...layers.map((l) => path.join(l, 'bin')),
      process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    ].join(':'),
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    NODE_PATH: nodePath.join(':'),
    LD_LIBRARY_PATH: layers.map((l) => path.join(l, 'lib')).join(':'),
    ...(pyPath.length ? { PYTHONPATH: pyPath.join(':') } : {}),
  };
  const reserved: Record<string, string> = {
    _HANDLER: spec.handler,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: spec.version ?? '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(),
    AWS_LAMBDA_RUNTIME_API: spec.runtimeApi,
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: runtimeDir,
    ...(spec.runtime.startsWith('provided') ? {} : { AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}` }),
  };
  return { ...defaults, ...spec.environment, ...reserved };
}

/** Splits a byte stream into lines, keeping a partial last line until its newline arrives. */
function readHwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop() as number;
    let kids: number[] = [];
    try {
      kids = fs.readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      // gone, or no CONFIG_PROC_CHILDREN
    }
    out.push(...kids);
    stack.push(...kids);
  }
  return out;
}

const live = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Detached groups would outlive us: kill them when the engine's process ends.
  process.once('exit', () => {
    for (const pid of live) killGroup(pid);
  });
}

function track(child: ChildProcess): RunningEnvironment {
  const pid = child.pid as number;
  const startedAt = performance.now();
  live.add(pid);
  let listeners: LineListener[] = [];
  let early: [string, number][] | null = [];
  const emit: LineListener = (line, bytes) => {
    if (early) early.push([line, bytes]);
    else for (const l of listeners) l(line, bytes);
  };
  const splitters = [new LineSplitter(emit), new LineSplitter(emit)];
  child.stdout?.on('data', (c: Buffer) => splitters[0].write(c));
  child.stderr?.on('data', (c: Buffer) => splitters[1].write(c));

  let peakKb = 0;
  const sample = (): void => {
    if (!live.has(pid)) return;
    const kb = [pid, ...descendants(pid)].reduce((sum, p) => sum + readHwmKb(p), 0);
    if (kb > peakKb) peakKb = kb;
  };

  const exited = new Promise<ExitInfo>((resolve) => {
    let info: ExitInfo | null = null;
    const done = (): void => {
      if (!info) return;
      splitters.forEach((s) => s.flush());
      live.delete(pid);
      resolve(info);
    };
    child.once('exit', (code, signal) => {
      sample();
      info = { exitCode: code, signal, oomKilled: false };
      // Wait for stdio to drain, but not for grandchildren that hold the pipes open.
      setTimeout(done, 200).unref();
    });
    child.once('close', done);
    // After a successful spawn, 'error' only means a failed kill; never let it throw.
    child.on('error', () => undefined);
  });

  return {
    handle: `pid:${pid}`,
    callerAddress: '127.0.0.1',
    startedAt,
    onLine(listener) {
      listeners.push(listener);
      if (early) {
        const lines = early;
        early = null;
        for (const [line, bytes] of lines) for (const fn of listeners) fn(line, bytes);
      }
    },
    exited,
    async maxMemoryUsedMb() {
      sample();
      return Math.ceil(peakKb / 1024);
    },
    // A process has no CPU limit to restore.
    endInitBoost: async () => {},
    async destroy() {
      if (live.has(pid)) killGroup(pid);
      await exited;
      listeners = [];
    },
  };
}

export class ProcessExecutor implements Executor {
  readonly kind = 'process' as const;

  async runtimeApiHost(): Promise<string> {
    return '127.0.0.1';
  }

  async start(spec: EnvironmentSpec): Promise<RunningEnvironment> {
    const { cmd, args, runtimeDir } = commandFor(spec);
    const env = {
      ...environmentFor(spec, runtimeDir),
      ...(spec.runtime.startsWith('nodejs') ? nodeBinary().env : {}),
      [OWNER_VAR]: String(process.pid),
    };
    installExitHook();
    // Own process group, so destroy() takes the whole tree.
    const child = spawn(cmd, args, {
      cwd: spec.codeDir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) {
      // Spawn failed (ENOENT, EACCES): report it through the same shape, as Runtime.InvalidEntrypoint.
      return failed(child, cmd);
    }
    return track(child);
  }

  /** Kills process groups marked by a Lambench process that no longer runs. */
  async reapOrphans(): Promise<number> {
    let reaped = 0;
    for (const name of safeReaddir('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      let environ: string;
      try {
        environ = fs.readFileSync(`/proc/${name}/environ`, 'utf8');
      } catch {
        continue;
      }
      const owner = environ.split('\0').find((v) => v.startsWith(`${OWNER_VAR}=`));
      if (!owner) continue;
      const ownerPid = Number(owner.slice(OWNER_VAR.length + 1));
      if (ownerPid === process.pid || isProcessAlive(ownerPid)) continue;
      try {
        process.kill(Number(name), 'SIGKILL');
        reaped++;
      } catch {
        // raced with its own exit
      }
    }
    return reaped;
  }
}

function failed(child: ChildProcess, cmd: string): RunningEnvironment {
  let listeners: LineListener[] = [];
  let message = '';
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      message = `Error: fork/exec ${cmd}: ${err.message} Runtime.InvalidEntrypoint`;
      for (const l of listeners) l(message, Buffer.byteLength(message) + 1);
      resolve({ exitCode: null, signal: null, oomKilled: false });
    });
  });
  return {
    handle: 'pid:0',
    callerAddress: '127.0.0.1',
    startedAt: performance.now(),
    onLine(listener) {
      listeners.push(listener);
      if (message) listener(message, Buffer.byteLength(message) + 1);
    },
    exited,
    maxMemoryUsedMb: async () => 0,
    endInitBoost: async () => {},
    destroy: async () => {
      await exited;
      listeners = [];
    },
  };
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
