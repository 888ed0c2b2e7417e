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

interface Resolved {
  fn: LoadedFunction;
  codeVersion: number;
  tag: string;
}

export class FunctionImages {
  private readonly resolved = new Map<string, Resolved>();
  /** Builds in progress by tag: two invokes of a changed function share one build. */
  private readonly building = new Map<string, Promise<void>>();
  private readonly builtAt = new Map<string, number>();
  /** The last hash status() computed per function, for the UI's repeated looks. */
  private readonly targets = new Map<
    string,
    { fn: LoadedFunction; codeVersion: number; target: { tag: string; hash?: string } }
  >();

  constructor(
    private readonly docker: DockerClient,
    private readonly opts: FunctionImagesOptions,
  ) {}

  /** The image to run for this invoke, built first if its context changed. Throws ImageBuildFailed and kin. */
  async imageFor(projectId: number, fn: LoadedFunction, codeVersion: number): Promise<string> {
    const key = `${projectId}/${fn.id}`;
    const hit = this.resolved.get(key);
    if (hit && hit.fn === fn && hit.codeVersion === codeVersion) return hit.tag;
    const { tag } = await this.ensure(projectId, fn, false);
    this.resolved.set(key, { fn, codeVersion, tag });
    return tag;
  }

  /**
   * What the function's image is made from and whether it is built (nothing is built here). The hash is
   * computed once per function object and code version, as for invokes.
   */
  async status(projectId: number, fn: LoadedFunction, codeVersion: number): Promise<FunctionImageStatus> {
    const key = `${projectId}/${fn.id}`;
    const hit = this.targets.get(key);
    const target =
      hit && hit.fn === fn && hit.codeVersion === codeVersion ? hit.target : await this.target(projectId, fn);
    this.targets.set(key, { fn, codeVersion, target });
    return this.describe(projectId, fn, target.tag, target.hash);
  }

  /** Builds the image again even if one with the same context hash exists (the Rebuild button). */
  async rebuild(projectId: number, fn: LoadedFunction): Promise<FunctionImageStatus> {
    const { tag, hash } = await this.ensure(projectId, fn, true);
    return this.describe(projectId, fn, tag, hash);
  }

  private async describe(
    projectId: number,
    fn: LoadedFunction,
    tag: string,
    hash: string | undefined,
  ): Promise<FunctionImageStatus> {
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

  private async target(projectId: number, fn: LoadedFunction): Promise<{ tag: string; hash?: string }> {
    const image = fn.image;
    if (fn.packageType !== 'Image' || !image)
      throw new WorkbenchError('NotAnImageFunction', `${fn.id} is not packaged as a container image`, {
        functionId: fn.id,
      });
    if (fn.unsupported)
      throw new WorkbenchError('FunctionNotRunnable', fn.unsupported, { functionId: fn.id });
    if (image.imageUri) return { tag: image.imageUri };
    const files = await contextFiles(image.context!);
    const hash = await contextHash(
      { ...image, context: image.context!, dockerfile: image.dockerfile! },
      files,
    );
    return { tag: `${imageRepository(this.opts.projectName(projectId), fn.id)}:${hash}`, hash };
  }

  private async ensure(
    projectId: number,
    fn: LoadedFunction,
    force: boolean,
  ): Promise<{ tag: string; hash?: string }> {
    if (this.opts.executorKind === 'process')
      throw new WorkbenchError(
        'ImageFunctionNeedsDocker',
        `${fn.id} is a container-image function: it runs only with Docker (LAMBENCH_EXECUTOR=process cannot run an image)`,
        { functionId: fn.id },
      );
    const { tag, hash } = await this.target(projectId, fn);
    const docker = this.docker.docker;
    if (!hash) {
      await ensureImage(docker, tag, this.opts.onProgress);
      return { tag };
    }
    let build = this.building.get(tag);
    if (!build) {
      if (!force && (await imageExists(docker, tag))) return { tag, hash };
      build = this.build(fn, tag).finally(() => this.building.delete(tag));
      this.building.set(tag, build);
    }
    await build;
    return { tag, hash };
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
