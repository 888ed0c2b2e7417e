/**
 * Schedules and the S3 file drop through the whole engine (real containers, real SQLite): a rate(1 minute)
 * schedule driven by a fake clock, and files written into a bucket's folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine } from '../../electron/engine/engine';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationSummary } from '../../shared/api/history';
import { FakeClock } from '../support/fake-clock';
import { startTriggerEngine, type TriggerEngine } from '../support/trigger-projects';

const START = Date.parse('2026-12-02T14:45:00Z');
let t: TriggerEngine;
let clock: FakeClock;
let projectId: number;

beforeAll(async () => {
  clock = new FakeClock(START);
  // Retries in milliseconds, not Lambda's minutes, so a failing S3 event is dead-lettered within the test.
  t = await startTriggerEngine(['triggers-misc'], { clock, async: { retryDelaysMs: [50, 100] } });
  projectId = t.projects['triggers-misc'];
}, 120_000);

afterAll(async () => {
  await t?.close();
});

async function rows(
  filter: { functionId: string; trigger: string },
  count: number,
): Promise<InvocationSummary[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const page = await t.client.call('history:list', { projectId, ...filter });
    const done = page.rows.filter((r) => r.status !== 'running');
    if (done.length >= count || Date.now() > deadline) return done;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const event = async (row: InvocationSummary) =>
  JSON.parse((await t.client.call('history:get', { invocationId: row.invocationId })).event!);

describe('schedules', () => {
  it('lists every event with its state; schedules start off; unsupported ones say why', async () => {
    const list = await t.client.call('triggers:list', { projectId });
    expect(list.schedulesEnabled).toBe(false);
    const by = Object.fromEntries(list.triggers.map((x) => [x.eventId, x]));
    expect(by.EveryMinute).toMatchObject({ type: 'Schedule', state: 'off', trigger: 'schedule' });
    expect(by.EveryMinute.schedule!.nextFireTimes).toEqual([1, 2, 3, 4, 5].map((i) => START + i * 60_000));
    expect(by.Nightly.schedule).toMatchObject({ ruleName: 'nightly-report', input: '{"report": "nightly"}' });
    // 2 Dec 2026 is a Wednesday: 03:00 on the next five weekdays.
    expect(by.Nightly.schedule!.nextFireTimes.map((x) => new Date(x).toISOString().slice(0, 10))).toEqual([
      '2026-12-03',
      '2026-12-04',
      '2026-12-07',
      '2026-12-08',
      '2026-12-09',
    ]);
    expect(by.Off).toMatchObject({ state: 'disabled', reason: expect.stringContaining('Enabled: false') });
    expect(by.Broken).toMatchObject({ state: 'error', reason: expect.stringContaining("must be '?'") });
    expect(by.Notify).toMatchObject({
      type: 'SNS',
      state: 'unsupported',
      reason: expect.stringContaining('SNS'),
    });
    // Nothing fires while off.
    clock.advance(5 * 60_000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await t.client.call('history:list', { projectId, trigger: 'schedule' })).rows).toEqual([]);
  });

  it('fires rate(1 minute) once a minute once switched on, with the Scheduled Event payload', async () => {
    const on = await t.client.call('triggers:setSchedulesEnabled', { projectId, enabled: true });
    expect(on.schedulesEnabled).toBe(true);
    const now = clock.now();
    const every = on.triggers.find((x) => x.eventId === 'EveryMinute')!;
    expect(every.state).toBe('on');
    expect(every.schedule!.nextFireTimes[0]).toBe(now + 60_000);
    clock.advance(59_000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await t.client.call('history:list', { projectId, trigger: 'schedule' })).rows).toEqual([]);
    clock.advance(1000);
    const [first] = await rows({ functionId: 'TickFunction', trigger: 'schedule' }, 1);
    // EventBridge invokes asynchronously: the firing is an event's first attempt.
    expect(first).toMatchObject({
      status: 'success',
      trigger: 'schedule',
      triggerSource: 'TickFunctionEveryMinute',
      invocationType: 'Event',
      attempt: 1,
      asyncEventId: expect.any(String),
    });
    const payload = await event(first);
    expect(Object.keys(payload).sort()).toEqual(
      ['account', 'detail', 'detail-type', 'id', 'region', 'resources', 'source', 'time', 'version'].sort(),
    );
    expect(payload).toMatchObject({
      version: '0',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: new Date(now + 60_000).toISOString().replace('.000Z', 'Z'),
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/TickFunctionEveryMinute'],
      detail: {},
    });
    expect(payload.id).toMatch(/^[0-9a-f-]{36}$/);
    clock.advance(60_000);
    expect(await rows({ functionId: 'TickFunction', trigger: 'schedule' }, 2)).toHaveLength(2);
  }, 60_000);

  it('sends a schedule’s own Input, and remembers the switch', async () => {
    // Asleep until the next 03:00 on a weekday: each schedule fires once on waking, missed fires are not replayed.
    const nightly = (await t.client.call('triggers:list', { projectId })).triggers.find(
      (x) => x.eventId === 'Nightly',
    )!;
    const before = (await t.client.call('history:list', { projectId, triggerSource: 'nightly-report' })).rows
      .length;
    const minutely = (
      await t.client.call('history:list', { projectId, triggerSource: 'TickFunctionEveryMinute' })
    ).rows.length;
    clock.jump(nightly.schedule!.nextFireTimes[0] - clock.now());
    const deadline = Date.now() + 20_000;
    let found: InvocationSummary[] = [];
    while (Date.now() < deadline) {
      found = (
        await t.client.call('history:list', { projectId, triggerSource: 'nightly-report' })
      ).rows.filter((r) => r.status !== 'running');
      if (found.length > before) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(found.length).toBe(before + 1);
    expect(await event(found[0])).toEqual({ report: 'nightly' });
    await rows({ functionId: 'TickFunction', trigger: 'schedule' }, before + minutely + 2);
    const after = await t.client.call('history:list', {
      projectId,
      triggerSource: 'TickFunctionEveryMinute',
    });
    expect(after.rows.length).toBe(minutely + 1);
    const saved = t.engine.services.db
      .prepare('SELECT schedules_enabled FROM project_triggers WHERE project_id = ?')
      .pluck()
      .get(projectId);
    expect(saved).toBe(1);
    const off = await t.client.call('triggers:setSchedulesEnabled', { projectId, enabled: false });
    expect(off.triggers.find((x) => x.eventId === 'EveryMinute')!.state).toBe('off');
    const count = (await t.client.call('history:list', { projectId, trigger: 'schedule' })).rows.length;
    clock.advance(10 * 60_000);
    await new Promise((r) => setTimeout(r, 300));
    expect((await t.client.call('history:list', { projectId, trigger: 'schedule' })).rows.length).toBe(count);
  }, 60_000);
});

describe('S3 file drop', () => {
  it('lists the bucket folder under the project', async () => {
    const list = await t.client.call('triggers:list', { projectId, functionId: 'UploadFunction' });
    const photos = list.triggers.find((x) => x.eventId === 'Photos')!;
    expect(photos).toMatchObject({
      state: 'on',
      trigger: 's3',
      s3: {
        bucket: 'uploads-bucket',
        folder: path.join(t.dirs['triggers-misc'], '.lambench/s3/uploads-bucket'),
        events: ['s3:ObjectCreated:*'],
        prefix: 'photos/',
        suffix: '.jpg',
      },
    });
    expect(fs.existsSync(photos.s3!.folder)).toBe(true);
  });

  it('turns each written file into one ObjectCreated:Put, honouring the prefix and suffix', async () => {
    const folder = path.join(t.dirs['triggers-misc'], '.lambench/s3/uploads-bucket');
    fs.mkdirSync(path.join(folder, 'photos'), { recursive: true });
    fs.mkdirSync(path.join(folder, 'docs'), { recursive: true });
    const body = Buffer.alloc(70_000, 7);
    fs.writeFileSync(path.join(folder, 'photos', 'my cat (1).jpg'), body);
    fs.writeFileSync(path.join(folder, 'photos', 'small.jpg'), 'abc');
    fs.writeFileSync(path.join(folder, 'photos', 'skip.png'), 'png'); // suffix does not match
    fs.writeFileSync(path.join(folder, 'docs', 'skip.jpg'), 'jpg'); // prefix does not match
    const created = await rows({ functionId: 'UploadFunction', trigger: 's3' }, 2);
    await new Promise((r) => setTimeout(r, 1000)); // anything extra would show by now
    const all = (
      await t.client.call('history:list', { projectId, functionId: 'UploadFunction', trigger: 's3' })
    ).rows;
    expect(all).toHaveLength(2);
    expect(created.map((r) => r.triggerSource).sort()).toEqual(['photos/my cat (1).jpg', 'photos/small.jpg']);
    expect(created.map((r) => [r.invocationType, r.attempt])).toEqual([
      ['Event', 1],
      ['Event', 1],
    ]);
    const events = await Promise.all(all.map(event));
    const cat = events.find((e) => e.Records[0].s3.object.size === body.length)!;
    const record = cat.Records[0];
    expect(Object.keys(record).sort()).toEqual(
      [
        'awsRegion',
        'eventName',
        'eventSource',
        'eventTime',
        'eventVersion',
        'requestParameters',
        'responseElements',
        's3',
        'userIdentity',
      ].sort(),
    );
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: expect.any(String) },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': expect.any(String), 'x-amz-id-2': expect.any(String) },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'Photos',
        bucket: {
          name: 'uploads-bucket',
          ownerIdentity: { principalId: expect.any(String) },
          arn: 'arn:aws:s3:::uploads-bucket',
        },
        object: {
          key: 'photos/my+cat+%281%29.jpg',
          size: 70_000,
          eTag: createHash('md5').update(body).digest('hex'),
          sequencer: expect.stringMatching(/^[0-9A-F]{16,}$/),
        },
      },
    });
    expect(Date.parse(record.eventTime)).toBeGreaterThan(Date.now() - 60_000);
  }, 60_000);

  it('turns a deleted file into ObjectRemoved:Delete for the event that asks for removals', async () => {
    const folder = path.join(t.dirs['triggers-misc'], '.lambench/s3/uploads-bucket');
    fs.rmSync(path.join(folder, 'photos', 'small.jpg'));
    const deadline = Date.now() + 20_000;
    let removed: InvocationSummary[] = [];
    while (Date.now() < deadline && removed.length === 0) {
      const page = await t.client.call('history:list', {
        projectId,
        functionId: 'UploadFunction',
        trigger: 's3',
      });
      removed = [];
      for (const r of page.rows.filter((x) => x.status !== 'running'))
        if ((await event(r)).Records[0].eventName === 'ObjectRemoved:Delete') removed.push(r);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(removed).toHaveLength(1);
    const record = (await event(removed[0])).Records[0];
    expect(record.s3.configurationId).toBe('Removed');
    expect(record.s3.object).toEqual({ key: 'photos/small.jpg', sequencer: expect.any(String) });
  }, 30_000);

  it('does not count a dropped file as a code change', async () => {
    const before = (await t.engine.services.catalog.function(projectId, 'UploadFunction')).codeVersion;
    fs.writeFileSync(path.join(t.dirs['triggers-misc'], '.lambench/s3/uploads-bucket/docs/other.txt'), 'x');
    await new Promise((r) => setTimeout(r, 500));
    expect((await t.engine.services.catalog.function(projectId, 'UploadFunction')).codeVersion).toBe(before);
  });

  it('retries a failing function as S3’s asynchronous invoke does, then records its OnFailure destination', async () => {
    const folder = path.join(t.dirs['triggers-misc'], '.lambench/s3/rejects-bucket');
    fs.writeFileSync(path.join(folder, 'bad.csv'), 'a,b');
    // MaximumRetryAttempts: 1 → two attempts, both in History, of one event with one request id.
    const attempts = await rows({ functionId: 'RejectFunction', trigger: 's3' }, 2);
    expect(attempts.map((r) => [r.status, r.attempt, r.triggerSource]).sort()).toEqual([
      ['error', 1, 'bad.csv'],
      ['error', 2, 'bad.csv'],
    ]);
    expect(new Set(attempts.map((r) => r.asyncEventId)).size).toBe(1);
    const eventId = attempts[0].asyncEventId!;
    let failed = await t.client.call('async:get', { eventId });
    for (const deadline = Date.now() + 10_000; failed.status !== 'failed' && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 50));
      failed = await t.client.call('async:get', { eventId });
    }
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 2,
      condition: 'RetriesExhausted',
      destinationType: 'OnFailure',
      destinationTarget: 'arn:aws:sqs:us-east-1:123456789012:rejects-dlq',
      lastErrorMessage: 'rejected bad.csv',
    });
    const record = JSON.parse(failed.destination!);
    expect(record.requestPayload.Records[0].s3.object.key).toBe('bad.csv');
    expect(record.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 2 });
  }, 60_000);
});

describe('an engine whose triggers were not started (a CLI command’s)', () => {
  it('lists the triggers but fires no schedule and watches no folder', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-cli-triggers-'));
    const fake = new FakeClock(START);
    const engine = await createEngine({ home: path.join(root, 'home'), clock: fake });
    try {
      const client = createDirectClient(engine);
      const dir = path.join(root, 'p');
      fs.cpSync(path.resolve('test/fixtures/projects/triggers-misc'), dir, { recursive: true });
      const id = (await client.call('projects:open', { path: dir })).id;
      const on = await client.call('triggers:setSchedulesEnabled', { projectId: id, enabled: true });
      expect(on.triggers.find((x) => x.eventId === 'EveryMinute')!.state).toBe('on');
      expect(fake.pending).toBe(0);
      fake.advance(10 * 60_000);
      expect((await client.call('history:list', { projectId: id })).rows).toEqual([]);
      expect(fs.existsSync(path.join(dir, '.lambench'))).toBe(false);
    } finally {
      await engine.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('SQS local queue', () => {
  const send = (body: string) =>
    t.client.call('triggers:sendMessage', { projectId, functionId: 'QueueFunction', eventId: 'Jobs', body });
  const settle = () => new Promise((r) => setTimeout(r, 300));

  it('batches by BatchSize and the batching window, and redelivers a partial batch failure', async () => {
    const [jobs] = (await t.client.call('triggers:list', { projectId, functionId: 'QueueFunction' }))
      .triggers;
    expect(jobs).toMatchObject({
      state: 'on',
      trigger: 'sqs',
      triggerSource: 'Queue',
      sqs: {
        queue: 'Queue',
        arn: 'arn:aws:sqs:us-east-1:123456789012:Queue',
        batchSize: 2,
        batchingWindowSeconds: 5,
      },
    });
    // Two messages fill a batch: invoked at once.
    await send('a');
    const failing = await send('fail');
    const [first] = await rows({ functionId: 'QueueFunction', trigger: 'sqs' }, 1);
    expect(first).toMatchObject({ status: 'success', triggerSource: 'Queue' });
    const records = (await event(first)).Records;
    expect(records.map((r: { body: string }) => r.body)).toEqual(['a', 'fail']);
    expect(records[1]).toEqual({
      messageId: failing.messageId,
      receiptHandle: expect.any(String),
      body: 'fail',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update('fail').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:Queue',
      awsRegion: 'us-east-1',
    });
    // One message waits out the batching window.
    await send('c');
    await settle();
    expect(await rows({ functionId: 'QueueFunction', trigger: 'sqs' }, 1)).toHaveLength(1);
    clock.advance(5000);
    const second = await rows({ functionId: 'QueueFunction', trigger: 'sqs' }, 2);
    expect((await event(second[0])).Records.map((r: { body: string }) => r.body)).toEqual(['c']);
    // The failed item is invisible for the visibility timeout (30 s), then comes back, received twice.
    const waiting = (await t.client.call('triggers:list', { projectId, functionId: 'QueueFunction' }))
      .triggers[0];
    expect(waiting.sqs).toMatchObject({ visible: 0, inFlight: 1 });
    clock.advance(30_000);
    clock.advance(5000); // and the batching window again
    const third = await rows({ functionId: 'QueueFunction', trigger: 'sqs' }, 3);
    const again = (await event(third[0])).Records;
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({
      messageId: failing.messageId,
      attributes: { ApproximateReceiveCount: '2' },
    });
    await settle();
    const done = (await t.client.call('triggers:list', { projectId, functionId: 'QueueFunction' }))
      .triggers[0];
    expect(done.sqs).toMatchObject({ visible: 0, inFlight: 0 });
  }, 60_000);

  it('rejects a message over 256 KB and one for an event that is not a queue', async () => {
    await expect(send('x'.repeat(256 * 1024 + 1))).rejects.toThrow(/Invalid input/);
    // Within the characters, over the bytes: 140,000 two-byte characters.
    await expect(send('é'.repeat(140_000))).rejects.toThrow(/SQS takes at most 262,144/);
    await expect(
      t.client.call('triggers:sendMessage', {
        projectId,
        functionId: 'TickFunction',
        eventId: 'Nightly',
        body: 'x',
      }),
    ).rejects.toMatchObject({ name: 'QueueNotLive' });
  });
});
