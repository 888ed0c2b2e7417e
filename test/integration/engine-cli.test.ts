/**
 * `lambench invoke` as a user runs it: the BUILT CLI (`npm run build` first) in its own process, with its
 * own engine, against the blueprints and a failing fixture function.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCli } from '../support/cli';
import { ensureLocalImages } from '../support/images.js';

let root: string;

beforeAll(async () => {
  requireBuiltCli();
  await ensureLocalImages();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-cli-'));
  fs.chmodSync(root, 0o755);
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const lambench = (...args: string[]) => runCli(path.join(root, 'home'), ...args);

/** A copy of a project folder, as a user would have it. */
function project(from: string, name: string): string {
  const dir = path.join(root, name);
  fs.cpSync(path.resolve(from), dir, { recursive: true });
  return dir;
}

const KEYS = [
  'requestId',
  'executedVersion',
  'status',
  'response',
  'error',
  'durationMs',
  'billedDurationMs',
  'initDurationMs',
  'memorySizeMb',
  'maxMemoryUsedMb',
  'coldStart',
  'logs',
];

describe('lambench invoke --json', () => {
  it.each([
    ['nodejs22-hello', { statusCode: 200, body: '{"message":"hello world"}' }],
    ['python312-hello', { statusCode: 200, body: '{"message": "hello world"}' }],
    ['provided-bash', { statusCode: 200, body: '{"message": "hello world"}' }],
  ])('invokes the %s blueprint and prints the result as JSON', async (blueprint, response) => {
    const dir = project(`resources/blueprints/${blueprint}`, blueprint);
    const run = await lambench('invoke', 'HelloWorldFunction', '--project', dir, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(KEYS);
    expect(result).toMatchObject({
      status: 'success',
      response,
      error: null,
      memorySizeMb: 128,
      coldStart: true,
    });
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.billedDurationMs).toBe(Math.ceil(result.durationMs as number));
    expect(result.initDurationMs).toBeGreaterThan(0);
    expect(result.maxMemoryUsedMb).toBeGreaterThan(0);
    expect(result.logs).toMatch(/^REPORT RequestId: .*Init Duration: \d+\.\d\d ms$/m);
  });

  it('exits non-zero for a failing function, with the error in the JSON', async () => {
    const dir = project('test/fixtures/functions/node', 'failing');
    const event = path.join(root, 'event.json');
    fs.writeFileSync(event, '{"why":"test"}');
    const run = await lambench('invoke', 'Throws', '--project', dir, '--event', event, '--json');
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(KEYS);
    expect(result).toMatchObject({
      status: 'error',
      response: { errorType: 'Error', errorMessage: 'boom' },
      error: { type: 'Error', message: 'boom' },
      coldStart: true,
    });
  });

  it('names a function that does not exist', async () => {
    const dir = project('resources/blueprints/nodejs22-hello', 'missing-fn');
    const run = await lambench('invoke', 'NoSuchFunction', '--project', dir, '--json');
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("No function 'NoSuchFunction'");
  });
});

describe('lambench invoke Fn:qualifier', () => {
  it('invokes the alias AutoPublishAlias made, then a version by number, and refuses an unknown one', async () => {
    const dir = project('resources/blueprints/nodejs22-hello', 'auto-alias');
    const template = path.join(dir, 'template.yaml');
    fs.writeFileSync(
      template,
      fs
        .readFileSync(template, 'utf8')
        .replace('Runtime: nodejs22.x', 'Runtime: nodejs22.x\n      AutoPublishAlias: live'),
    );
    const viaAlias = await lambench('invoke', 'HelloWorldFunction:live', '--project', dir, '--json');
    expect(viaAlias.stderr).toBe('');
    expect(JSON.parse(viaAlias.stdout)).toMatchObject({ status: 'success', executedVersion: '1' });
    expect(JSON.parse(viaAlias.stdout).logs).toMatch(/^START RequestId: \S+ Version: 1$/m);

    const byNumber = await lambench('invoke', 'HelloWorldFunction:1', '--project', dir, '--json');
    expect(JSON.parse(byNumber.stdout)).toMatchObject({ status: 'success', executedVersion: '1' });

    const unknown = await lambench('invoke', 'HelloWorldFunction:2', '--project', dir, '--json');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain(
      'Function not found: arn:aws:lambda:us-east-1:123456789012:function:HelloWorldFunction:2',
    );
  });
});
