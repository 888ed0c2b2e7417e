/**
 * Errors as the Lambda service returns them: an HTTP status, the `x-amzn-ErrorType` header (which the AWS
 * SDKs read first to pick their typed exception) and a JSON body with `Type` and the message.
 */
export class LambdaError extends Error {
  constructor(
    readonly status: number,
    /** The exception name, e.g. ResourceNotFoundException. */
    readonly type: string,
    message: string,
    /** Extra body fields, e.g. TooManyRequestsException's Reason. */
    readonly extra: Record<string, string> = {},
    /** 'User' for the caller's mistakes, 'Service' for Lambda's own. */
    readonly fault: 'User' | 'Service' = status >= 500 ? 'Service' : 'User',
    /** Lambda spells the message `Message` in some bodies (ResourceNotFoundException) and `message` in others. */
    readonly messageKey: 'message' | 'Message' = 'message',
  ) {
    super(message);
    this.name = type;
  }

  body(): string {
    return JSON.stringify({ ...this.extra, Type: this.fault, [this.messageKey]: this.message });
  }
}

export const notFound = (arn: string) =>
  new LambdaError(404, 'ResourceNotFoundException', `Function not found: ${arn}`, {}, 'User', 'Message');

export const invalidParameter = (message: string) =>
  new LambdaError(400, 'InvalidParameterValueException', message);

export const invalidContent = (message: string) =>
  new LambdaError(400, 'InvalidRequestContentException', message);

export const tooLarge = (limit: number, operation: 'InvokeFunction' | 'InvokeAsync') =>
  new LambdaError(
    413,
    'RequestTooLargeException',
    `Request must be smaller than ${limit} bytes for the ${operation} operation`,
  );

export const throttled = (reason: string) =>
  new LambdaError(429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: reason });

export const serviceError = (message: string) => new LambdaError(500, 'ServiceException', message);
