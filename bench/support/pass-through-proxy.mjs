/**
 * The floor for any server between a client and a function: an HTTP server on 127.0.0.1 that does nothing but
 * forward each request to `target` over one keep-alive socket and send the answer back. Lambench's endpoints
 * add the same two hops (client to engine, engine to container), so their ratio to this is what they cost
 * beyond the hops. Runs on its own thread (as the engine has its own loop), and posts its port.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ target: string }} */
const { target } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const server = http.createServer((req, res) => {
  const body = [];
  req.on('data', (c) => body.push(c));
  req.on('end', () => {
    const up = http.request(target, { method: req.method, agent }, (answer) => {
      const chunks = [];
      answer.on('data', (c) => chunks.push(c));
      answer.on('end', () => {
        res.writeHead(answer.statusCode ?? 502, {
          'Content-Type': answer.headers['content-type'] ?? 'text/plain',
        });
        res.end(Buffer.concat(chunks));
      });
    });
    up.on('error', () => res.writeHead(502).end());
    up.end(Buffer.concat(body));
  });
});
server.listen(0, '127.0.0.1', () => parentPort?.postMessage(server.address().port));
parentPort?.on('message', () => {
  agent.destroy();
  server.closeAllConnections();
  server.close(() => parentPort?.close());
});
