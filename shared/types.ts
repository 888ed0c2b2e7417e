/** Domain types shared by the engine, the transports and the UI. */

export type Architecture = 'x86_64' | 'arm64';

export interface AppStatus {
  version: string;
  /** The data home: every file Lambench writes lives here. */
  home: string;
  /** 'docker' isolates each environment; 'process' is the unisolated fallback for machines without Docker. */
  executor: 'docker' | 'process';
  node: string;
  platform: string;
}

export interface DockerStatus {
  state: 'connected' | 'unavailable' | 'checking';
  endpoint: string;
  version?: string;
  apiVersion?: string;
  /** Running containers that Lambench started. */
  containers?: number;
  error?: string;
  /** What the user can do about an unavailable engine. */
  hint?: string;
  checkedAt: number;
}

export interface Project {
  id: number;
  name: string;
  path: string;
  /** The folder is gone: shown as missing, never dropped from the list. */
  missing: boolean;
  openedAt: number;
}

export interface Blueprint {
  name: string;
  title: string;
  runtime: string;
  description: string;
}

export interface FunctionInfo {
  /** The logical id in template.yaml. */
  id: string;
  projectId: number;
  runtime: string;
  handler: string;
  /** Absolute path of the code folder. */
  codeUri: string;
  memorySize: number;
  timeout: number;
  architecture: Architecture;
  ephemeralStorage: number;
  environment: Record<string, string>;
  reservedConcurrency?: number;
  /** Set when Lambench cannot run this function, with the reason. */
  unsupported?: string;
}

export type InvocationStatus = 'running' | 'success' | 'error' | 'timeout' | 'throttled' | 'interrupted';

export interface InvocationError {
  type: string;
  message: string;
  stackTrace?: string[];
}

export interface InvocationStarted {
  invocationId: string;
  requestId: string;
  projectId: number;
  functionId: string;
  startedAt: number;
}

export interface InvocationLog {
  invocationId: string;
  requestId: string;
  line: string;
}

export interface InvocationResult {
  invocationId: string;
  requestId: string;
  projectId: number;
  functionId: string;
  status: Exclude<InvocationStatus, 'running'>;
  /** The response body as text (usually JSON). */
  response?: string;
  error?: InvocationError;
  startedAt: number;
  durationMs: number;
  billedDurationMs: number;
  initDurationMs?: number;
  coldStart: boolean;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  architecture: Architecture;
  environmentId?: string;
  logs: string;
  logsTruncated: boolean;
}

export interface ImagePullProgress {
  image: string;
  /** The layer id, or '' for the image as a whole. */
  layer: string;
  status: string;
  current?: number;
  total?: number;
  done: boolean;
  error?: string;
}
