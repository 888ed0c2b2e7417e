/** Lambda's limits on a function's configuration: the engine's template writer and the UI's form check the same. */

export const LIMITS = {
  memorySize: { min: 128, max: 10_240 },
  timeout: { min: 1, max: 900 },
  ephemeralStorage: { min: 512, max: 10_240 },
} as const;

export const ENV_KEY = /^[a-zA-Z][a-zA-Z0-9_]+$/;

/** Lambda sets these itself and rejects them in a function's configuration (as it does AWS_LAMBDA_*). */
export const RESERVED_ENV = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_XRAY_CONTEXT_MISSING',
  'AWS_XRAY_DAEMON_ADDRESS',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

export const isReservedEnvKey = (key: string): boolean =>
  RESERVED_ENV.has(key) || key.startsWith('AWS_LAMBDA_');

/** Lambda's limit on all variables together (keys and values). */
export const ENV_MAX_BYTES = 4096;
