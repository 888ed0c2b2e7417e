/** The SQS event Lambda's event source mapping sends: one record per message of the batch. */
import { REGION } from '../schedule/scheduled-event';
import type { QueueMessage } from './local-queue';

/** The sender id SQS shows for an IAM user; any caller here is the same local one. */
const SENDER_ID = 'AIDAIENQZJOLO23YVJ4VO';

export function sqsEvent(arn: string, batch: QueueMessage[]): string {
  return JSON.stringify({
    Records: batch.map((m) => ({
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: SENDER_ID,
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
      },
      messageAttributes: {},
      md5OfBody: m.md5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
      awsRegion: REGION,
    })),
  });
}

/**
 * The messages of a batch that succeeded: all of them after a success, none after a failure; with
 * ReportBatchItemFailures, all but the ones the response lists (an unreadable response fails the batch).
 */
export function succeeded(
  batch: QueueMessage[],
  ok: boolean,
  response: string | undefined,
  reportBatchItemFailures: boolean,
): string[] {
  if (!ok) return [];
  const ids = batch.map((m) => m.messageId);
  if (!reportBatchItemFailures) return ids;
  let parsed: unknown;
  try {
    parsed = JSON.parse(response ?? 'null');
  } catch {
    return [];
  }
  const failures = (parsed as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  if (failures === undefined || failures === null) return ids;
  if (!Array.isArray(failures)) return [];
  const failed = new Set<string>();
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    // An empty or unknown identifier makes Lambda treat the whole batch as failed.
    if (typeof id !== 'string' || !ids.includes(id)) return [];
    failed.add(id);
  }
  return ids.filter((id) => !failed.has(id));
}
