/**
 * A container-image function (PackageType: Image) as SAM describes it: `Metadata` names the Dockerfile and
 * its context (what `sam build` builds), or `ImageUri` names an image to run as it is; `ImageConfig`
 * overrides the image's ENTRYPOINT, CMD and WORKDIR.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { FunctionImage } from '../../../shared/types';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : undefined;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * The image part of a function, and why it cannot run if it cannot. `get` resolves a property (Globals
 * and intrinsics applied); `metadata` is the resource's Metadata, where SAM keeps the build instructions.
 */
export function loadImageFunction(
  dir: string,
  serverless: boolean,
  get: (key: string) => unknown,
  metadata: Obj,
): { image: FunctionImage; reason?: string } {
  const config = obj(get('ImageConfig'));
  const image: FunctionImage = {
    entryPoint: strings(config.EntryPoint),
    command: strings(config.Command),
    workingDirectory: text(config.WorkingDirectory),
  };
  const context = text(metadata.DockerContext);
  if (context) {
    image.context = isAbsolute(context) ? context : resolve(dir, context);
    image.dockerfile = text(metadata.Dockerfile) ?? 'Dockerfile';
    image.dockerTag = text(metadata.DockerTag) ?? 'latest';
    image.target = text(metadata.DockerBuildTarget);
    const args = Object.entries(obj(metadata.DockerBuildArgs));
    if (args.length) image.buildArgs = Object.fromEntries(args.map(([k, v]) => [k, String(v)]));
    return { image, reason: contextProblem(image.context, image.dockerfile, context) };
  }
  // With no Metadata, `sam local` runs the ImageUri as it is; here it must be an image on this engine.
  const uri = text(serverless ? get('ImageUri') : obj(get('Code')).ImageUri);
  if (uri) return { image: { ...image, imageUri: uri } };
  return {
    image,
    reason:
      'Image function needs Metadata (DockerContext and Dockerfile, as `sam init` writes them) or an ImageUri',
  };
}

function contextProblem(contextDir: string, dockerfile: string, written: string): string | undefined {
  if (!existsSync(contextDir) || !statSync(contextDir).isDirectory())
    return `DockerContext '${written}' is not a folder (${contextDir})`;
  const file = join(contextDir, dockerfile);
  if (!existsSync(file) || !statSync(file).isFile())
    return `Dockerfile '${dockerfile}' not found in the DockerContext (${contextDir})`;
  return undefined;
}
