// `npm run dist` runs this first: packaging needs Electron's binary, and without it (its download failed at
// `npm install`) one line says so, instead of an error from deep inside electron-builder.
import { electronBinary } from './electron-binary.js';

if (!electronBinary()) {
  console.error(
    'npm run dist: cannot package without Electron’s binary, which `npm install` could not download; with a network, run `node scripts/install-electron.js`, then `npm run dist` again.',
  );
  process.exit(1);
}
