/**
 * The floor for any engine that invokes through the Lambda Runtime API: Lambench's own runtime client in a
 * container (same image, CPU share, user and Unix socket as an engine's environment), served by the least
 * Runtime API there can be. A raw socket server answers `GET /next` with the event and `POST /response` with
 * 202, and does nothing else: no pool, no records, no logs, no events. An invoke through the engine costs two
 * HTTP exchanges where a bare call into a container costs one; this prices them, so the engine's ratio to it
 * is what the engine itself adds.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROCESS_OWNER } from '../../electron/engine/docker/docker-executor';

const run = promisify(execFile);
const PREFIX = '/2018-06-01/runtime/invocation/';
const IN_CONTAINER = '/run/lambench/runtime-api.sock';

export interface RuntimeApiFloor {
  /** One no-op invoke: the event handed to the waiting poll, and its answer read. */
  invoke(): Promise<void>;
  stop(): Promise<void>;
}

/** One connection's requests, parsed only as far as the Runtime API needs: request line and Content-Length. */
function serve(
  socket: net.Socket,
  onRequest: (line: string, body: Buffer, reply: (text: string) => void) => void,
) {
  socket.setNoDelay?.(true);
  let buf: Buffer = Buffer.alloc(0);
  const reply = (text: string) => socket.write(text);
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      const body = buf.subarray(end + 4, end + 4 + length);
      buf = buf.subarray(end + 4 + length);
      onRequest(head.slice(0, head.indexOf('\r\n')), body, reply);
    }
  });
  socket.on('error', () => socket.destroy());
}

export async function runtimeApiFloor(opts: {
  image: string;
  memoryMb: number;
  codeDir: string;
  runtimesDir: string;
}): Promise<RuntimeApiFloor> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-floor-'));
  fs.chmodSync(dir, 0o755);
  const socketPath = path.join(dir, 'runtime-api.sock');
  // The runtime polls again as it answers, so its next poll may come before or after the next invoke.
  let poll: ((text: string) => void) | undefined;
  let queued: string | undefined;
  let answered: (() => void) | undefined;
  let ready!: () => void;
  const firstPoll = new Promise<void>((r) => (ready = r));
  let seq = 0;
  const server = net.createServer((socket) =>
    serve(socket, (line, _body, reply) => {
      if (line.startsWith('GET ') && line.includes(`${PREFIX}next`)) {
        if (queued === undefined) poll = reply;
        else reply(queued);
        queued = undefined;
        ready();
      } else if (line.startsWith('POST ')) {
        reply(
          'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"status":"OK"}',
        );
        const done = answered;
        answered = undefined;
        done?.();
      } else {
        reply('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      }
    }),
  );
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  fs.chmodSync(socketPath, 0o666);
  const { stdout } = await run('docker', [
    ...['run', '-d', '--rm', '--label', 'lambench=1', '--label', `lambench.owner=${PROCESS_OWNER}`],
    ...['--memory', `${opts.memoryMb}m`, '--cpu-period', '20000', '--cpu-quota', '20000', '-u', '993:990'],
    ...['-v', `${opts.runtimesDir}:/var/runtime:ro`, '-v', `${opts.codeDir}:/var/task:ro`],
    ...['-v', `${socketPath}:${IN_CONTAINER}`, '-e', `LAMBENCH_RUNTIME_API_SOCKET=${IN_CONTAINER}`],
    ...[
      '-e',
      'AWS_LAMBDA_RUNTIME_API=127.0.0.1:9',
      '-e',
      '_HANDLER=app.handler',
      '-e',
      'LAMBDA_TASK_ROOT=/var/task',
    ],
    ...[opts.image, 'node', '/var/runtime/node/bootstrap.mjs'],
  ]);
  const id = stdout.trim();
  await firstPoll;
  const deadline = String(Date.now() + 3_600_000);
  return {
    invoke() {
      return new Promise<void>((resolve) => {
        answered = resolve;
        const event =
          'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n' +
          `Lambda-Runtime-Aws-Request-Id: floor-${++seq}\r\nLambda-Runtime-Deadline-Ms: ${deadline}\r\n` +
          'Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:Noop\r\n\r\n{}';
        const send = poll;
        poll = undefined;
        if (send) send(event);
        else queued = event;
      });
    },
    async stop() {
      await run('docker', ['rm', '-f', id]);
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
