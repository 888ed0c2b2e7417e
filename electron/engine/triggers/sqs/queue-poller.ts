/**
 * One SQS event source mapping: takes batches of up to BatchSize messages (waiting up to the batching window
 * for a full one), invokes the function, deletes what succeeded, and polls again when a message the
 * function failed comes back after its visibility timeout. One batch at a time, in order.
 */
import type { InvocationResult } from '../../../../shared/types';
import type { Clock } from '../clock';
import type { LocalQueue } from './local-queue';
import { sqsEvent, succeeded } from './sqs-event';

export interface ConsumerConfig {
  batchSize: number;
  windowMs: number;
  reportBatchItemFailures: boolean;
}

export class QueuePoller {
  private busy = false;
  private stopped = false;
  private windowTimer?: unknown;
  private redeliveryTimer?: unknown;

  constructor(
    readonly queue: LocalQueue,
    readonly config: ConsumerConfig,
    private readonly clock: Clock,
    private readonly invoke: (payload: string) => Promise<InvocationResult>,
  ) {}

  /** Messages arrived (or came back): poll now if a batch is full or there is no window, else when it ends. */
  notify(): void {
    if (this.busy || this.stopped || this.queue.visible === 0) return;
    if (this.config.windowMs === 0 || this.queue.visible >= this.config.batchSize) {
      setImmediate(() => void this.poll());
    } else {
      this.windowTimer ??= this.clock.setTimeout(() => void this.poll(), this.config.windowMs);
    }
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.windowTimer);
    this.clock.clearTimeout(this.redeliveryTimer);
  }

  private async poll(): Promise<void> {
    this.clock.clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
    if (this.busy || this.stopped) return;
    const batch = this.queue.receive(this.config.batchSize);
    if (batch.length === 0) return this.armRedelivery();
    this.busy = true;
    try {
      const result = await this.invoke(sqsEvent(this.queue.arn, batch));
      this.queue.delete(
        succeeded(batch, result.status === 'success', result.response, this.config.reportBatchItemFailures),
      );
    } catch (error) {
      // The invoke could not start (the function cannot run): the batch comes back after its timeout.
      console.error(`lambench: queue ${this.queue.name}: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
    this.notify();
    this.armRedelivery();
  }

  private armRedelivery(): void {
    const at = this.queue.nextVisibleAt();
    this.clock.clearTimeout(this.redeliveryTimer);
    this.redeliveryTimer = undefined;
    if (at === undefined || this.stopped) return;
    this.redeliveryTimer = this.clock.setTimeout(() => this.notify(), Math.max(0, at - this.clock.now()));
  }
}
