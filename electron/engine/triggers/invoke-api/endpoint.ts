/**
 * The Invoke API's life: started by the desktop app and `lambench serve` (not by the CLI's short-lived
 * engines), restarted when its settings change, and its state (URL, or why it is off) for the UI.
 */
import type { Settings } from '../../../../shared/api/settings';
import type { InvokeApiStatus } from '../../../../shared/api/invoke-api';
import { startInvokeApi, type InvokeApiServer } from './server';

export interface InvokeApiConfig {
  enabled: boolean;
  port: number;
  accessKeyId: string;
}

export const configFromSettings = (s: Settings): InvokeApiConfig => ({
  enabled: s.invokeApiEnabled,
  port: s.invokeApiPort,
  accessKeyId: s.invokeApiAccessKeyId,
});

type Ctx = Parameters<typeof startInvokeApi>[0];

export class InvokeApiEndpoint {
  private server: InvokeApiServer | undefined;
  private config: InvokeApiConfig | undefined;
  private error: string | undefined;
  /** Set when started from Settings: a saved change restarts it. A fixed port (--invoke-port) stays. */
  private overrides: Partial<InvokeApiConfig> | undefined;
  private changing: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: Ctx) {}

  /** Starts from the saved settings, with `overrides` (serve's --invoke-port) winning over them. */
  start(settings: Settings, overrides: Partial<InvokeApiConfig> = {}): Promise<InvokeApiStatus> {
    this.overrides = overrides;
    return this.apply({ ...configFromSettings(settings), ...overrides });
  }

  /** After a settings change: restarts if anything it uses changed. No-op until started. */
  async applySettings(settings: Settings): Promise<void> {
    if (!this.overrides) return;
    await this.apply({ ...configFromSettings(settings), ...this.overrides });
  }

  status(): InvokeApiStatus {
    return {
      enabled: this.config?.enabled ?? false,
      started: this.overrides !== undefined,
      portFromCommandLine: this.overrides?.port !== undefined,
      ...(this.server ? { url: this.server.url, port: this.server.port } : {}),
      ...(this.error ? { error: this.error } : {}),
      accessKeyRequired: Boolean(this.config?.accessKeyId),
    };
  }

  async close(): Promise<void> {
    this.overrides = undefined;
    await this.changing;
    await this.server?.close();
    this.server = undefined;
  }

  private apply(next: InvokeApiConfig): Promise<InvokeApiStatus> {
    this.changing = this.changing.then(async () => {
      const same =
        this.config &&
        this.config.enabled === next.enabled &&
        this.config.port === next.port &&
        this.config.accessKeyId === next.accessKeyId &&
        (this.server || this.error || !next.enabled);
      if (same) return;
      this.config = next;
      this.error = undefined;
      await this.server?.close();
      this.server = undefined;
      if (!next.enabled) return;
      try {
        this.server = await startInvokeApi(this.ctx, {
          port: next.port,
          accessKeyId: next.accessKeyId || undefined,
        });
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        this.error =
          e.code === 'EADDRINUSE'
            ? `Port ${next.port} is in use, so the Invoke API is off: choose another port in Settings (or lambench serve --invoke-port N)`
            : `The Invoke API could not start on 127.0.0.1:${next.port}: ${e.message}`;
      }
    });
    return this.changing.then(() => this.status());
  }
}
