/**
 * A queue the way SQS keeps one for a Lambda event source mapping: a message received by a batch stays
 * invisible for the visibility timeout and comes back (its receive count up by one) unless the batch
 * deletes it; nothing is lost while Lambench runs (messages live in memory).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock';

export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** When it may be received again; 0 while waiting for its first receive. */
  visibleAt: number;
}

/** SQS's default visibility timeout. */
export const VISIBILITY_TIMEOUT_MS = 30_000;
/** SQS's limit for a message body. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export class LocalQueue {
  private messages: QueueMessage[] = [];

  constructor(
    readonly name: string,
    readonly arn: string,
    private readonly clock: Clock,
    readonly visibilityTimeoutMs = VISIBILITY_TIMEOUT_MS,
  ) {}

  send(body: string): QueueMessage {
    const message: QueueMessage = {
      messageId: randomUUID(),
      receiptHandle: '',
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      sentAt: Date.now(),
      receiveCount: 0,
      visibleAt: 0,
    };
    this.messages.push(message);
    return message;
  }

  /** Up to `max` visible messages, now invisible for the visibility timeout. */
  receive(max: number): QueueMessage[] {
    const now = this.clock.now();
    const batch = this.messages.filter((m) => m.visibleAt <= now).slice(0, max);
    for (const m of batch) {
      m.receiveCount++;
      m.firstReceivedAt ??= Date.now();
      m.visibleAt = now + this.visibilityTimeoutMs;
      m.receiptHandle = randomBytes(48).toString('base64');
    }
    return batch.map((m) => ({ ...m }));
  }

  delete(messageIds: Iterable<string>): void {
    const gone = new Set(messageIds);
    this.messages = this.messages.filter((m) => !gone.has(m.messageId));
  }

  get visible(): number {
    const now = this.clock.now();
    return this.messages.filter((m) => m.visibleAt <= now).length;
  }

  get inFlight(): number {
    return this.messages.length - this.visible;
  }

  /** When the next invisible message comes back, if any is invisible. */
  nextVisibleAt(): number | undefined {
    const now = this.clock.now();
    const later = this.messages.filter((m) => m.visibleAt > now).map((m) => m.visibleAt);
    return later.length ? Math.min(...later) : undefined;
  }
}
