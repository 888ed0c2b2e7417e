/**
 * The Runtime API takes requests as the official runtime interface clients send them (aws-lambda-cpp
 * over libcurl, in aws-lambda-ric and awslambdaric): one keep-alive connection for every call, a
 * User-Agent, `Expect: 100-continue` and chunked bodies on results.
 */
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { startRuntimeApi, type RuntimeApi } from '../../electron/engine/runtime/runtime-api';

let api: RuntimeApi | undefined;
let socket: net.Socket | undefined;
afterEach(async () => {
  socket?.destroy();
  await api?.close();
});

/** A raw connection that collects what the server writes, and waits for a pattern in it. */
function connect(address: string) {
  const [host, port] = address.split(':');
  const s = net.connect(Number(port), host);
  socket = s;
  let received = '';
  s.on('data', (d) => (received += d.toString()));
  return {
    write: (text: string) => s.write(text),
    async until(pattern: RegExp): Promise<string> {
      for (let i = 0; i < 200; i++) {
        const m = pattern.exec(received);
        if (m) {
          received = received.slice(m.index + m[0].length);
          return m[0];
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`no ${pattern} in ${JSON.stringify(received)}`);
    },
  };
}

const HEADERS = 'Host: 127.0.0.1\r\nUser-Agent: AWS_Lambda_Cpp/0.2.8\r\nAccept: */*\r\n';

it('serves next, a chunked 100-continue response and next again on one keep-alive connection', async () => {
  api = await startRuntimeApi({ host: '127.0.0.1' });
  const c = connect(api.address);
  const outcome = api.invoke({
    requestId: 'req-1',
    payload: '{"n":1}',
    deadlineMs: Date.now() + 3000,
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
  });
  c.write(`GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n${HEADERS}\r\n`);
  const event = await c.until(/HTTP\/1\.1 200 OK[\s\S]*?\r\n\r\n\{"n":1\}/);
  expect(event).toMatch(/Lambda-Runtime-Aws-Request-Id: req-1/i);
  expect(event).toMatch(/Lambda-Runtime-Deadline-Ms: \d+/i);
  expect(event).not.toMatch(/Connection: close/i);

  c.write(
    `POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\n${HEADERS}` +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n',
  );
  await c.until(/HTTP\/1\.1 100 Continue\r\n\r\n/);
  c.write('6\r\n{"ok":\r\n5\r\ntrue}\r\n0\r\n\r\n');
  await c.until(/HTTP\/1\.1 202 Accepted[\s\S]*?\{"status":"OK"\}/);
  expect(await outcome).toMatchObject({ ok: true, body: '{"ok":true}' });

  // The same connection polls again, as the clients do.
  c.write(`GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n${HEADERS}\r\n`);
  const second = api.invoke({
    requestId: 'req-2',
    payload: '{"n":2}',
    deadlineMs: Date.now() + 3000,
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
  });
  await c.until(/Lambda-Runtime-Aws-Request-Id: req-2[\s\S]*?\r\n\r\n\{"n":2\}/i);
  c.write(
    `POST /2018-06-01/runtime/invocation/req-2/error HTTP/1.1\r\n${HEADERS}` +
      'Content-Type: application/json\r\nLambda-Runtime-Function-Error-Type: Runtime.Unknown\r\n' +
      'Content-Length: 44\r\n\r\n{"errorType":"Error","errorMessage":"boom!"}',
  );
  await c.until(/HTTP\/1\.1 202 Accepted/);
  expect(await second).toMatchObject({ ok: false, errorType: 'Error', errorMessage: 'boom!' });
});
