/**
 * Splits a byte stream into lines as they arrive, so logs reach the UI live. Each line comes with the
 * bytes it took in the stream (its \r\n included), which is what runtimes count when they say how much
 * they wrote.
 */
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** A line longer than this is passed on in pieces rather than buffered without bound. */
const MAX_LINE = 256 * 1024;

export class LineSplitter extends Writable {
  private decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly onLine: (line: string, bytes: number) => void) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.feed(this.decoder.write(chunk));
    done();
  }

  private feed(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, Buffer.byteLength(line) + 1);
    }
    while (this.partial.length > MAX_LINE) {
      const piece = this.partial.slice(0, MAX_LINE);
      this.onLine(piece, Buffer.byteLength(piece));
      this.partial = this.partial.slice(MAX_LINE);
    }
  }

  /** Emits a last unterminated line, once the source has ended. */
  flush(): void {
    this.feed(this.decoder.end());
    if (this.partial) this.onLine(this.partial, Buffer.byteLength(this.partial));
    this.partial = '';
  }
}
