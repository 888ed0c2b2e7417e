import type { DockerStatus } from '../../shared/types';
import type { EventBus } from './event-bus';

/**
 * Polls the Docker engine and pushes `docker:status` only when something changed, so the UI's banner
 * appears and clears by itself when dockerd stops or starts.
 */
export class DockerMonitor {
  private current: DockerStatus;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<DockerStatus> | undefined;

  constructor(
    private readonly probe: () => Promise<DockerStatus>,
    endpoint: string,
    private readonly events: EventBus,
    private readonly intervalMs = 2000,
  ) {
    this.current = { state: 'checking', endpoint, checkedAt: 0 };
  }

  start(): void {
    const tick = () => {
      void this.check().finally(() => {
        this.timer = setTimeout(tick, this.intervalMs);
        this.timer.unref();
      });
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  get status(): DockerStatus {
    return this.current;
  }

  /** Checks now; concurrent callers share one probe. */
  check(): Promise<DockerStatus> {
    this.inFlight ??= this.probe()
      .then((next) => {
        const changed = (['state', 'version', 'containers', 'error'] as const).some(
          (k) => next[k] !== this.current[k],
        );
        this.current = next;
        if (changed) this.events.emit('docker:status', next);
        return next;
      })
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }
}
