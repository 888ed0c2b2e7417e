/**
 * The image a container-image function runs: its Dockerfile built (through image-build.ts) and tagged
 * `lambench-fn/<project>-<function>:<context hash>`, or its ImageUri as it is. Resolved once per
 * function object and code version, so a warm invoke costs a map lookup; a changed context gets a new
 * tag, hence a new pool configuration and a cold start.
 */
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { FunctionImageStatus, ImagePullProgress } from '../../../shared/types';
import type { LoadedFunction } from '../projects/template';
import type { DockerClient } from './client';
import { buildImage, contextFiles, contextHash } from './image-build';
import { ensureImage, imageExists } from './images';

export interface FunctionImagesOptions {
  /** The project's name, for the image's name. */
  projectName: (projectId: number) => string;
  onProgress?: (p: ImagePullProgress) => void;
  /** Image functions need Docker: the process executor cannot run an image. */
  executorKind?: 'docker' | 'process';
}

/** A name part Docker accepts: lowercase letters and digits joined by single dashes. */
const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'x';

export const imageRepository = (projectName: string, functionId: string): string =>
  `lambench-fn/${slug(projectName)}-${slug(functionId)}`;

/** Docker reports a shell-form ENTRYPOINT as one string. */
const words = (v: string | string[] | undefined | null): string[] | undefined =>
  typeof v === 'string' ? [v] : (v ?? undefined);

/** What a function's image is for one function object and code version: computed once, then looked up. */
interface Target {
  fn: LoadedFunction;
  codeVersion: number;
  tag: string;
  /** Absent for an ImageUri. */
  hash?: string;
  /** Built or found on the engine since this target was computed. */
  ready: boolean;
}

export class FunctionImages {
  private readonly targets = new Map<string, Target>();
  /** Builds in progress by tag: two invokes of a changed function share one build. */
  private readonly building = new Map<string, Promise<void>>();
  private readonly builtAt = new Map<string, number>();

  constructor(
    private readonly docker: DockerClient,
    private readonly opts: FunctionImagesOptions,
  ) {}

  /** The image to run for this invoke, built first if its context changed. Throws ImageBuildFailed and kin. */
  async imageFor(projectId: number, fn: LoadedFunction, codeVersion: number): Promise<string> {
    const target = await this.target(projectId, fn, codeVersion);
    if (!target.ready) await this.ensure(target, false);
    return target.tag;
  }

  /** What the function's image is made from and whether it is built (nothing is built here). */
  async status(projectId: number, fn: LoadedFunction, codeVersion: number): Promise<FunctionImageStatus> {
    return this.describe(projectId, await this.target(projectId, fn, codeVersion));
  }

  /** Builds the image again even if one with the same context hash exists (the Rebuild button). */
  async rebuild(projectId: number, fn: LoadedFunction, codeVersion: number): Promise<FunctionImageStatus> {
    const target = await this.target(projectId, fn, codeVersion);
    await this.ensure(target, true);
    return this.describe(projectId, target);
  }

  private async describe(projectId: number, { fn, tag, hash }: Target): Promise<FunctionImageStatus> {
    const info = await this.docker.docker
      .getImage(tag)
      .inspect()
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode === 404) return undefined;
        throw err;
      });
    return {
      projectId,
      functionId: fn.id,
      tag,
      hash,
      built: info !== undefined,
      builtAt: this.builtAt.get(tag),
      sizeBytes: info?.Size,
      own: info && {
        entryPoint: words(info.Config?.Entrypoint),
        command: info.Config?.Cmd ?? undefined,
        workingDirectory: info.Config?.WorkingDir || undefined,
      },
    };
  }

  /** The function's image tag (hashing its context), once per function object and code version. */
  private async target(projectId: number, fn: LoadedFunction, codeVersion: number): Promise<Target> {
    const key = `${projectId}/${fn.id}`;
    const known = this.targets.get(key);
    if (known && known.fn === fn && known.codeVersion === codeVersion) return known;
    const image = fn.image;
    if (fn.packageType !== 'Image' || !image)
      throw new WorkbenchError('NotAnImageFunction', `${fn.id} is not packaged as a container image`, {
        functionId: fn.id,
      });
    if (fn.unsupported)
      throw new WorkbenchError('FunctionNotRunnable', fn.unsupported, { functionId: fn.id });
    let target: Target = { fn, codeVersion, tag: image.imageUri ?? '', ready: false };
    if (!image.imageUri) {
      const files = await contextFiles(image.context!);
      const hash = await contextHash(
        { ...image, context: image.context!, dockerfile: image.dockerfile! },
        files,
      );
      target = {
        ...target,
        tag: `${imageRepository(this.opts.projectName(projectId), fn.id)}:${hash}`,
        hash,
      };
    }
    this.targets.set(key, target);
    return target;
  }

  /** Makes the target's image present: pulled if it is an ImageUri, built if missing (or forced). */
  private async ensure(target: Target, force: boolean): Promise<void> {
    const { fn, tag, hash } = target;
    if (this.opts.executorKind === 'process')
      throw new WorkbenchError(
        'ImageFunctionNeedsDocker',
        `${fn.id} is a container-image function: it runs only with Docker (LAMBENCH_EXECUTOR=process cannot run an image)`,
        { functionId: fn.id },
      );
    const docker = this.docker.docker;
    if (!hash) {
      await ensureImage(docker, tag, this.opts.onProgress);
    } else {
      let build = this.building.get(tag);
      if (!build && (force || !(await imageExists(docker, tag)))) {
        build = this.build(fn, tag).finally(() => this.building.delete(tag));
        this.building.set(tag, build);
      }
      await build;
    }
    target.ready = true;
  }

  private async build(fn: LoadedFunction, tag: string): Promise<void> {
    const image = fn.image!;
    const id = await buildImage(this.docker.docker, {
      context: image.context!,
      dockerfile: image.dockerfile!,
      tag,
      buildArgs: image.buildArgs,
      target: image.target,
      onProgress: this.opts.onProgress,
    });
    this.builtAt.set(tag, Date.now());
    // `sam build` tags the image <function>:<DockerTag>; the same tag here points at the latest build.
    const repo = tag.slice(0, tag.lastIndexOf(':'));
    const dockerTag = image.dockerTag ?? 'latest';
    await this.docker.docker
      .getImage(id)
      .tag({ repo, tag: dockerTag })
      .catch(() => undefined);
    await this.pruneOlder(repo, [tag, `${repo}:${dockerTag}`]);
  }

  /**
   * Untags this function's earlier builds, so editing code does not pile up an image per change. Forced, so
   * a warm container of the old build (retired by the next acquire) does not keep its tag; Docker keeps the
   * image itself until that container is gone.
   */
  private async pruneOlder(repo: string, keep: string[]): Promise<void> {
    const docker = this.docker.docker;
    const images = await docker.listImages({ filters: { reference: [repo] } }).catch(() => []);
    const stale = images
      .flatMap((i) => i.RepoTags ?? [])
      .filter((t) => t.startsWith(`${repo}:`) && !keep.includes(t));
    await Promise.all(
      stale.map((t) =>
        docker
          .getImage(t)
          .remove()
          .catch(() => undefined),
      ),
    );
  }
}
