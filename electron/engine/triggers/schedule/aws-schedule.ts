/**
 * EventBridge schedule expressions: `rate(5 minutes)` and `cron(min hour day-of-month month day-of-week
 * year)` with AWS's rules (one of the two day fields is `?`; 1-7 = SUN-SAT; L, W, #). croner understands
 * Quartz syntax: this adapter adds the seconds field croner's seven-part mode expects, switches it to
 * Quartz weekday numbers, and checks what AWS would reject so the user sees why.
 */
import { Cron } from 'croner';

export interface Schedule {
  expression: string;
  /** The first fire time strictly after `after` (epoch ms), or undefined if there is none. */
  next(after: number): number | undefined;
}

export class ScheduleExpressionError extends Error {
  override name = 'ScheduleExpressionError';
}

const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * `anchor` is when the schedule was switched on: a rate schedule fires one period later and every
 * period after that, as EventBridge does from a rule's creation.
 */
export function parseSchedule(expression: string, anchor: number, timezone = 'UTC'): Schedule {
  const text = expression.trim();
  const rate = /^rate\((.*)\)$/i.exec(text);
  if (rate) return rateSchedule(text, rate[1], anchor);
  const cron = /^cron\((.*)\)$/i.exec(text);
  if (cron) return cronSchedule(text, cron[1], timezone);
  const at = /^at\((.*)\)$/i.exec(text);
  if (at) {
    // ScheduleV2's one-time schedule: yyyy-mm-ddThh:mm:ss in the schedule's time zone (UTC here).
    const when = Date.parse(`${at[1]}Z`);
    if (!Number.isFinite(when)) throw new ScheduleExpressionError(`'${text}' is not at(yyyy-mm-ddThh:mm:ss)`);
    return { expression: text, next: (after) => (when > after ? when : undefined) };
  }
  throw new ScheduleExpressionError(`'${text}' is neither rate(...) nor cron(...)`);
}

function rateSchedule(text: string, inner: string, anchor: number): Schedule {
  const m = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(inner);
  if (!m) throw new ScheduleExpressionError(`'${text}': use rate(value unit), e.g. rate(5 minutes)`);
  const value = Number(m[1]);
  const unit = m[2];
  if (value < 1) throw new ScheduleExpressionError(`'${text}': the value must be a positive number`);
  // EventBridge insists: 1 takes the singular unit, anything else the plural.
  if ((value === 1) !== !unit.endsWith('s'))
    throw new ScheduleExpressionError(
      `'${text}': use ${value === 1 ? 'a singular unit for 1 (rate(1 minute))' : `a plural unit (rate(${value} ${unit.replace(/s?$/, 's')}))`}`,
    );
  const period = value * UNITS[unit.replace(/s$/, '')];
  return {
    expression: text,
    next: (after) => anchor + (Math.floor(Math.max(0, after - anchor) / period) + 1) * period,
  };
}

function cronSchedule(text: string, inner: string, timezone: string): Schedule {
  const fields = inner.trim().split(/\s+/);
  if (fields.length !== 6)
    throw new ScheduleExpressionError(
      `'${text}' has ${fields.length} fields; AWS cron takes six: minutes hours day-of-month month day-of-week year`,
    );
  const [, , dom, , dow] = fields;
  if ((dom === '?') === (dow === '?'))
    throw new ScheduleExpressionError(
      `'${text}': one of day-of-month and day-of-week must be '?' (and only one), as AWS requires`,
    );
  let cron: Cron;
  try {
    cron = new Cron(`0 ${fields.map(quartzSteps).join(' ')}`, {
      mode: '7-part',
      alternativeWeekdays: true,
      timezone,
    });
  } catch (error) {
    throw new ScheduleExpressionError(`'${text}': ${(error as Error).message}`);
  }
  return {
    expression: text,
    next: (after) => cron.nextRun(new Date(after))?.getTime(),
  };
}

/** The largest value of each AWS cron field, minutes to year (AWS takes years up to 2199). */
const FIELD_MAX = [59, 23, 31, 12, 7, 2199];

/** Quartz's `start/step` (AWS's `0/15`) is croner's `start-max/step`. */
function quartzSteps(field: string, index: number): string {
  return field
    .split(',')
    .map((part) => part.replace(/^(\d+)\/(\d+)$/, (_, start, step) => `${start}-${FIELD_MAX[index]}/${step}`))
    .join(',');
}

/** The next `n` fire times after `after`. */
export function nextRuns(schedule: Schedule, after: number, n: number): number[] {
  const out: number[] = [];
  for (let t = schedule.next(after); t !== undefined && out.length < n; t = schedule.next(t)) out.push(t);
  return out;
}
