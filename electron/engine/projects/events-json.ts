/** Parses a saved test event, pointing at the line and column of a syntax error. */
import { findJsonError } from './json-scan';

export class InvalidEventJson extends Error {
  override name = 'InvalidEventJson';
  constructor(
    message: string,
    readonly details: { line: number; col: number; position: number },
  ) {
    super(message);
  }
}

/** 1-based line and column of a character offset. */
export function lineCol(text: string, position: number): { line: number; col: number } {
  const lines = text.slice(0, Math.max(0, position)).split('\n');
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}

export function parseEventJson(input: string): unknown {
  // Editors on Windows may save a byte-order mark, which JSON.parse rejects.
  const text = input.replace(/^\uFEFF/, '');
  // Lambda's console treats an empty event as {}; an editor left blank means the same.
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const issue = findJsonError(text) ?? {
      position: text.length,
      reason: err instanceof Error ? err.message : String(err),
    };
    const { line, col } = lineCol(text, issue.position);
    throw new InvalidEventJson(`Invalid JSON at line ${line}, column ${col}: ${issue.reason}`, {
      line,
      col,
      position: issue.position,
    });
  }
}
