#!/usr/bin/env -S node --max-semi-space-size=2
// A young generation of 2 MB instead of V8's 16: an idle `lambench serve` with 20 projects keeps ~15 MB less
// resident (issue 16's footprint goal, bench/suites/footprint.ts); the engine allocates little per invoke.
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
