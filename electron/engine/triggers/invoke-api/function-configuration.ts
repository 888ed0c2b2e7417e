/** Lambda's FunctionConfiguration for a loaded function, as GetFunction and ListFunctions return it. */
import { createHash } from 'node:crypto';
import type { LoadedFunction } from '../../projects/template';
import { ACCOUNT, functionArn, LATEST } from './resolve-function';

export function functionConfiguration(fn: LoadedFunction): Record<string, unknown> {
  const revision = createHash('sha1').update(JSON.stringify(fn)).digest('hex');
  return {
    FunctionName: fn.functionName,
    FunctionArn: functionArn(fn.functionName),
    Runtime: fn.runtime,
    Role: `arn:aws:iam::${ACCOUNT}:role/lambench-local`,
    Handler: fn.handler,
    CodeSize: 0,
    Description: fn.description ?? '',
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: '1970-01-01T00:00:00.000+0000',
    CodeSha256: '',
    Version: LATEST,
    Environment: { Variables: fn.environment },
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: `${revision.slice(0, 8)}-${revision.slice(8, 12)}-${revision.slice(12, 16)}-${revision.slice(16, 20)}-${revision.slice(20, 32)}`,
    State: fn.unsupported ? 'Failed' : 'Active',
    ...(fn.unsupported ? { StateReason: fn.unsupported, StateReasonCode: 'InvalidConfiguration' } : {}),
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [fn.architecture],
    EphemeralStorage: { Size: fn.ephemeralStorage },
    ...(fn.layers.length
      ? {
          Layers: fn.layers.map((_dir, i) => ({
            Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:local-${i}:1`,
            CodeSize: 0,
          })),
        }
      : {}),
  };
}
