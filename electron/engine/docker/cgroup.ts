/**
 * A container's peak memory, read from its cgroup: the real "Max Memory Used" that SAM CLI and
 * LocalStack don't report (aws-sam-cli #2464, #2828).
 */
import fs from 'node:fs';
import type Docker from 'dockerode';

const ROOT = '/sys/fs/cgroup';

/** Host files that may hold the peak, for the cgroupfs and systemd drivers on cgroup v1 and v2. */
export function peakCandidates(id: string, root = ROOT): string[] {
  return [
    `${root}/memory/docker/${id}/memory.max_usage_in_bytes`,
    `${root}/memory/system.slice/docker-${id}.scope/memory.max_usage_in_bytes`,
    `${root}/system.slice/docker-${id}.scope/memory.peak`,
    `${root}/docker/${id}/memory.peak`,
  ];
}

/** cgroup v2 before Linux 5.19 has no memory.peak; memory.current is sampled instead. */
export function currentCandidates(id: string, root = ROOT): string[] {
  return [`${root}/system.slice/docker-${id}.scope/memory.current`, `${root}/docker/${id}/memory.current`];
}

function readBytes(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

export const toMb = (bytes: number): number => Math.ceil(bytes / (1024 * 1024));

/**
 * One cgroup file kept open: every invocation reads the peak, and one pread costs a fraction of
 * open + read + close. Reads return null once the cgroup is gone.
 */
class OpenFile {
  private readonly buf = Buffer.alloc(32);
  private constructor(private fd: number | undefined) {}

  static open(file: string): OpenFile | null {
    try {
      const f = new OpenFile(fs.openSync(file, 'r'));
      if (f.read() !== null) return f;
      f.close();
    } catch {
      // not this driver's layout
    }
    return null;
  }

  read(): number | null {
    if (this.fd === undefined) return null;
    try {
      const n = Number(
        this.buf.toString('latin1', 0, fs.readSync(this.fd, this.buf, 0, this.buf.length, 0)).trim(),
      );
      return Number.isFinite(n) ? n : null;
    } catch {
      return null;
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Peak read from inside the container, for engines whose cgroup files we cannot see. */
async function execPeak(container: Docker.Container): Promise<number | null> {
  const script =
    'cat /sys/fs/cgroup/memory.peak 2>/dev/null || cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes';
  try {
    const exec = await container.exec({ Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    // The exec stream is multiplexed: 8-byte frame headers precede each payload.
    const raw = Buffer.concat(chunks);
    let text = '';
    for (let i = 0; i + 8 <= raw.length;) {
      const size = raw.readUInt32BE(i + 4);
      if (raw[i] === 1) text += raw.subarray(i + 8, i + 8 + size).toString();
      i += 8 + size;
    }
    const n = Number(text.trim());
    return text.trim() && Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/**
 * How often the peak is read while the container runs, so a container that dies (and takes its cgroup
 * with it) still has a recent figure.
 */
const PEAK_SAMPLE_MS = 100;

/** Tracks one container's peak memory; keeps the last value once the cgroup is gone. */
export class MemoryPeak {
  private file: OpenFile | null | undefined;
  private sampled = 0;
  private timer?: NodeJS.Timeout;
  private last = 0;

  constructor(
    private readonly id: string,
    private readonly container: Docker.Container,
    private readonly local: boolean,
    private readonly root = ROOT,
  ) {}

  /** Starts sampling at once when only memory.current exists, so early peaks aren't missed. */
  start(): void {
    if (!this.local) return;
    for (const candidate of peakCandidates(this.id, this.root))
      if ((this.file = OpenFile.open(candidate))) break;
    const file = this.file;
    if (file) {
      this.timer = setInterval(() => {
        const n = file.read();
        if (n === null) this.stop();
        else this.last = Math.max(this.last, toMb(n));
      }, PEAK_SAMPLE_MS);
      this.timer.unref();
      return;
    }
    const current = currentCandidates(this.id, this.root).find((f) => readBytes(f) !== null);
    if (!current) return;
    this.timer = setInterval(() => {
      const n = readBytes(current);
      if (n === null) this.stop();
      else this.sampled = Math.max(this.sampled, n);
    }, 20);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.file?.close();
  }

  async readMb(): Promise<number> {
    let bytes: number | null = null;
    if (this.file) bytes = this.file.read();
    else if (this.timer || this.sampled) bytes = this.sampled;
    else bytes = await execPeak(this.container);
    if (bytes !== null) this.last = Math.max(this.last, toMb(bytes));
    return this.last;
  }
}
