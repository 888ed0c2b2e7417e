import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Served {
  url: string;
  origin: string;
  token: string;
  home: string;
  process: ChildProcess;
  output: () => string;
  /** The Lambda Invoke API's URL, as `lambench serve` printed it. */
  invokeUrl: () => string | undefined;
  stop(): Promise<void>;
}

/** Starts the real `lambench serve` from the build, with its own data home, and waits for its URL. */
export async function startServe(env: Record<string, string> = {}): Promise<Served> {
  const home = env.LAMBENCH_HOME ?? mkdtempSync(join(tmpdir(), 'lambench-e2e-'));
  // A free port for the template's HTTP API: tests never take a fixed one.
  const child = spawn(process.execPath, ['bin/lambench.js', 'serve', '--http-port', '0'], {
    // The locally built images stand in for the official ones, which no registry here can serve.
    // The Invoke API on a free port: 3001 may be taken by another run.
    env: {
      ...process.env,
      LAMBENCH_HOME: home,
      LAMBENCH_IMAGES: 'test/support/local-images.json',
      LAMBENCH_INVOKE_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token')!,
    home,
    process: child,
    output: () => output,
    invokeUrl: () => /Lambda Invoke API on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1],
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
