/** What EventBridge sends a scheduled function, or the event's own Input. */
import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID } from '../http/proxy-event';

export const REGION = 'us-east-1';

/** `rule/<name>` for a Schedule (an EventBridge rule), `schedule/default/<name>` for a ScheduleV2. */
export function scheduleArn(type: 'Schedule' | 'ScheduleV2', name: string): string {
  return type === 'Schedule'
    ? `arn:aws:events:${REGION}:${ACCOUNT_ID}:rule/${name}`
    : `arn:aws:scheduler:${REGION}:${ACCOUNT_ID}:schedule/default/${name}`;
}

export function scheduledEvent(arn: string, at: number, input?: string): string {
  if (input !== undefined) return input;
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: arn.includes(':scheduler:') ? 'aws.scheduler' : 'aws.events',
    account: ACCOUNT_ID,
    // EventBridge's time has whole seconds: 2015-10-08T16:53:06Z.
    time: new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: REGION,
    resources: [arn],
    detail: {},
  });
}
