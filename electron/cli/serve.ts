import { join } from 'node:path';
import { createEngine } from '../engine/engine';
import { resolveHome } from '../engine/home';
import { startWebServer } from '../server/web-server';
import type { Command } from './run';

export const serve: Command = {
  summary: 'Serve the Lambench UI and API on 127.0.0.1 (web mode)',
  usage: 'lambench serve [--port N] [--http-port N] [--open]',
  options: { port: { type: 'string' }, 'http-port': { type: 'string' } },
  async run({ values }) {
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError('--port must be 0–65535');
    const httpPort = values['http-port'] === undefined ? undefined : Number(values['http-port']);
    if (httpPort !== undefined && (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535))
      throw new RangeError('--http-port must be 0–65535');
    const engine = await createEngine({ home: resolveHome() });
    const server = await startWebServer(engine, { port, rendererDir: rendererDir() });
    console.log(`Lambench is serving on ${server.url}`);
    // The template's events go live: routes on the saved port (Settings) unless --http-port says otherwise.
    await engine.services.triggers.start();
    const http = await engine.services.triggers.startHttp(
      httpPort ?? engine.services.settings.get().httpApiPort,
    );
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
