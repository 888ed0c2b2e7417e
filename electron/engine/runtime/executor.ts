/**
 * The seam between an execution environment and what runs it: a Docker container (the default)
 * or a plain child process (the no-Docker fallback, with no isolation or memory limit).
 */
import { randomUUID } from 'node:crypto';
import type { Architecture } from '../../../shared/types';

/** A new environment's id: short enough for container names, unique enough for one machine. */
export const newEnvironmentId = (): string => randomUUID().slice(0, 12);

export interface EnvironmentSpec {
  /** Unique per environment; used in container names and labels. */
  id: string;
  functionName: string;
  runtime: string;
  handler: string;
  /** Host folder mounted read-only at /var/task. */
  codeDir: string;
  /** Host folders merged, in order, at /opt. */
  layerDirs: string[];
  memoryMb: number;
  timeoutSec: number;
  ephemeralMb: number;
  architecture: Architecture;
  /** The function's own variables; reserved ones are added by the executor. */
  environment: Record<string, string>;
  /** The published version this environment runs (AWS_LAMBDA_FUNCTION_VERSION); absent for $LATEST. */
  version?: string;
  /** Image for the Docker executor; ignored by the process executor. */
  image: string;
  /** host:port of this environment's Runtime API, as seen from inside the environment. */
  runtimeApi: string;
  /** A host path where the same Runtime API answers on a Unix socket, for the executor to hand in. */
  runtimeApiSocket?: string;
  /** Start the runtime process, then hold it before init until the Runtime API releases it (a spare). */
  holdInit?: boolean;
  /** Labels for everything this environment creates (project, function, config hash). */
  labels: Record<string, string>;
  /** 'Image': `image` is the function itself; its own entrypoint runs, with no code or client mounted. */
  packageType?: 'Zip' | 'Image';
  /** ImageConfig: each one set overrides the image's ENTRYPOINT, CMD or WORKDIR. */
  imageConfig?: { entryPoint?: string[]; command?: string[]; workingDirectory?: string };
}

/** One line of output, and the bytes it took in the stream (its line break included). */
export type LineListener = (line: string, bytes: number) => void;

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  oomKilled: boolean;
  /** Why the exit is assumed rather than seen, e.g. the connection to the Docker engine was lost. */
  reason?: string;
}

export interface RunningEnvironment {
  /** The container id, or `pid:<n>` for a process. */
  handle: string;
  /** Address the Runtime API must accept calls from (the container IP, or 127.0.0.1 for processes). */
  callerAddress: string;
  /** performance.now() when the runtime process was started: where the init phase begins. */
  startedAt: number;
  /** performance.now() when the container existed (created, attached), before it was started; Docker only. */
  createdAt?: number;
  /** Called for every complete line the environment writes to stdout or stderr. */
  onLine(listener: LineListener): void;
  /** Resolves once, when the environment's process or container has stopped. */
  exited: Promise<ExitInfo>;
  /** Peak memory of the whole environment so far, in MB, read from its cgroup (0 when unknown). */
  maxMemoryUsedMb(): Promise<number>;
  /** Ends Lambda's init CPU boost: from now on the environment gets its memory-scaled CPU share. */
  endInitBoost(): Promise<void>;
  /** Kills the environment at once and removes what it left. Safe to call more than once. */
  destroy(): Promise<void>;
}

export interface Executor {
  kind: 'docker' | 'process';
  /** The host address the Runtime API must bind to so that environments, and only they, can reach it. */
  runtimeApiHost(): Promise<string>;
  /**
   * A private folder for environments' Runtime API Unix sockets, when this executor can hand one in
   * (Docker on this machine); undefined keeps every environment on TCP.
   */
  runtimeApiSocketDir?(): string | undefined;
  /** Whether this environment's runtime client can be started held (spec.holdInit): Lambench's own clients. */
  canHoldInit?(spec: Omit<EnvironmentSpec, 'runtimeApi'>): boolean;
  /** Starts an environment whose runtime client polls `spec.runtimeApi`. */
  start(spec: EnvironmentSpec): Promise<RunningEnvironment>;
  /** A spare (started with holdInit) was taken into service by a cold start. */
  taken?(spec: EnvironmentSpec): void;
  /** Removes every environment this executor (or an earlier run of Lambench) left behind. */
  reapOrphans(): Promise<number>;
}
