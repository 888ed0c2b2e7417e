/**
 * The Docker connection: which engine to talk to (DOCKER_HOST or the default socket) and whether
 * it answers. Local unix sockets, tcp:// (with TLS from DOCKER_CERT_PATH) and ssh:// all work.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { DockerStatus } from '../../../shared/types';

export const DEFAULT_SOCKET = '/var/run/docker.sock';
/** ping() must answer quickly when the engine is gone: the UI waits on it. */
export const PING_TIMEOUT_MS = 2000;

export interface DockerClientOptions {
  /** An endpoint like unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host. Default: DOCKER_HOST. */
  host?: string;
}

export interface DockerClient {
  docker: Docker;
  /** The endpoint as a URL, for display and for hints. */
  endpoint: string;
  /** The engine runs on this machine, so its cgroup files and bind sources are ours too. */
  local: boolean;
}

export interface PingResult {
  ok: boolean;
  version?: string;
  apiVersion?: string;
  error?: string;
  /** What the user can do about it, when not ok. */
  hint?: string;
}

/** The endpoint to use: the option, then DOCKER_HOST, then the default socket. */
export function resolveEndpoint(host = process.env.DOCKER_HOST): string {
  if (host && host.trim()) return host.trim();
  // Docker Desktop (macOS, and Linux in rootless mode) may only expose the per-user socket.
  const userSocket = path.join(os.homedir(), '.docker', 'run', 'docker.sock');
  if (!fs.existsSync(DEFAULT_SOCKET) && fs.existsSync(userSocket)) return `unix://${userSocket}`;
  return `unix://${DEFAULT_SOCKET}`;
}

/** dockerode options for an endpoint URL. */
export function dockerOptions(endpoint: string): Docker.DockerOptions {
  if (endpoint.startsWith('unix://')) return { socketPath: endpoint.slice('unix://'.length) };
  if (endpoint.startsWith('npipe://')) return { socketPath: endpoint.slice('npipe://'.length) };
  if (endpoint.startsWith('/')) return { socketPath: endpoint };
  const url = new URL(endpoint);
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port ? Number(url.port) : 22,
      username: url.username || undefined,
      sshOptions: { agent: process.env.SSH_AUTH_SOCK },
    };
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const tls = url.protocol === 'https:' || process.env.DOCKER_TLS_VERIFY === '1' || url.port === '2376';
    const certs = process.env.DOCKER_CERT_PATH;
    const read = (f: string) => fs.readFileSync(path.join(certs as string, f));
    return {
      protocol: tls ? 'https' : 'http',
      host: url.hostname,
      port: url.port ? Number(url.port) : tls ? 2376 : 2375,
      ...(tls && certs ? { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') } : {}),
    };
  }
  throw new Error(`Unsupported Docker endpoint ${endpoint}: use unix://, tcp:// or ssh://`);
}

export function createDockerClient(options: DockerClientOptions = {}): DockerClient {
  const endpoint = resolveEndpoint(options.host);
  const docker = new Docker(dockerOptions(endpoint));
  const local = endpoint.startsWith('unix://') || endpoint.startsWith('npipe://') || endpoint.startsWith('/');
  return { docker, endpoint, local };
}

/** A sentence telling the user how to make the engine reachable. */
export function unreachableHint(endpoint: string, error: unknown): string {
  const code = (error as { code?: string } | undefined)?.code ?? '';
  if (code === 'EACCES') {
    return (
      `Permission denied on ${endpoint}. Add your user to the docker group ` +
      '(`sudo usermod -aG docker $USER`, then log in again).'
    );
  }
  if (endpoint.startsWith('unix://') || endpoint.startsWith('npipe://')) {
    return (
      'Docker is not running. Start it with `sudo systemctl start docker` (Linux) or open Docker Desktop; ' +
      `Lambench connects to ${endpoint}.`
    );
  }
  return (
    `No answer from the Docker engine at ${endpoint}. Check DOCKER_HOST and that the remote engine is up ` +
    '(`docker -H <host> version`).'
  );
}

/** Version of the engine, or why it cannot be reached; fails within PING_TIMEOUT_MS. */
export async function ping(client: DockerClient, timeoutMs = PING_TIMEOUT_MS): Promise<PingResult> {
  try {
    // The typings omit abortSignal, which dockerode 4 honours on every call.
    const opts = { abortSignal: AbortSignal.timeout(timeoutMs) } as object;
    const v = await (client.docker.version as (o: object) => Promise<Docker.DockerVersion>)(opts);
    return { ok: true, version: v.Version, apiVersion: v.ApiVersion };
  } catch (err) {
    const e = err as Error & { code?: string };
    const message =
      e.name === 'AbortError' || e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : e.message;
    return { ok: false, error: message, hint: unreachableHint(client.endpoint, err) };
  }
}

/** The engine's state for the UI, with how many Lambench containers are running. */
export async function dockerStatus(client: DockerClient): Promise<DockerStatus> {
  const result = await ping(client);
  const status: DockerStatus = {
    state: result.ok ? 'connected' : 'unavailable',
    endpoint: client.endpoint,
    version: result.version,
    apiVersion: result.apiVersion,
    error: result.error,
    hint: result.hint,
    checkedAt: Date.now(),
  };
  if (result.ok) {
    const running = await client.docker
      .listContainers({ filters: { label: ['lambench=1'], status: ['running'] } })
      .catch(() => []);
    status.containers = running.length;
  }
  return status;
}
