// `postinstall`: fetches Electron's binary, and never fails the install when it cannot.
// Electron's own install script is denied in package.json's `allowScripts` (npm ≥ 11.16 skips it), so a
// missing network is not an `npm install` error; this runs the very same script, then says in one line
// what happened. Without the binary `npm start` serves the same UI in web mode.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { electronBinary } from './electron-binary.js';

const require = createRequire(import.meta.url);

function download() {
  let script;
  try {
    script = require.resolve('electron/install.js');
  } catch {
    return 'the electron package is not installed';
  }
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  if (run.error) return run.error.message;
  if (run.status === 0) return undefined;
  // @electron/get prints a whole stack; its first line names the cause (e.g. getaddrinfo ENOTFOUND github.com).
  const first = `${run.stderr}`.split('\n').find((line) => line.trim()) ?? `exit code ${run.status}`;
  return first.replace(/^\w*Error: /, '').trim();
}

const had = electronBinary();
const why = had
  ? undefined
  : process.env.ELECTRON_SKIP_BINARY_DOWNLOAD
    ? 'ELECTRON_SKIP_BINARY_DOWNLOAD is set'
    : (download() ?? 'the download left no binary');
if (electronBinary())
  console.log(`Electron binary ${had ? 'present' : 'installed'}: \`npm start\` opens the desktop app`);
else console.log(`Electron binary not available (${why}): \`npm start\` will use web mode`);
