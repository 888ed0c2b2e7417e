/** Lambda's own checks and error texts for versions, aliases and qualifiers, so tools see what AWS says. */
import { ALIAS_NAME_PATTERN, QUALIFIER_PATTERN } from '../../../shared/api/versions';
import { WorkbenchError } from '../../../shared/rpc/errors';

export const LATEST = '$LATEST';

export const functionArn = (functionName: string, qualifier?: string) =>
  `arn:aws:lambda:us-east-1:123456789012:function:${functionName}${qualifier ? `:${qualifier}` : ''}`;

/** Lambda's one-line validation message (the AWS SDK shows it as is). */
function validation(value: string, field: string, constraint: string): WorkbenchError {
  return new WorkbenchError(
    'ValidationException',
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`,
    { field, value },
  );
}

const ALIAS_NAME = new RegExp(`^${ALIAS_NAME_PATTERN}$`);
const QUALIFIER = new RegExp(`^${QUALIFIER_PATTERN}$`);
const VERSION = /^(\$LATEST|[0-9]+)$/;

export function checkAliasName(name: string): void {
  if (name.length < 1 || name.length > 128)
    throw validation(name, 'name', 'Member must have length between 1 and 128');
  if (!ALIAS_NAME.test(name))
    throw validation(name, 'name', `Member must satisfy regular expression pattern: ${ALIAS_NAME_PATTERN}`);
}

export function checkQualifier(qualifier: string): void {
  if (qualifier.length > 128)
    throw validation(qualifier, 'qualifier', 'Member must have length less than or equal to 128');
  if (!QUALIFIER.test(qualifier))
    throw validation(
      qualifier,
      'qualifier',
      `Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`,
    );
}

export function checkVersionRef(version: string, field = 'functionVersion'): void {
  if (!VERSION.test(version))
    throw validation(version, field, 'Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)');
}

export function functionNotFound(functionName: string, qualifier?: string): WorkbenchError {
  return new WorkbenchError(
    'ResourceNotFoundException',
    `Function not found: ${functionArn(functionName, qualifier)}`,
    {
      functionName,
      qualifier,
    },
  );
}

export function aliasNotFound(functionName: string, alias: string): WorkbenchError {
  return new WorkbenchError(
    'ResourceNotFoundException',
    `Alias not found: ${functionArn(functionName, alias)}`,
    {
      functionName,
      alias,
    },
  );
}

export function aliasExists(functionName: string, alias: string): WorkbenchError {
  return new WorkbenchError(
    'ResourceConflictException',
    `Alias already exists: ${functionArn(functionName, alias)}`,
    {
      functionName,
      alias,
    },
  );
}

export function versionInUse(version: string, aliases: string[]): WorkbenchError {
  return new WorkbenchError(
    'ResourceConflictException',
    `Unable to delete version because the following aliases reference it: [${aliases.join(', ')}]`,
    { version, aliases },
  );
}

export const invalidParameter = (message: string, details?: unknown) =>
  new WorkbenchError('InvalidParameterValueException', message, details);
