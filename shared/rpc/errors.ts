/** Errors cross every transport as `{name, message, details}` and are rebuilt as real Errors on the other side. */

export interface WireError {
  name: string;
  message: string;
  details?: unknown;
}

/** An Error that carries a name and structured details across the wire. */
export class WorkbenchError extends Error {
  readonly details?: unknown;
  constructor(name: string, message: string, details?: unknown) {
    super(message);
    this.name = name;
    this.details = details;
  }
}

export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const details = (error as { details?: unknown }).details;
    return {
      name: error.name || 'Error',
      message: error.message,
      ...(details === undefined ? {} : { details }),
    };
  }
  return { name: 'Error', message: String(error) };
}

export function fromWireError(wire: WireError): WorkbenchError {
  return new WorkbenchError(wire.name || 'Error', wire.message || 'Unknown error', wire.details);
}
