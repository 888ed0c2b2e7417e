/**
 * Local runtime images: built on this machine from its own binaries when no registry answers (see
 * electron/engine/docker/local-runtime-images.ts). Here is what the UI and the CLI need to offer one.
 */

/** Local image names (without the repository) and the runtimes each stands in for. */
export const localRuntimeImages: Record<string, readonly string[]> = {
  'nodejs:20': ['nodejs20.x', 'nodejs22.x'],
  'python:3.11': ['python3.11', 'python3.12', 'python3.13'],
  'provided:al2023': ['provided.al2023', 'provided.al2'],
};

export function hasLocalRuntimeImage(runtime: string): boolean {
  return Object.values(localRuntimeImages).some((runtimes) => runtimes.includes(runtime));
}

/** What differs from the official public.ecr.aws/lambda image, said before the user builds one. */
export const localImageDifferences = [
  "Built from this machine's own node, python3.11, bash and curl: their versions, not Amazon Linux's.",
  'No AWS SDK (boto3, @aws-sdk/*) preinstalled: bundle what your function imports.',
  "Lambench's own runtime client instead of AWS's; a minimal userland with no package manager.",
];

/** The CLI command that builds the local image for a runtime. */
export const buildLocalImageCommand = (runtime: string) => `lambench images build ${runtime}`;
