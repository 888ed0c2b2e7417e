// Electron's binary, when its download has been installed: `npm start`, the postinstall and `npm run dist`
// all ask this one question.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The binary's path, or undefined when the package or its download is missing. */
export function electronBinary() {
  try {
    const path = require('electron'); // the path of the binary, or a throw when it was never downloaded
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}
