/**
 * A bucket as a local folder: a file written there is an object put, a file deleted an object removed.
 * chokidar waits until a file stops growing, so one write gives one event with the final size.
 */
import { watch, type FSWatcher } from 'chokidar';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { S3EventName } from './s3-event';

/** `<project>/.lambench/s3/<bucket>/`: beside the code that uses it, and out of git. */
export function bucketDir(projectDir: string, bucket: string): string {
  return join(projectDir, '.lambench', 's3', bucket);
}

export interface DroppedFile {
  key: string;
  eventName: S3EventName;
  size?: number;
  eTag?: string;
}

/** How long a file must stay the same size before it counts as written. */
const STABLE_MS = 150;

export class FileDrop {
  private readonly watcher: FSWatcher;
  readonly ready: Promise<void>;

  constructor(
    readonly dir: string,
    onFile: (file: DroppedFile) => void,
    onError: (error: Error) => void,
  ) {
    mkdirSync(dir, { recursive: true });
    const marker = join(dir, '..', '..', '.gitignore');
    if (!existsSync(marker)) writeFileSync(marker, '# Lambench local state (file-drop buckets)\n*\n');
    this.watcher = watch(dir, {
      ignoreInitial: true,
      awaitWriteFinish: { stabilityThreshold: STABLE_MS, pollInterval: 25 },
    });
    this.ready = new Promise((resolve) => this.watcher.once('ready', () => resolve()));
    const key = (path: string) => relative(dir, path).split(sep).join('/');
    // A file gone (or unreadable) by the time it is read is reported, never thrown into the watcher.
    const safely = (make: () => DroppedFile) => {
      try {
        onFile(make());
      } catch (error) {
        onError(error as Error);
      }
    };
    this.watcher.on('add', (path) => safely(() => this.created(key(path), path)));
    this.watcher.on('change', (path) => safely(() => this.created(key(path), path)));
    this.watcher.on('unlink', (path) =>
      safely(() => ({ key: key(path), eventName: 'ObjectRemoved:Delete' })),
    );
    this.watcher.on('error', (e) => onError(e as Error));
  }

  private created(key: string, path: string): DroppedFile {
    const body = readFileSync(path);
    return {
      key,
      eventName: 'ObjectCreated:Put',
      size: body.length,
      eTag: createHash('md5').update(body).digest('hex'),
    };
  }

  close(): Promise<void> {
    return this.watcher.close();
  }
}
