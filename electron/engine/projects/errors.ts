/** Errors the projects seam throws; their `name` and `details` survive the transports. */

export interface TemplateErrorDetails {
  file: string;
  line?: number;
  col?: number;
}

/** template.yaml is missing, not YAML, or not a usable SAM/CloudFormation template. */
export class TemplateError extends Error {
  override name = 'TemplateError';
  constructor(
    message: string,
    readonly details: TemplateErrorDetails,
  ) {
    super(message);
  }
}

/** A config change or a value the user typed breaks one of Lambda's rules. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
