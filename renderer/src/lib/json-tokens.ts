/** Pretty-printing and token colouring for JSON shown read-only (responses), without an editor instance. */
export interface JsonToken {
  text: string;
  kind: 'key' | 'string' | 'number' | 'literal' | 'punct' | 'plain';
}

/** Past this size a response is shown as plain text: colouring megabytes costs more than it helps. */
const HIGHLIGHT_LIMIT = 200_000;

/** The text pretty-printed when it is JSON, else as it came. */
export function prettyJson(text: string): { text: string; isJson: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), isJson: true };
  } catch {
    return { text, isJson: false };
  }
}

const token =
  /("(?:\\.|[^"\\])*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],:])/g;

export function tokenizeJson(text: string): JsonToken[] {
  if (text.length > HIGHLIGHT_LIMIT) return [{ text, kind: 'plain' }];
  const out: JsonToken[] = [];
  let at = 0;
  for (const m of text.matchAll(token)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index), kind: 'plain' });
    if (m[1] !== undefined) {
      out.push({ text: m[1], kind: m[2] ? 'key' : 'string' });
      if (m[2]) out.push({ text: m[2], kind: 'punct' });
    } else if (m[3] !== undefined) out.push({ text: m[3], kind: 'number' });
    else if (m[4] !== undefined) out.push({ text: m[4], kind: 'literal' });
    else out.push({ text: m[5], kind: 'punct' });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at), kind: 'plain' });
  return out;
}
