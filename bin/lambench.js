#!/usr/bin/env node
// The CLI is built with the app (npm install runs the build), so this only finds and runs it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error(
    'lambench: the build is missing (out/main/cli.js). Run `npm run build` in the Lambench folder.',
  );
  process.exit(1);
}
await import(cli);
