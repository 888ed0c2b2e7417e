/** Per-invocation log lines, capped so a log flood costs bounded memory and leaves a marker where it was cut. */
export const LOG_CAP_BYTES = 10 * 1024 * 1024;

export class LogCollector {
  private readonly lines: string[] = [];
  private bytes = 0;
  private dropped = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly cap = LOG_CAP_BYTES,
  ) {}

  get truncated(): boolean {
    return this.dropped > 0;
  }

  push(line: string): void {
    if (this.dropped > 0 && !isFrameLine(line)) {
      this.dropped++;
      return;
    }
    const size = line.length + 1;
    if (this.bytes + size > this.cap && !isFrameLine(line)) {
      this.dropped = 1;
      this.emit(
        `[lambench] log capped at ${(this.cap / 1024 / 1024).toFixed(0)} MB: later lines were dropped`,
      );
      return;
    }
    this.emit(line);
  }

  text(): string {
    const tail = this.dropped > 1 ? `\n[lambench] ${this.dropped} lines dropped after the cap` : '';
    return this.lines.join('\n') + tail;
  }

  private emit(line: string): void {
    this.bytes += line.length + 1;
    this.lines.push(line);
    this.onLine(line);
  }
}

/** START/END/REPORT always make it in, even after the cap, so every record keeps its figures. */
function isFrameLine(line: string): boolean {
  return /^(START|END|REPORT) RequestId: /.test(line) || / Task timed out after /.test(line);
}
