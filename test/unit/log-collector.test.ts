import { describe, expect, it } from 'vitest';
import { LOG_BATCH_BYTES, LOG_BATCH_LINES, LogCollector } from '../../electron/engine/runtime/log-collector';

/** Resolves after the collector's pending setImmediate (queued earlier, so it runs first). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function collector(cap?: number): { logs: LogCollector; batches: string[][] } {
  const batches: string[][] = [];
  return { logs: new LogCollector((lines) => batches.push(lines), cap), batches };
}

describe('LogCollector batching', () => {
  it('sends the lines of one event-loop turn as one batch, in order', async () => {
    const { logs, batches } = collector();
    logs.push('one');
    logs.push('two');
    logs.push('three');
    expect(batches).toEqual([]);
    await nextTurn();
    expect(batches).toEqual([['one', 'two', 'three']]);
    logs.push('four');
    await nextTurn();
    expect(batches).toEqual([['one', 'two', 'three'], ['four']]);
    await nextTurn();
    expect(batches).toHaveLength(2);
  });

  it('sends the pending lines before text() returns, and nothing after', async () => {
    const { logs, batches } = collector();
    logs.push('a');
    logs.push('b');
    expect(logs.text()).toBe('a\nb');
    expect(batches).toEqual([['a', 'b']]);
    await nextTurn();
    expect(batches).toEqual([['a', 'b']]);
  });

  it(`sends a batch early at ${LOG_BATCH_LINES} lines`, async () => {
    const { logs, batches } = collector();
    const lines = Array.from({ length: 2 * LOG_BATCH_LINES + 500 }, (_, i) => `line ${i}`);
    for (const line of lines) logs.push(line);
    expect(batches.map((b) => b.length)).toEqual([LOG_BATCH_LINES, LOG_BATCH_LINES]);
    await nextTurn();
    expect(batches.map((b) => b.length)).toEqual([LOG_BATCH_LINES, LOG_BATCH_LINES, 500]);
    expect(batches.flat()).toEqual(lines);
  });

  it(`sends a batch early at ${LOG_BATCH_BYTES / 1024} KB`, async () => {
    const { logs, batches } = collector();
    const big = (c: string) => c.repeat(100 * 1024);
    logs.push(big('a'));
    logs.push(big('b'));
    expect(batches).toEqual([]);
    // 300 KB pending: over the byte cap after the third line.
    logs.push(big('c'));
    expect(batches).toEqual([[big('a'), big('b'), big('c')]]);
    logs.push('tail');
    await nextTurn();
    expect(batches).toEqual([[big('a'), big('b'), big('c')], ['tail']]);
  });

  it('keeps the log cap: the marker and frame lines stream, dropped lines do not', async () => {
    const { logs, batches } = collector(1024 * 1024);
    const line = 'x'.repeat(1023);
    for (let i = 0; i < 1024; i++) logs.push(line);
    logs.push('dropped 1');
    logs.push('dropped 2');
    logs.push('END RequestId: r1');
    const text = logs.text();
    const streamed = batches.flat();
    expect(logs.truncated).toBe(true);
    // The count of dropped lines streams too, last, so the live log ends as History's does.
    expect(streamed).toHaveLength(1027);
    expect(streamed.slice(-3)).toEqual([
      '[lambench] log capped at 1 MB: later lines were dropped',
      'END RequestId: r1',
      '[lambench] 2 lines dropped after the cap',
    ]);
    expect(streamed).not.toContain('dropped 1');
    expect(text).toBe(streamed.join('\n'));
    expect(logs.lineCount).toBe(1027);
    expect(logs.text()).toBe(text);
  });
});
