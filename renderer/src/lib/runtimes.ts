/** Runtime identifiers as Lambda spells them (nodejs22.x, python3.12, provided.al2023), for badges and labels. */
import type { FunctionInfo } from '../../../shared/types';

export type RuntimeFamily = 'node' | 'python' | 'custom' | 'image' | 'other';

/** Stands for a container-image function's runtime, which is whatever its image holds. */
export const IMAGE_RUNTIME = 'image';

/** What to badge and label a function with: its runtime, or IMAGE_RUNTIME for a container image. */
export function runtimeOf(fn: Pick<FunctionInfo, 'runtime' | 'packageType'>): string {
  return fn.packageType === 'Image' ? IMAGE_RUNTIME : fn.runtime;
}

/** A function's handler; for an image, its ImageConfig Command, else the image's own CMD. */
export function handlerOf(fn: Pick<FunctionInfo, 'handler' | 'packageType' | 'image'>): string {
  if (fn.packageType !== 'Image') return fn.handler;
  return fn.image?.command?.join(' ') ?? 'image default';
}

export function runtimeFamily(runtime: string): RuntimeFamily {
  if (runtime === IMAGE_RUNTIME) return 'image';
  if (runtime.startsWith('nodejs')) return 'node';
  if (runtime.startsWith('python')) return 'python';
  if (runtime.startsWith('provided')) return 'custom';
  return 'other';
}

export function runtimeLabel(runtime: string): string {
  if (runtime === IMAGE_RUNTIME) return 'Container image';
  const node = /^nodejs(\d+)\.x$/.exec(runtime);
  if (node) return `Node.js ${node[1]}`;
  const python = /^python(\d+\.\d+)$/.exec(runtime);
  if (python) return `Python ${python[1]}`;
  const provided = /^provided(?:\.(\w+))?$/.exec(runtime);
  if (provided) return provided[1] ? `Custom runtime (${provided[1].toUpperCase()})` : 'Custom runtime';
  return runtime || 'Unknown runtime';
}
