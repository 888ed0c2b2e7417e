import { runCli } from './run';

process.exitCode = await runCli(process.argv.slice(2));
// Everything is closed by now; a handle some library keeps open must not keep the command hanging.
setTimeout(() => process.exit(), 1000).unref();
