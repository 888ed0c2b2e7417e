/** The BUILT `lambench` CLI as a user runs it: its own process, its own engine, the local runtime images. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LOCAL_IMAGES_JSON } from './images.js';

const CLI = path.resolve('bin/lambench.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Stops a test at once, saying what to do, when there is no build to run. */
export function requireBuiltCli(): void {
  if (!fs.existsSync(path.resolve('out/main/cli.js')))
    throw new Error('The CLI is not built: run `npm run build` before this test.');
}

/** Runs `lambench ...args` with its data home at `home`; resolves with its exit code and output, never rejects. */
export function runCli(home: string, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, LAMBENCH_HOME: home, LAMBENCH_IMAGES: LOCAL_IMAGES_JSON } },
      (error, stdout, stderr) => resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
    );
  });
}
