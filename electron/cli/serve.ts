import { join } from 'node:path';
import { createEngine } from '../engine/engine';
import { resolveHome } from '../engine/home';
import { startWebServer } from '../server/web-server';
import type { Command } from './run';

export const serve: Command = {
  summary: 'Serve the Lambench UI and API on 127.0.0.1 (web mode)',
  usage: 'lambench serve [--port N] [--invoke-port N] [--http-port N]',
  options: { port: { type: 'string' }, 'invoke-port': { type: 'string' }, 'http-port': { type: 'string' } },
  async run({ values }) {
    const port = portFlag(values.port, '--port') ?? 0;
    // --invoke-port, else LAMBENCH_INVOKE_PORT, else Settings (3001 by default, like sam local start-lambda).
    const invokePort =
      portFlag(values['invoke-port'], '--invoke-port') ??
      portFlag(process.env.LAMBENCH_INVOKE_PORT, 'LAMBENCH_INVOKE_PORT');
    const httpPort = portFlag(values['http-port'], '--http-port');
    const engine = await createEngine({ home: resolveHome() });
    const server = await startWebServer(engine, { port, rendererDir: rendererDir() });
    const invokeApi = await engine.services.invokeApi.start(
      engine.services.settings.get(),
      invokePort === undefined ? {} : { port: invokePort, enabled: true },
    );
    // The template's events go live: routes on the saved port (Settings) unless --http-port says otherwise.
    await engine.services.triggers.start();
    const http = await engine.services.triggers.startHttp(
      httpPort ?? engine.services.settings.get().httpApiPort,
    );
    console.log(`Lambench is serving on ${server.url}`);
    if (invokeApi.url)
      console.log(
        `Lambda Invoke API on ${invokeApi.url} (aws lambda invoke --endpoint-url ${invokeApi.url} …)`,
      );
    else console.log(`Lambda Invoke API: ${invokeApi.error ?? 'off (Settings)'}`);
    console.log(
      http.url ? `HTTP API (the template's routes) on ${http.url}` : `HTTP API not started: ${http.error}`,
    );
    console.log('Open that URL in a browser. Press Ctrl+C to stop.');
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await engine.close();
    return 0;
  },
};

/** The built renderer sits beside the built CLI (out/main/cli.js → out/renderer). */
function rendererDir(): string {
  return process.env.LAMBENCH_RENDERER_DIR ?? join(import.meta.dirname, '../renderer');
}

/** A port from a flag or the environment; 0 picks a free one. */
function portFlag(raw: unknown, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`${name} must be 0–65535`);
  return port;
}
