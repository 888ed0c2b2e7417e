import type { TriggerInfo, TriggerState } from '../../../../shared/api/triggers';
import type { TagTone } from '../Tag.svelte';

/** The service name the Lambda console gives each event source. */
export function serviceName(type: string): string {
  return (
    {
      Api: 'API Gateway (REST API)',
      HttpApi: 'API Gateway (HTTP API)',
      Schedule: 'EventBridge rule (schedule)',
      ScheduleV2: 'EventBridge Scheduler',
      S3: 'S3 (file drop)',
      SQS: 'SQS (local queue)',
      SNS: 'SNS',
    }[type] ?? type
  );
}

export const stateLabel: Record<TriggerState, { label: string; tone: TagTone }> = {
  on: { label: 'Enabled', tone: 'ok' },
  off: { label: 'Off', tone: 'neutral' },
  disabled: { label: 'Disabled', tone: 'warn' },
  error: { label: 'Error', tone: 'bad' },
  unsupported: { label: 'Not supported', tone: 'neutral' },
};

/** The History filter for the invocations one trigger caused (S3 keys vary, so the bucket's are by function). */
export function historyFilterFor(t: TriggerInfo): { trigger: string; triggerSource?: string } | undefined {
  if (!t.trigger) return undefined;
  return t.trigger === 's3' ? { trigger: 's3' } : { trigger: t.trigger, triggerSource: t.triggerSource };
}
