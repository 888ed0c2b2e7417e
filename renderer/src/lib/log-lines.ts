/** Splits a Lambda log line into parts worth styling: the Node format is `ISO-time\tRequestId\tLEVEL\tmessage`. */
export interface LogLine {
  kind: 'entry' | 'frame' | 'plain' | 'lambench';
  time?: string;
  level?: string;
  message: string;
}

const entry = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\t[0-9a-f-]{36}\t([A-Z]+)\t([\s\S]*)$/;

export function parseLogLine(line: string): LogLine {
  const m = entry.exec(line);
  if (m) return { kind: 'entry', time: m[1].slice(11, 23), level: m[2], message: m[3] };
  if (/^(START|END|REPORT|INIT_START) /.test(line) || / Task timed out after /.test(line))
    return { kind: 'frame', message: line };
  if (line.startsWith('[lambench]')) return { kind: 'lambench', message: line };
  return { kind: 'plain', message: line };
}

/** Text cut around each case-insensitive match of `query`, for <mark>. */
export function splitMatches(text: string, query: string): { text: string; hit: boolean }[] {
  if (!query) return [{ text, hit: false }];
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  const parts: { text: string; hit: boolean }[] = [];
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    if (i > at) parts.push({ text: text.slice(at, i), hit: false });
    parts.push({ text: text.slice(i, i + q.length), hit: true });
    at = i + q.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), hit: false });
  return parts;
}

/** Clipboard in a secure context, with the old execCommand path for one that is not. */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('The browser refused to copy');
}
