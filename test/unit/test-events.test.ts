import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Resolver } from '../../electron/engine/projects/intrinsics';
import { parseEvents, triggerSummary } from '../../electron/engine/projects/function-events';
import { checkEventBody, copyName, listEventFiles } from '../../electron/engine/projects/test-events';
import { MAX_SYNC_PAYLOAD_BYTES } from '../../electron/engine/runtime/invoker';
import { openDatabase } from '../../electron/engine/store/database';
import { EventsRepo } from '../../electron/engine/store/events-repo';
import { ProjectsRepo } from '../../electron/engine/store/projects-repo';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'lambench-test-events-'));
  temps.push(d);
  return d;
};

describe('checkEventBody', () => {
  it('accepts exactly 6 MB and refuses one byte more, naming the limit', () => {
    const exact = `"${'x'.repeat(MAX_SYNC_PAYLOAD_BYTES - 2)}"`;
    expect(Buffer.byteLength(exact)).toBe(6 * 1024 * 1024);
    expect(() => checkEventBody(exact)).not.toThrow();
    expect(() => checkEventBody(`"${'x'.repeat(MAX_SYNC_PAYLOAD_BYTES - 1)}"`)).toThrow(
      "The event is 6.0 MB (6291457 bytes); Lambda's synchronous invoke accepts at most 6 MB (6291456 bytes)",
    );
  });

  it('counts bytes, not characters', () => {
    const euros = `"${'€'.repeat(2_200_000)}"`; // 3 bytes each: 6.6 MB in 2.2M characters
    expect(() => checkEventBody(euros)).toThrow(/^The event is 6\.3 MB \(6600002 bytes\)/);
  });

  it('refuses invalid JSON with line and column, and takes an empty body as {}', () => {
    expect(() => checkEventBody('{"a": tru}')).toThrow(/^Invalid JSON at line 1, column 7: /);
    expect(() => checkEventBody('  ')).not.toThrow();
  });
});

describe('copyName', () => {
  it('numbers copies and stays within 100 characters', () => {
    expect(copyName('orders', new Set())).toBe('orders copy');
    expect(copyName('orders', new Set(['orders copy', 'orders copy 2']))).toBe('orders copy 3');
    const long = 'a'.repeat(100);
    expect(copyName(long, new Set())).toBe(`${'a'.repeat(95)} copy`);
    expect(copyName(long, new Set([`${'a'.repeat(95)} copy`]))).toBe(`${'a'.repeat(93)} copy 2`);
  });
});

describe('listEventFiles', () => {
  it('lists events/*.json files by name, and nothing when the folder is absent', async () => {
    const dir = tempDir();
    expect(await listEventFiles(dir)).toEqual([]);
    mkdirSync(join(dir, 'events/nested.json'), { recursive: true });
    writeFileSync(join(dir, 'events/b.json'), '{"b": 1}');
    writeFileSync(join(dir, 'events/A.JSON'), '{"a": 1}');
    writeFileSync(join(dir, 'events/readme.md'), '# not an event');
    const files = await listEventFiles(dir);
    expect(files.map((f) => [f.name, f.body, f.source, f.path])).toEqual([
      ['A.JSON', '{"a": 1}', 'file', join(dir, 'events/A.JSON')],
      ['b.json', '{"b": 1}', 'file', join(dir, 'events/b.json')],
    ]);
    expect(files[0].updatedAt).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('triggerSummary', () => {
  const context = {
    stackName: 's',
    parameters: {},
    listParameters: new Set<string>(),
    mappings: {},
    conditions: {},
    resources: {},
    lenient: true,
  };
  const summarize = (events: Record<string, unknown>) =>
    parseEvents(events, new Resolver(context)).map(triggerSummary);

  it('sums up each kind of trigger in a line', () => {
    expect(
      summarize({
        Root: { Type: 'Api', Properties: { Path: '/', Method: 'post' } },
        AnyRoute: { Type: 'HttpApi', Properties: { Path: '/items' } },
        Off: { Type: 'ScheduleV2', Properties: { ScheduleExpression: 'rate(5 minutes)', State: 'DISABLED' } },
        Bucket: {
          Type: 'S3',
          Properties: { Bucket: 'b', Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] },
        },
        Queue: { Type: 'SQS', Properties: { Queue: 'arn:aws:sqs:us-east-1:123456789012:q' } },
        Stream: { Type: 'Kinesis', Properties: { Stream: 'arn' } },
      }),
    ).toEqual([
      { id: 'Root', type: 'Api', summary: 'POST /' },
      { id: 'AnyRoute', type: 'HttpApi', summary: 'ANY /items' },
      { id: 'Off', type: 'ScheduleV2', summary: 'rate(5 minutes) (disabled)' },
      { id: 'Bucket', type: 'S3', summary: 's3:ObjectCreated:*, s3:ObjectRemoved:* on b' },
      { id: 'Queue', type: 'SQS', summary: 'arn:aws:sqs:us-east-1:123456789012:q' },
      { id: 'Stream', type: 'Kinesis', summary: 'Kinesis' },
    ]);
  });
});

describe('EventsRepo', () => {
  it('keeps names unique per function, and drops a removed project’s events', () => {
    const db = openDatabase(join(tempDir(), 'lambench.db'));
    const projects = new ProjectsRepo(db);
    const events = new EventsRepo(db);
    const p = projects.open('/somewhere/app', 'app');
    events.save(p.id, 'A', 'ping', '{}', false);
    events.save(p.id, 'B', 'ping', '{"b": 1}', false);
    expect(() => events.save(p.id, 'A', 'ping', '{}', false)).toThrow(
      "This function already has a saved event named 'ping'; choose another name",
    );
    expect(events.list(p.id, 'B')).toEqual([
      { name: 'ping', body: '{"b": 1}', source: 'saved', updatedAt: expect.any(Number) },
    ]);
    expect(events.rename(p.id, 'A', 'nope', 'x')).toBeUndefined();
    expect(events.delete(p.id, 'A', 'nope')).toBe(false);

    expect(projects.remove(p.id)).toBe(true);
    expect(events.list(p.id, 'A')).toEqual([]);
    expect(projects.remove(p.id)).toBe(false);
    db.close();
  });
});
