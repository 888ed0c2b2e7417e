/** Making sure a runtime image is present: use the local one, else pull it with per-layer progress. */
import type Docker from 'dockerode';
import { buildLocalImageCommand, hasLocalRuntimeImage } from '../../../shared/local-runtime-images';
import type { ImagePullProgress } from '../../../shared/types';

/** How the engine words a registry it could not reach (DNS, refused, timed out), as opposed to a refusal. */
const UNREACHABLE = /no such host|dial tcp|i\/o timeout|connection refused|network is unreachable|timeout/i;

/** Thrown when an image is neither local nor pullable (offline, unknown name, no access). */
export class ImageNotAvailableError extends Error {
  override name = 'ImageNotAvailable';
  constructor(
    readonly image: string,
    cause: string,
    readonly runtime?: string,
  ) {
    const offline = UNREACHABLE.test(cause) ? ' No image registry answered.' : '';
    const build =
      runtime && hasLocalRuntimeImage(runtime)
        ? `Build the local equivalent from this machine's binaries: \`${buildLocalImageCommand(runtime)}\` ` +
          '(or "Build local runtime image" in the app), '
        : `Pull or build it (\`docker pull ${image}\`), `;
    super(
      `Image ${image} is not available: it is not on this machine and pulling it failed (${cause}).${offline} ` +
        `${build}or point this runtime at another image in Settings (runtime → image map, or LAMBENCH_IMAGES).`,
    );
  }
}

/** Adds ':latest' to an untagged name: pulling a bare name would fetch every tag. */
export function withTag(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  return image.slice(lastSlash + 1).includes(':') ? image : `${image}:latest`;
}

export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

interface PullEvent {
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

const LAYER_DONE = new Set(['Pull complete', 'Already exists', 'Download complete']);

function toProgress(image: string, e: PullEvent): ImagePullProgress {
  const status = e.status ?? (e.error ? 'Error' : '');
  return {
    image,
    layer: e.id && e.id !== image ? e.id : '',
    status,
    current: e.progressDetail?.current,
    total: e.progressDetail?.total,
    done: LAYER_DONE.has(status),
    error: e.error ?? e.errorDetail?.message,
  };
}

/** Resolves when `image` is local, pulling it first when needed. Throws ImageNotAvailableError. */
export async function ensureImage(
  docker: Docker,
  image: string,
  onProgress: (p: ImagePullProgress) => void = () => {},
  /** The runtime the image is for, so a failure can offer its local build. */
  runtime?: string,
): Promise<'present' | 'pulled'> {
  if (await imageExists(docker, image)) return 'present';
  const ref = withTag(image);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(ref);
  } catch (err) {
    const raw = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
    // docker-modem wraps the engine's words as "(HTTP code 500) server error - <words> ".
    const cause = raw.replace(/^\(HTTP code \d+\)[^-]*- /, '').trim();
    onProgress({ image, layer: '', status: 'Failed', done: true, error: cause });
    throw new ImageNotAvailableError(image, cause, runtime);
  }
  let streamError: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err) => (err ? reject(err) : resolve()),
      (e: PullEvent) => {
        // The engine reports failures mid-stream as events, not as a stream error.
        if (e.error) streamError = e.error;
        onProgress(toProgress(image, e));
      },
    );
  }).catch((err: Error) => {
    streamError ??= err.message;
  });
  if (streamError) {
    onProgress({ image, layer: '', status: 'Failed', done: true, error: streamError });
    throw new ImageNotAvailableError(image, streamError, runtime);
  }
  onProgress({ image, layer: '', status: 'Pulled', done: true });
  return 'pulled';
}
