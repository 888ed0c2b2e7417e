/** AWS schedule expressions through the croner adapter, against fire times worked out from the calendar. */
import { describe, expect, it } from 'vitest';
import { nextRuns, parseSchedule } from '../../electron/engine/triggers/schedule/aws-schedule';
import { Scheduler } from '../../electron/engine/triggers/schedule/scheduler';
import { FakeClock } from '../support/fake-clock';

// A Wednesday afternoon.
const FROM = Date.parse('2026-12-02T14:45:00Z');
const iso = (ts: number[]) => ts.map((t) => new Date(t).toISOString().replace(':00.000Z', 'Z'));
const next5 = (expression: string) => iso(nextRuns(parseSchedule(expression, FROM), FROM, 5));

describe('cron(...) in AWS syntax', () => {
  it.each([
    [
      'cron(0 10 * * ? *)',
      [
        '2026-12-03T10:00Z',
        '2026-12-04T10:00Z',
        '2026-12-05T10:00Z',
        '2026-12-06T10:00Z',
        '2026-12-07T10:00Z',
      ],
    ],
    // Today's 12:15 has passed; weekends are skipped.
    [
      'cron(15 12 ? * MON-FRI *)',
      [
        '2026-12-03T12:15Z',
        '2026-12-04T12:15Z',
        '2026-12-07T12:15Z',
        '2026-12-08T12:15Z',
        '2026-12-09T12:15Z',
      ],
    ],
    // 1 is Sunday in AWS's day-of-week numbering (1-7 = SUN-SAT).
    [
      'cron(0 12 ? * 1 *)',
      [
        '2026-12-06T12:00Z',
        '2026-12-13T12:00Z',
        '2026-12-20T12:00Z',
        '2026-12-27T12:00Z',
        '2027-01-03T12:00Z',
      ],
    ],
    [
      'cron(0/20 * ? * SUN *)',
      [
        '2026-12-06T00:00Z',
        '2026-12-06T00:20Z',
        '2026-12-06T00:40Z',
        '2026-12-06T01:00Z',
        '2026-12-06T01:20Z',
      ],
    ],
    // L: the last day of the month.
    [
      'cron(0 18 L * ? *)',
      [
        '2026-12-31T18:00Z',
        '2027-01-31T18:00Z',
        '2027-02-28T18:00Z',
        '2027-03-31T18:00Z',
        '2027-04-30T18:00Z',
      ],
    ],
    // W: the weekday nearest the 6th (Sun 6 Dec → Mon 7; Sat 6 Feb → Fri 5).
    [
      'cron(0 9 6W * ? *)',
      [
        '2026-12-07T09:00Z',
        '2027-01-06T09:00Z',
        '2027-02-05T09:00Z',
        '2027-03-05T09:00Z',
        '2027-04-06T09:00Z',
      ],
    ],
    // #: the first Monday (2) of each month.
    [
      'cron(0 8 ? * 2#1 *)',
      [
        '2026-12-07T08:00Z',
        '2027-01-04T08:00Z',
        '2027-02-01T08:00Z',
        '2027-03-01T08:00Z',
        '2027-04-05T08:00Z',
      ],
    ],
    // 6L: the last Friday.
    [
      'cron(30 23 ? * 6L *)',
      [
        '2026-12-25T23:30Z',
        '2027-01-29T23:30Z',
        '2027-02-26T23:30Z',
        '2027-03-26T23:30Z',
        '2027-04-30T23:30Z',
      ],
    ],
    // The year field: Saturdays (7) of January 2027 only.
    [
      'cron(0 12 ? JAN 7 2027)',
      [
        '2027-01-02T12:00Z',
        '2027-01-09T12:00Z',
        '2027-01-16T12:00Z',
        '2027-01-23T12:00Z',
        '2027-01-30T12:00Z',
      ],
    ],
    // Leap days in the years listed, then nothing more.
    ['cron(0 0 29 2 ? 2028,2032)', ['2028-02-29T00:00Z', '2032-02-29T00:00Z']],
  ])('%s', (expression, expected) => {
    expect(next5(expression)).toEqual(expected);
  });

  it.each([
    ['cron(0 10 * * * *)', /one of day-of-month and day-of-week must be '\?'/],
    ['cron(0 10 ? * ? *)', /one of day-of-month and day-of-week must be '\?'/],
    ['cron(0 10 * * ?)', /has 5 fields; AWS cron takes six/],
    ['cron(0 25 * * ? *)', /cron\(0 25 \* \* \? \*\)/],
    ['rate(1 minutes)', /singular unit/],
    ['rate(5 minute)', /plural unit \(rate\(5 minutes\)\)/],
    ['rate(0 minutes)', /positive/],
    ['rate(5 weeks)', /rate\(value unit\)/],
    ['every day', /neither rate\(\.\.\.\) nor cron\(\.\.\.\)/],
  ])('rejects %s with a reason', (expression, reason) => {
    expect(() => parseSchedule(expression, FROM)).toThrow(reason);
  });
});

describe('rate(...)', () => {
  it('fires a period after it is switched on, then every period', () => {
    expect(next5('rate(1 minute)')).toEqual([
      '2026-12-02T14:46Z',
      '2026-12-02T14:47Z',
      '2026-12-02T14:48Z',
      '2026-12-02T14:49Z',
      '2026-12-02T14:50Z',
    ]);
    expect(next5('rate(2 hours)').slice(0, 2)).toEqual(['2026-12-02T16:45Z', '2026-12-02T18:45Z']);
    expect(next5('rate(1 day)')[0]).toBe('2026-12-03T14:45Z');
  });
});

describe('Scheduler', () => {
  it('fires on the clock and does not replay fires missed while asleep', () => {
    const clock = new FakeClock(FROM);
    const scheduler = new Scheduler(clock);
    const fired: number[] = [];
    scheduler.arm('k', parseSchedule('rate(1 minute)', FROM), (at) => fired.push(at));
    clock.advance(59_999);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(iso(fired)).toEqual(['2026-12-02T14:46Z']);
    clock.advance(60_000);
    expect(fired).toHaveLength(2);
    expect(scheduler.nextAt('k')).toBe(FROM + 180_000);
    scheduler.disarm('k');
    clock.advance(600_000);
    expect(fired).toHaveLength(2);
    expect(clock.pending).toBe(0);
  });

  it('goes on from now after the machine slept through fires', () => {
    let now = FROM;
    const timers: (() => void)[] = [];
    const clock = { now: () => now, setTimeout: (fn: () => void) => timers.push(fn), clearTimeout: () => {} };
    const fired: number[] = [];
    new Scheduler(clock).arm('k', parseSchedule('rate(1 minute)', FROM), (at) => fired.push(at));
    // Asleep for ten minutes: the one timer wakes late, fires once, and the next fire is the coming minute.
    now = FROM + 10 * 60_000 + 5000;
    timers.shift()!();
    expect(fired).toHaveLength(1);
    expect(timers).toHaveLength(1);
    now = FROM + 11 * 60_000;
    timers.shift()!();
    expect(iso(fired)).toEqual(['2026-12-02T14:46Z', '2026-12-02T14:56Z']);
  });
});
