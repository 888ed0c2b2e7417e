/** Test events kept in the project (`events/*.json`), and the checks every saved event passes. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { TestEvent } from '../../../shared/types';
import { MAX_SYNC_PAYLOAD_BYTES } from '../runtime/invoker';
import { parseEventJson } from './events-json';

export const EVENTS_DIR = 'events';
const MAX_NAME = 100;

/** `<project>/events/*.json`, by name; `sam init` puts its sample events there. */
export async function listEventFiles(projectDir: string): Promise<TestEvent[]> {
  const dir = join(projectDir, EVENTS_DIR);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: TestEvent[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.toLowerCase().endsWith('.json')) continue;
    const path = join(dir, entry.name);
    try {
      const [body, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      out.push({ name: entry.name, body, source: 'file', updatedAt: Math.round(info.mtimeMs), path });
    } catch {
      // Deleted or unreadable between readdir and read: it is simply not listed.
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** A saved event must be JSON that Lambda would accept as a synchronous payload. */
export function checkEventBody(body: string): void {
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_SYNC_PAYLOAD_BYTES) {
    const mb = (bytes / 1024 / 1024).toFixed(1);
    throw new WorkbenchError(
      'EventTooLarge',
      `The event is ${mb} MB (${bytes} bytes); Lambda's synchronous invoke accepts at most 6 MB (${MAX_SYNC_PAYLOAD_BYTES} bytes)`,
      { bytes, limit: MAX_SYNC_PAYLOAD_BYTES },
    );
  }
  parseEventJson(body);
}

/** "<base> copy", "<base> copy 2", … : the first that is free, within the name limit. */
export function copyName(base: string, taken: ReadonlySet<string>): string {
  for (let i = 1; ; i++) {
    const suffix = i === 1 ? ' copy' : ` copy ${i}`;
    const name = base.slice(0, MAX_NAME - suffix.length).trimEnd() + suffix;
    if (!taken.has(name)) return name;
  }
}
