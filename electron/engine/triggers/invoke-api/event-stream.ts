/**
 * AWS event stream framing (application/vnd.amazon.eventstream), as InvokeWithResponseStream answers:
 * each message is a prelude (total and headers length, CRC32), string headers, the payload and a CRC32 of it all.
 */
import { crc32 } from 'node:zlib';

const STRING = 7;

export function eventMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const encoded = Object.entries(headers).map(([key, value]) => {
    const name = Buffer.from(key);
    const text = Buffer.from(value);
    const header = Buffer.alloc(1 + name.length + 1 + 2 + text.length);
    header.writeUInt8(name.length, 0);
    name.copy(header, 1);
    header.writeUInt8(STRING, 1 + name.length);
    header.writeUInt16BE(text.length, 2 + name.length);
    text.copy(header, 4 + name.length);
    return header;
  });
  const headerBytes = Buffer.concat(encoded);
  const total = 12 + headerBytes.length + payload.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headerBytes.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headerBytes.copy(message, 12);
  payload.copy(message, 12 + headerBytes.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

export const payloadChunk = (chunk: Buffer): Buffer =>
  eventMessage(
    { ':event-type': 'PayloadChunk', ':message-type': 'event', ':content-type': 'application/octet-stream' },
    chunk,
  );

/** The last message: ErrorCode/ErrorDetails when the function failed, LogResult for LogType Tail. */
export const invokeComplete = (doc: {
  ErrorCode?: string;
  ErrorDetails?: string;
  LogResult?: string;
}): Buffer =>
  eventMessage(
    { ':event-type': 'InvokeComplete', ':message-type': 'event', ':content-type': 'application/json' },
    Buffer.from(JSON.stringify(doc)),
  );
