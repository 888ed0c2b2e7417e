/**
 * Runs each execution environment in its own hardened container: Lambda's memory and CPU share,
 * a read-only root with a sized /tmp, the sandbox user, no capabilities.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type Docker from 'dockerode';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { ImagePullProgress } from '../../../shared/types';
import type {
  EnvironmentSpec,
  Executor,
  ExitInfo,
  LineListener,
  RunningEnvironment,
} from '../runtime/executor';
import { MemoryPeak } from './cgroup';
import { PING_TIMEOUT_MS, type DockerClient } from './client';
import { lambdaEnvironment, toDockerEnv } from './env';
import { ensureImage } from './images';
import { layerBinds } from './layers';
import { LineSplitter } from './lines';
import { isProcessAlive } from '../process-alive';
import { entrypointFailure } from '../runtime/environment';
import { resourcesDir } from '../resources';

/** Official base images run their own runtime client from their entrypoint. */
export const AWS_IMAGE_PREFIX = 'public.ecr.aws/lambda/';
/** Lambda's sbx_user1051. */
export const SANDBOX_USER = '993:990';
/** Where Lambench's Node runtime client finds its environment's Runtime API socket (RUNTIME_API_SOCKET_ENV). */
const RUNTIME_API_SOCKET = '/run/lambench/runtime-api.sock';
const RUNTIME_API_SOCKET_ENV = 'LAMBENCH_RUNTIME_API_SOCKET';
/** Lambda gives one full vCPU at this memory size. */
export const MB_PER_VCPU = 1769;

export interface DockerExecutorOptions {
  /** Scale the CPU share with memory as Lambda does (default true); off gives every container all cores. */
  cpuScaling?: boolean;
  /** Written to the lambench.owner label; defaults to PROCESS_OWNER. */
  owner?: string;
  /** Host folder with the runtime clients; defaults to resources/runtimes. */
  runtimesDir?: string;
  pidsLimit?: number;
  region?: string;
  /** Hand Node environments their Runtime API on a Unix socket where possible (default true). */
  runtimeApiSockets?: boolean;
  /** Progress of pulls that start() triggers for a missing image. */
  onPullProgress?: (p: ImagePullProgress) => void;
}

const statusOf = (err: unknown): number | undefined => (err as { statusCode?: number }).statusCode;

/** The command a container runs for a runtime. */
export function runtimeCommand(
  spec: Pick<EnvironmentSpec, 'runtime' | 'handler' | 'image'>,
  bootstrap: string,
) {
  if (spec.image.startsWith(AWS_IMAGE_PREFIX)) return [spec.handler];
  if (spec.runtime.startsWith('nodejs')) return ['node', '/var/runtime/node/bootstrap.mjs'];
  if (spec.runtime.startsWith('python')) return ['python3', '-u', '/var/runtime/python/bootstrap.py'];
  if (spec.runtime.startsWith('provided')) return [bootstrap];
  throw new Error(`Unsupported runtime ${spec.runtime}`);
}

/** Lambda looks for an OS-only runtime's bootstrap in the code first, then in the layers (/opt). */
function bootstrapPath(spec: EnvironmentSpec): string {
  if (fs.existsSync(path.join(spec.codeDir, 'bootstrap'))) return '/var/task/bootstrap';
  const inLayer = spec.layerDirs.some((d) => fs.existsSync(path.join(d, 'bootstrap')));
  return inLayer ? '/opt/bootstrap' : '/var/task/bootstrap';
}

/** The CFS period: short, so a small function is slowed evenly rather than frozen for most of 100 ms. */
export const CPU_PERIOD_US = 20_000;

/**
 * The CPU share for a memory size, as a CFS quota: 1769 MB = 1 vCPU, at least 1 ms per period (the
 * kernel's floor) and at most the engine's cores.
 */
export function cpuLimit(memoryMb: number, hostCpus: number): { CpuPeriod: number; CpuQuota: number } {
  const wanted = Math.round((memoryMb / MB_PER_VCPU) * CPU_PERIOD_US);
  return { CpuPeriod: CPU_PERIOD_US, CpuQuota: Math.min(Math.max(wanted, 1000), hostCpus * CPU_PERIOD_US) };
}

/** The signal behind a shell-style exit code (137 → SIGKILL), or null. */
export function signalName(exitCode: number | null): string | null {
  if (exitCode === null || exitCode <= 128 || exitCode > 128 + 64) return null;
  const entry = Object.entries(os.constants.signals).find(([, n]) => n === exitCode - 128);
  return entry ? entry[0] : null;
}

/**
 * The lambench.owner label of this process's containers: `<hostname>/<pid>/<token>`. The token tells
 * this process from an earlier one that had the same pid (pids restart from 1 in a container).
 */
export const PROCESS_OWNER = `${os.hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;

export function containerName(id: string): string {
  return `lambench-${id.replace(/[^a-zA-Z0-9_.-]/g, '-')}`;
}

/** An RFC 3339 time with nanoseconds (Docker's StartedAt) on the performance.now() timeline. */
export function perfTime(rfc3339: string | undefined): number | undefined {
  const m = /^(.+T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(rfc3339 ?? '');
  if (!m) return undefined;
  const wall = Date.parse(m[1] + m[3]) + (m[2] ? Number(m[2]) * 1000 : 0);
  return Number.isFinite(wall) ? wall - performance.timeOrigin : undefined;
}

/** Docker's refusal to exec the entrypoint, as the error Lambda reports for it. */
function entrypointError(err: unknown): WorkbenchError | undefined {
  const failure = entrypointFailure((err as Error)?.message ?? '');
  return failure && new WorkbenchError(failure.errorType, failure.errorMessage);
}

/** After the output ends, how long wait() may take before the engine is asked again. */
const WAIT_GRACE_MS = 1000;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

const lostConnection = (err: unknown) =>
  `lost the connection to the Docker engine (${(err as Error).message || String(err)})`;

/**
 * How a container ended. wait()'s answer comes on a long-lived connection whose headers arrived
 * at once, so if the engine goes away that answer is simply never completed: when the output
 * stream (another connection) ends and wait() stays silent, the engine is asked directly, and no
 * answer at all means it is gone, as far as we can tell with the container.
 */
async function waitForExit(
  container: Docker.Container,
  outputEnded: Promise<void>,
  destroying: () => boolean,
): Promise<Omit<ExitInfo, 'signal'>> {
  let exitCode: number | null = null;
  const waited = container.wait().then(
    (r: { StatusCode: number }) => {
      exitCode = r.StatusCode;
    },
    (err: unknown) => {
      // An HTTP answer (404: removed) is an exit; no answer at all means the engine went away.
      if (statusOf(err) === undefined && !destroying()) throw err;
    },
  );
  const silent = outputEnded.then(() => delay(WAIT_GRACE_MS)).then(() => 'silent' as const);
  try {
    if ((await Promise.race([waited, silent])) === 'silent') {
      const state = await inspectState(container);
      if (state?.Running) await waited;
    }
  } catch (err) {
    return { exitCode, oomKilled: false, reason: lostConnection(err) };
  }
  try {
    const state = await inspectState(container);
    return { exitCode: state?.ExitCode ?? exitCode, oomKilled: state?.OOMKilled ?? false };
  } catch {
    // Removed meanwhile (destroy): what wait() said is all there is.
    return { exitCode, oomKilled: false };
  }
}

/** The container's state; undefined once it is removed; throws when the engine does not answer. */
async function inspectState(
  container: Docker.Container,
): Promise<Docker.ContainerInspectInfo['State'] | undefined> {
  try {
    const opts = { abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) };
    return (await (container.inspect as (o: object) => Promise<Docker.ContainerInspectInfo>)(opts)).State;
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

export class DockerExecutor implements Executor {
  readonly kind = 'docker' as const;
  readonly owner: string;
  private gateway?: Promise<string>;
  private cpus?: Promise<number>;
  private socketDir?: string;

  constructor(
    private readonly client: DockerClient,
    private readonly opts: DockerExecutorOptions = {},
  ) {
    this.owner = opts.owner ?? PROCESS_OWNER;
  }

  private get docker(): Docker {
    return this.client.docker;
  }

  /** Lambench's Node runtime client (not an official image's), which can start held. */
  canHoldInit(spec: Omit<EnvironmentSpec, 'runtimeApi'>): boolean {
    return this.ownNodeClient(spec);
  }

  private ownNodeClient(spec: Omit<EnvironmentSpec, 'runtimeApi'>): boolean {
    return (
      spec.packageType !== 'Image' &&
      spec.runtime.startsWith('nodejs') &&
      !spec.image.startsWith(AWS_IMAGE_PREFIX)
    );
  }

  /**
   * Only where Docker bind-mounts a host socket as a socket: a Linux host's own engine (Docker Desktop's VM
   * on macOS or Windows cannot pass one through). A 0700 folder of this process's, removed on exit.
   */
  runtimeApiSocketDir(): string | undefined {
    if (process.platform !== 'linux' || !this.client.local || this.opts.runtimeApiSockets === false)
      return undefined;
    if (this.socketDir === undefined) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-rt-'));
      process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
      this.socketDir = dir;
    }
    return this.socketDir;
  }

  /**
   * The default bridge's gateway: the host's address on the network containers are attached to.
   * With a remote DOCKER_HOST this is the remote machine's bridge, which our server cannot bind.
   */
  runtimeApiHost(): Promise<string> {
    this.gateway ??= this.docker
      .getNetwork('bridge')
      .inspect()
      .then(
        (n: { IPAM?: { Config?: { Gateway?: string }[] } }) => n.IPAM?.Config?.[0]?.Gateway ?? '172.17.0.1',
      )
      .catch((err: unknown) => {
        this.gateway = undefined;
        throw err;
      });
    return this.gateway;
  }

  private hostCpus(): Promise<number> {
    this.cpus ??= this.docker
      .info()
      .then((i: { NCPU?: number }) => i.NCPU || os.availableParallelism())
      .catch(() => os.availableParallelism());
    return this.cpus;
  }

  private async createOptions(spec: EnvironmentSpec): Promise<Docker.ContainerCreateOptions> {
    if (spec.packageType === 'Image') return this.imageFunctionOptions(spec);
    const awsImage = spec.image.startsWith(AWS_IMAGE_PREFIX);
    const binds = [`${path.resolve(spec.codeDir)}:/var/task:ro`];
    // Official images carry their own client in /var/runtime; ours would hide it.
    if (!awsImage)
      binds.push(`${this.opts.runtimesDir ?? path.join(resourcesDir(), 'runtimes')}:/var/runtime:ro`);
    binds.push(...layerBinds(spec.layerDirs.map((d) => path.resolve(d))));
    const env = lambdaEnvironment(spec, { region: this.opts.region, awsImage });
    // Lambench's Node client takes the Unix socket (and falls back to TCP if it cannot connect).
    if (spec.runtimeApiSocket && this.ownNodeClient(spec)) {
      binds.push(`${spec.runtimeApiSocket}:${RUNTIME_API_SOCKET}:ro`);
      env[RUNTIME_API_SOCKET_ENV] = RUNTIME_API_SOCKET;
    }
    if (spec.holdInit && this.ownNodeClient(spec)) env.LAMBENCH_HOLD_INIT = '1';
    return this.hardened(spec, {
      Cmd: runtimeCommand(spec, bootstrapPath(spec)),
      Env: toDockerEnv(env),
      WorkingDir: '/var/task',
      Binds: binds,
    });
  }

  /**
   * A container-image function: the same limits and hardening, but the image is the function. Its own
   * ENTRYPOINT and CMD run (ImageConfig overriding either), as the sandbox user like on Lambda, and
   * nothing is mounted: the code and the runtime client are in the image.
   */
  private async imageFunctionOptions(spec: EnvironmentSpec): Promise<Docker.ContainerCreateOptions> {
    const config = spec.imageConfig ?? {};
    // Given explicitly: Docker would drop the image's CMD when the entrypoint is replaced, Lambda keeps it.
    const cmd = config.command ?? (await this.imageCmd(spec.image));
    // As on Lambda, the handler an image function reports is its CMD's first word.
    const env = lambdaEnvironment(
      { ...spec, handler: cmd?.[0] ?? '' },
      { region: this.opts.region, awsImage: true },
    );
    return this.hardened(spec, {
      Entrypoint: config.entryPoint,
      Cmd: cmd,
      // The image's own PATH and the like stay: only Lambda's variables and the function's are added.
      Env: toDockerEnv(env),
      WorkingDir: config.workingDirectory,
      Binds: [],
    });
  }

  /** Lambda's limits and the sandbox around whatever the container runs. */
  private hardened(
    spec: EnvironmentSpec,
    run: Pick<Docker.ContainerCreateOptions, 'Entrypoint' | 'Cmd' | 'Env' | 'WorkingDir'> & {
      Binds: string[];
    },
  ): Docker.ContainerCreateOptions {
    const memory = spec.memoryMb * 1024 * 1024;
    const { Binds, ...command } = run;
    return {
      name: containerName(spec.id),
      Image: spec.image,
      ...command,
      User: SANDBOX_USER,
      Labels: { ...spec.labels, lambench: '1', 'lambench.env': spec.id, 'lambench.owner': this.owner },
      HostConfig: {
        Binds,
        Memory: memory,
        // Equal to Memory: no swap, so going over the limit is an OOM kill as on Lambda.
        MemorySwap: memory,
        // Lambda boosts the CPU during init; the memory-scaled share applies from endInitBoost() on.
        CpuQuota: 0,
        PidsLimit: this.opts.pidsLimit ?? 1024,
        Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 1024 }],
        ReadonlyRootfs: true,
        // Note: tmpfs pages count against the memory limit, unlike Lambda's disk-backed /tmp.
        Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${spec.ephemeralMb}m,mode=1777` },
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        NetworkMode: 'bridge',
        // Output is read from the attach stream; Docker's own json-file copy cost dockerd CPU per line (a log
        // flood streamed at half the rate) and grew on disk for as long as the environment stayed warm.
        LogConfig: { Type: 'none', Config: {} },
        AutoRemove: false,
      },
    };
  }

  private async imageCmd(image: string): Promise<string[] | undefined> {
    const info = await this.docker
      .getImage(image)
      .inspect()
      .catch(() => undefined);
    return info?.Config?.Cmd ?? undefined;
  }

  private async create(spec: EnvironmentSpec): Promise<Docker.Container> {
    const options = await this.createOptions(spec);
    try {
      return await this.docker.createContainer(options);
    } catch (err) {
      // Checking for the image on every start costs a round trip; only pull when create says so.
      if (statusOf(err) !== 404) throw err;
      await ensureImage(this.docker, spec.image, this.opts.onPullProgress, spec.runtime);
      return this.docker.createContainer(options);
    }
  }

  async start(spec: EnvironmentSpec): Promise<RunningEnvironment> {
    const container = await this.create(spec);
    const createdAt = performance.now();
    const listeners: LineListener[] = [];
    const early: [string, number][] = [];
    // Lines written before anyone listens are kept and replayed to the first listener.
    const emit: LineListener = (line, bytes) => {
      if (listeners.length) for (const l of listeners) l(line, bytes);
      else early.push([line, bytes]);
    };
    const stdout = new LineSplitter(emit);
    const stderr = new LineSplitter(emit);
    let stream: NodeJS.ReadWriteStream;
    let startedAt = 0;
    try {
      // Attaching before start means no output is lost, and lines arrive as they are written.
      stream = await container.attach({ stream: true, stdout: true, stderr: true });
      // Node's Writable and the modem's NodeJS.WritableStream typing disagree only on end()'s overloads.
      this.docker.modem.demuxStream(stream, stdout as NodeJS.WritableStream, stderr as NodeJS.WritableStream);
      await container.start();
      startedAt = performance.now();
    } catch (err) {
      await container.remove({ force: true }).catch(() => {});
      throw entrypointError(err) ?? err;
    }
    const outputEnded = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    const info = await container.inspect();
    // The process's own start time: a fast runtime may poll before start() has even returned.
    startedAt = Math.min(startedAt, perfTime(info.State?.StartedAt) ?? startedAt);
    // The typings omit the top-level IPAddress, which the default bridge fills in.
    const settings = info.NetworkSettings as typeof info.NetworkSettings & { IPAddress?: string };
    const networks = Object.values(settings.Networks ?? {});
    const callerAddress = settings.IPAddress || networks[0]?.IPAddress || '';
    const peak = new MemoryPeak(info.Id, container, this.client.local, spec.memoryMb);
    peak.start();

    let destroying = false;
    const exited = (async (): Promise<ExitInfo> => {
      const exit = await waitForExit(container, outputEnded, () => destroying);
      peak.stop();
      // Let the last lines drain so they precede the exit, then emit any unterminated one.
      await Promise.race([outputEnded, delay(1000)]);
      stdout.flush();
      stderr.flush();
      return { ...exit, signal: signalName(exit.exitCode) };
    })();

    let destroyed: Promise<void> | undefined;
    return {
      handle: info.Id,
      callerAddress,
      startedAt,
      createdAt,
      onLine(listener) {
        listeners.push(listener);
        if (listeners.length === 1) for (const [line, bytes] of early.splice(0)) listener(line, bytes);
      },
      exited,
      maxMemoryUsedMb: () => peak.readMb(),
      endInitBoost: async () => {
        if (this.opts.cpuScaling === false) return;
        await container.update(cpuLimit(spec.memoryMb, await this.hostCpus()));
      },
      destroy: () =>
        (destroyed ??= (async () => {
          destroying = true;
          peak.stop();
          await container.kill().catch(() => {}); // 409 when it is no longer running
          await container.remove({ force: true }).catch((err: unknown) => {
            // 404: already gone; 409: a removal is already in progress.
            if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
          });
        })()),
    };
  }

  /**
   * Removes containers labelled lambench=1, sparing those of a Lambench process on this host that
   * is still alive: another one (the desktop app and a test run may share one engine) or this one
   * (several engines in one process, as in tests).
   */
  async reapOrphans(): Promise<number> {
    const list = await this.docker.listContainers({ all: true, filters: { label: ['lambench=1'] } });
    const orphans = list.filter((c) => !this.ownerAlive(c.Labels['lambench.owner']));
    await Promise.all(
      orphans.map((c) =>
        this.docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch((err: unknown) => {
            if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
          }),
      ),
    );
    return orphans.length;
  }

  private ownerAlive(owner: string | undefined): boolean {
    if (!owner) return false;
    const [host, pid] = owner.split('/');
    if (host !== os.hostname() || !Number(pid)) return false;
    if (Number(pid) === process.pid) return owner === PROCESS_OWNER;
    return isProcessAlive(Number(pid));
  }
}
