/**
 * Building images from a Dockerfile: the engine's one way to build one. The context is hashed (its files
 * after .dockerignore, the Dockerfile's name and the build args), so an unchanged context is never rebuilt,
 * and the build streams its log as `image:pull` progress of kind 'build'.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, readlink, lstat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import DockerIgnore from '@balena/dockerignore';
import type Docker from 'dockerode';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { ImagePullProgress } from '../../../shared/types';

export interface BuildRequest {
  /** Absolute folder sent to the engine as the build context. */
  context: string;
  /** Relative to the context. */
  dockerfile: string;
  /** The image's name and tag. */
  tag: string;
  buildArgs?: Record<string, string>;
  /** The Dockerfile stage to build (multi-stage builds). */
  target?: string;
  labels?: Record<string, string>;
  onProgress?: (p: ImagePullProgress) => void;
}

/** How much of Docker's build log a failure keeps: the end, where the error is. */
export const BUILD_LOG_TAIL_LINES = 60;

/** A context's files, relative and with '/' separators, as .dockerignore leaves them (the way dockerode packs). */
export async function contextFiles(context: string): Promise<string[]> {
  const ignore = await readFile(join(context, '.dockerignore'), 'utf8').catch(() => '');
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() || entry.isSymbolicLink())
        files.push(relative(context, full).split(sep).join('/'));
    }
  };
  await walk(context);
  if (!ignore) return files;
  return files.filter(DockerIgnore({ ignorecase: false }).add(ignore).createFilter());
}

/**
 * The hash that names a build: every file's path, executable bit and content (a link's target), the
 * Dockerfile's name, the target and the build args. Twelve hex digits, as short image ids are.
 */
export async function contextHash(
  req: Pick<BuildRequest, 'context' | 'dockerfile' | 'buildArgs' | 'target'>,
  files?: string[],
): Promise<string> {
  const hash = createHash('sha256');
  const args = Object.entries(req.buildArgs ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  hash.update(JSON.stringify({ dockerfile: req.dockerfile, target: req.target ?? '', args }));
  for (const file of files ?? (await contextFiles(req.context))) {
    const full = join(req.context, file);
    const st = await lstat(full);
    const body = st.isSymbolicLink() ? Buffer.from(await readlink(full)) : await readFile(full);
    hash.update(`\0${file}\0${st.mode & 0o111 ? 'x' : '-'}\0${body.length}\0`);
    hash.update(body);
  }
  return hash.digest('hex').slice(0, 12);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** Thrown when the Dockerfile does not build: Docker's message, with the end of its log in details. */
export class ImageBuildError extends WorkbenchError {
  constructor(tag: string, reason: string, log: string[]) {
    super('ImageBuildFailed', `Building ${tag} failed: ${reason}`, {
      image: tag,
      log: log.slice(-BUILD_LOG_TAIL_LINES).join('\n'),
    });
  }
}

/**
 * Builds `req.tag` from the context (Docker's classic builder, intermediate containers removed even on
 * failure). Nothing is tagged unless every step succeeded. Resolves with the image id; throws ImageBuildError.
 */
export async function buildImage(docker: Docker, req: BuildRequest, files?: string[]): Promise<string> {
  const progress = req.onProgress ?? (() => {});
  const tell = (status: string, extra: Partial<ImagePullProgress> = {}) =>
    progress({ kind: 'build', image: req.tag, layer: '', status, done: false, ...extra });
  const log: string[] = [];
  const fail = (reason: string): never => {
    tell('Failed', { done: true, error: reason });
    throw new ImageBuildError(req.tag, reason, log);
  };
  tell(`Sending the build context (${req.context})`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(
      { context: req.context, src: files ?? (await contextFiles(req.context)) },
      {
        t: req.tag,
        dockerfile: req.dockerfile,
        buildargs: req.buildArgs,
        target: req.target,
        labels: req.labels,
        rm: true,
        forcerm: true,
      },
    );
  } catch (err) {
    const e = err as { json?: { message?: string }; message?: string };
    return fail(e.json?.message ?? e.message ?? String(err));
  }
  let error: string | undefined;
  let id: string | undefined;
  await new Promise<void>((resolve) => {
    docker.modem.followProgress(
      stream,
      (err) => {
        if (err) error ??= err.message;
        resolve();
      },
      (e: BuildEvent) => {
        if (e.aux?.ID) id = e.aux.ID;
        // A RUN step's stderr comes wrapped in terminal colours.
        const text = (e.stream ?? e.status ?? '').replace(ANSI, '');
        for (const line of text.split('\n').map((l) => l.trimEnd())) {
          if (!line) continue;
          log.push(line);
          tell(line);
        }
        // The engine reports a failed step as an event, not as a stream error.
        if (e.error) {
          error = e.errorDetail?.message ?? e.error;
          log.push(error);
        }
      },
    );
  });
  if (error) return fail(error);
  id ??= (await docker.getImage(req.tag).inspect()).Id;
  tell('Built', { done: true });
  return id;
}
