/** S3's event notification record (eventVersion 2.1), as a function subscribed to a bucket receives it. */
import { randomBytes } from 'node:crypto';
import { ACCOUNT_ID } from '../http/proxy-event';
import { REGION } from '../schedule/scheduled-event';

export type S3EventName = 'ObjectCreated:Put' | 'ObjectRemoved:Delete';

export interface S3Change {
  bucket: string;
  key: string;
  eventName: S3EventName;
  size?: number;
  eTag?: string;
  /** The event's logical id: S3 sends the notification configuration's id. */
  configurationId: string;
  time: number;
}

/**
 * Keys as S3 writes them into notifications: form-encoded, so a space is `+` and `(` is `%28`, with
 * the slashes of the "folders" left as they are.
 */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((part) =>
      encodeURIComponent(part)
        .replace(/[!'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    )
    .join('/');
}

let lastSequencer = 0n;
/** S3's sequencer: hex that grows with every event on a key, so consumers can order them. */
function sequencer(time: number): string {
  let next = BigInt(time) * 1_000_000n;
  if (next <= lastSequencer) next = lastSequencer + 1n;
  lastSequencer = next;
  return next.toString(16).toUpperCase().padStart(18, '0');
}

const PRINCIPAL = { principalId: `AWS:${ACCOUNT_ID}` };

export function s3Event(change: S3Change): string {
  const object: Record<string, unknown> = { key: encodeKey(change.key) };
  if (change.eventName === 'ObjectCreated:Put') {
    object.size = change.size ?? 0;
    object.eTag = change.eTag ?? '';
  }
  object.sequencer = sequencer(change.time);
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: REGION,
        eventTime: new Date(change.time).toISOString(),
        eventName: change.eventName,
        userIdentity: PRINCIPAL,
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: {
          'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
          'x-amz-id-2': randomBytes(48).toString('base64'),
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: change.configurationId,
          bucket: { name: change.bucket, ownerIdentity: PRINCIPAL, arn: `arn:aws:s3:::${change.bucket}` },
          object,
        },
      },
    ],
  });
}

/** Does a template's `Events` entry (s3:ObjectCreated:*, s3:ObjectRemoved:Delete…) cover this event? */
export function eventMatches(patterns: string[], eventName: S3EventName): boolean {
  return patterns.some((p) => {
    const name = p.replace(/^s3:/, '');
    return name.endsWith(':*') ? eventName.startsWith(name.slice(0, -1)) : name === eventName;
  });
}

export function keyMatches(filter: { prefix?: string; suffix?: string } | undefined, key: string): boolean {
  if (!filter) return true;
  return (!filter.prefix || key.startsWith(filter.prefix)) && (!filter.suffix || key.endsWith(filter.suffix));
}
