/**
 * Per-invocation log lines, capped so a log flood costs bounded memory and leaves a marker where it was cut.
 * Lines reach listeners in batches: one event per line made a flood cost a WebSocket frame, a JSON parse and a
 * UI update each.
 */
export const LOG_CAP_BYTES = 10 * 1024 * 1024;
/** A batch goes out early at this size, so a flood within one event-loop turn still streams in pieces. */
export const LOG_BATCH_LINES = 1000;
export const LOG_BATCH_BYTES = 256 * 1024;

export class LogCollector {
  private readonly lines: string[] = [];
  private bytes = 0;
  private dropped = 0;
  private ended = false;
  private pending: string[] = [];
  private pendingBytes = 0;
  private scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly onLines: (lines: string[]) => void,
    private readonly cap = LOG_CAP_BYTES,
  ) {}

  get truncated(): boolean {
    return this.dropped > 0;
  }

  /** Lines kept and sent to listeners so far (the cap's marker included). */
  get lineCount(): number {
    return this.lines.length;
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

  /** Sends the lines not yet sent, now; the full text is only asked for once they must all be out. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.onLines(batch);
  }

  /**
   * Ends the log: the count of dropped lines goes out as its last line (live, as in History), then every line
   * is flushed, as the caller emits `invocation:finished` next and no line may arrive after it.
   */
  text(): string {
    if (this.dropped > 1 && !this.ended) this.emit(`[lambench] ${this.dropped} lines dropped after the cap`);
    this.ended = true;
    this.flush();
    return this.lines.join('\n');
  }

  private emit(line: string): void {
    const size = line.length + 1;
    this.bytes += size;
    this.lines.push(line);
    this.pending.push(line);
    this.pendingBytes += size;
    if (this.pending.length >= LOG_BATCH_LINES || this.pendingBytes >= LOG_BATCH_BYTES) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
  }
}

/** START/END/REPORT always make it in, even after the cap, so every record keeps its figures. */
function isFrameLine(line: string): boolean {
  return /^(START|END|REPORT) RequestId: /.test(line) || / Task timed out after /.test(line);
}
