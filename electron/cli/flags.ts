/** Flag parsing shared by commands that take numbers: a bad value is a usage error (exit 2), like a bad flag. */

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The flag as a finite number (5e6 and 5_000_000 are fine), undefined when absent. */
export function numberFlag(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const n = Number(text.replace(/_/g, ''));
  if (text === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got '${String(raw)}'`);
  return n;
}

/** A comma-separated list of numbers, e.g. --memory 128,256,512. */
export function numberListFlag(values: Record<string, unknown>, name: string): number[] | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const parts = String(raw)
    .split(',')
    .map((part) => Number(part.trim()));
  if (parts.some((n, i) => !Number.isFinite(n) || String(raw).split(',')[i].trim() === '')) {
    throw new UsageError(`--${name} must be numbers separated by commas, got '${String(raw)}'`);
  }
  return parts;
}

/** Runs a command's body; a UsageError prints the message and the usage and exits 2. */
export async function exitOnUsageError(
  command: string,
  usage: string,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`lambench ${command}: ${error.message}\n\nUsage: ${usage}`);
    return 2;
  }
}
