import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The data home holds every file Lambench writes: LAMBENCH_HOME, else the folder Electron chose
 * (userData), else the OS convention (XDG on Linux).
 */
export function resolveHome(appDataDir?: string): string {
  const home =
    process.env.LAMBENCH_HOME ||
    appDataDir ||
    (process.platform === 'darwin'
      ? join(homedir(), 'Library', 'Application Support', 'Lambench')
      : process.platform === 'win32'
        ? join(process.env.APPDATA || join(homedir(), 'AppData', 'Roaming'), 'Lambench')
        : join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'lambench'));
  mkdirSync(home, { recursive: true });
  return home;
}
