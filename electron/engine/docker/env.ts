/** The environment variables Lambda gives a function, in the order Lambda's rules need. */
import { randomBytes } from 'node:crypto';
import type { EnvironmentSpec } from '../runtime/executor';

/** Variables a function may not set itself (Lambda rejects them at deploy time). */
export const RESERVED = new Set([
  '_HANDLER',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

export interface EnvOptions {
  region?: string;
  /** An official AWS base image keeps its own PATH, LD_LIBRARY_PATH and NODE_PATH. */
  awsImage?: boolean;
}

/** Lambda's log stream name: `YYYY/MM/DD/[$LATEST]<32 hex>`. */
function logStreamName(version: string, now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}

/**
 * Defaults a function may override, then the function's own variables, then the reserved ones
 * (which always win, as on Lambda).
 */
export function lambdaEnvironment(spec: EnvironmentSpec, opts: EnvOptions = {}): Record<string, string> {
  const region = opts.region ?? 'us-east-1';
  const defaults: Record<string, string> = { TZ: ':UTC', LANG: 'en_US.UTF-8' };
  if (!opts.awsImage) {
    defaults.PATH = '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin';
    defaults.LD_LIBRARY_PATH =
      '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib';
    if (spec.runtime.startsWith('nodejs')) {
      const major = /^nodejs(\d+)/.exec(spec.runtime)?.[1] ?? '20';
      defaults.NODE_PATH = `/opt/nodejs/node${major}/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules`;
    }
  }
  const own = Object.fromEntries(Object.entries(spec.environment).filter(([k]) => !RESERVED.has(k)));
  const reserved: Record<string, string> = {
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: spec.version ?? '$LATEST',
    AWS_LAMBDA_RUNTIME_API: spec.runtimeApi,
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(spec.version ?? '$LATEST'),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: '/var/task',
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  };
  // OS-only runtimes (provided.*) and images (no runtime) have no AWS_EXECUTION_ENV on Lambda.
  if (spec.runtime && !spec.runtime.startsWith('provided'))
    reserved.AWS_EXECUTION_ENV = `AWS_Lambda_${spec.runtime}`;
  return { ...defaults, ...own, ...reserved };
}

export function toDockerEnv(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}
