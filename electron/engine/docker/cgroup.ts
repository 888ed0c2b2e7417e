/**
 * A container's peak memory, read from its cgroup: the real "Max Memory Used" that SAM CLI and
 * LocalStack don't report (aws-sam-cli #2464, #2828). The cgroup charges a page of the runtime's files only
 * to the first container that read it, so a later container of the same image would report a few MB; the
 * peak resident size of its processes (VmHWM, shared pages included) is taken too, as Lambda's figure
 * counts the runtime whatever else ran before it.
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

/** The summed peak resident size of the processes in a cgroup (its `cgroup.procs`), or 0. */
export function processesPeakBytes(procsFile: string, proc = '/proc'): number {
  let total = 0;
  for (const pid of readText(procsFile).split('\n')) {
    const kb = pid && /^VmHWM:\s+(\d+) kB/m.exec(readText(`${proc}/${pid}/status`))?.[1];
    if (kb) total += Number(kb) * 1024;
  }
  return total;
}

/** The file's text, or '' once it is gone (the cgroup removed, the process ended since the listing). */
function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

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
/** VmHWM is a high-water mark, so reading it now and then loses nothing while the process lives. */
const RESIDENT_SAMPLE_MS = 1000;

/** Tracks one container's peak memory; keeps the last value once the cgroup is gone. */
export class MemoryPeak {
  private file: OpenFile | null | undefined;
  private sampled = 0;
  private timer?: NodeJS.Timeout;
  private last = 0;
  /** The processes' summed VmHWM; `procs` is the cgroup's process list, once found. */
  private resident = 0;
  private residentSampled = false;
  private procs?: string;

  constructor(
    private readonly id: string,
    private readonly container: Docker.Container,
    private readonly local: boolean,
    /** Lambda never reports more than the memory size; shared pages could add up to more. */
    private readonly limitMb: number,
    private readonly root = ROOT,
  ) {}

  /** Starts sampling at once when only memory.current exists, so early peaks aren't missed. */
  start(): void {
    if (!this.local) return;
    const chosen = peakCandidates(this.id, this.root).find((f) => (this.file = OpenFile.open(f)));
    const current = chosen
      ? undefined
      : currentCandidates(this.id, this.root).find((f) => readBytes(f) !== null);
    const cgroupFile = chosen ?? current;
    if (!cgroupFile) return;
    this.procs = cgroupFile.replace(/[^/]+$/, 'cgroup.procs');
    const everyMs = current ? 20 : PEAK_SAMPLE_MS;
    let ticks = 0;
    this.timer = setInterval(() => {
      const n = this.file ? this.file.read() : readBytes(current!);
      if (n === null) return this.stop();
      if (this.file) this.last = Math.max(this.last, toMb(n));
      else this.sampled = Math.max(this.sampled, n);
      if (++ticks % (RESIDENT_SAMPLE_MS / everyMs) === 0) this.sampleResident();
    }, everyMs);
    this.timer.unref();
  }

  private sampleResident(): void {
    this.residentSampled = true;
    if (this.procs) this.resident = Math.max(this.resident, processesPeakBytes(this.procs));
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
    // Before the first sample (an invoke within a second of the start), read it now: the cold path only.
    if (!this.residentSampled && this.timer) this.sampleResident();
    return Math.min(Math.max(this.last, toMb(this.resident)), this.limitMb);
  }
}
