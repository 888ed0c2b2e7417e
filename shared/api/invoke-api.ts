/** The Lambda Invoke API endpoint (for the AWS SDKs and the aws CLI): where it listens, or why it does not. */
import { method, none } from './method';

export interface InvokeApiStatus {
  /** As configured: Settings, or `lambench serve --invoke-port`. */
  enabled: boolean;
  /** False in engines that never serve it (the CLI's). */
  started: boolean;
  /** http://127.0.0.1:PORT while it listens. */
  url?: string;
  port?: number;
  /** Why it is not listening though enabled (the port is taken). */
  error?: string;
  /** The port comes from `lambench serve --invoke-port` or LAMBENCH_INVOKE_PORT, not from Settings. */
  portFromCommandLine: boolean;
  /** Requests must carry the access key id set in Settings. */
  accessKeyRequired: boolean;
}

export const invokeApiMethods = {
  'invokeApi:status': method<InvokeApiStatus>().input(none),
};
