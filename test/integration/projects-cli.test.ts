/**
 * The built CLI (`node bin/lambench.js`, after `npm run build`): init, functions and events generate,
 * each in its own process with its own data home, as a user would run them.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionInfo } from '../../shared/types';
import { LOCAL_IMAGES_JSON } from '../support/images.js';

const repo = resolve(__dirname, '../..');
const fixtures = join(repo, 'test/fixtures/templates');
let root: string;

beforeAll(() => {
  if (!existsSync(join(repo, 'out/main/cli.js')))
    throw new Error('The CLI is not built: run `npm run build` before this test');
  root = mkdtempSync(join(tmpdir(), 'lambench-cli-'));
  chmodSync(root, 0o755);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function lambench(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(repo, 'bin/lambench.js'), ...args], {
    cwd: root,
    env: { ...process.env, LAMBENCH_HOME: join(root, 'home'), LAMBENCH_IMAGES: LOCAL_IMAGES_JSON },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('lambench init', () => {
  it('creates a project from a blueprint and prints the next steps, which work', () => {
    const init = lambench('init', '--blueprint', 'nodejs22-hello', 'my-app');
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toBe(
      [
        `Created project 'my-app' from nodejs22-hello in ${join(root, 'my-app')}`,
        '',
        'Next steps:',
        '  cd my-app',
        '  lambench functions --project .',
        '  lambench invoke HelloWorldFunction --project . --event events/event.json',
        '  lambench serve        # the Lambench UI in your browser',
        '',
        'my-app stays a SAM project: `sam build && sam deploy --guided` deploys it unchanged.',
        '',
      ].join('\n'),
    );
    expect(existsSync(join(root, 'my-app/hello-world/app.mjs'))).toBe(true);

    const invoked = lambench(
      'invoke',
      'HelloWorldFunction',
      '--project',
      join(root, 'my-app'),
      '--event',
      join(root, 'my-app/events/event.json'),
      '--json',
    );
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(JSON.parse(invoked.stdout)).toMatchObject({
      status: 'success',
      response: { statusCode: 200, body: JSON.stringify({ message: 'hello world' }) },
    });

    const again = lambench('init', '--blueprint', 'nodejs22-hello', 'my-app');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `lambench init: ValidationError: ${join(root, 'my-app')} is not empty; choose a new or empty folder\n`,
    );
  });

  it('lists the blueprints for an unknown one or a missing argument (exit 2)', () => {
    for (const args of [['--blueprint', 'cobol-hello', 'x'], ['y']]) {
      const run = lambench('init', ...args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/Usage: lambench init --blueprint <name> <dir>/);
      expect(run.stderr).toMatch(/^ {2}python312-hello {2}Hello World \(Python 3\.12\)$/m);
    }
    expect(lambench('init', '--blueprint', 'cobol-hello', 'x').stderr).toMatch(
      /^lambench init: unknown blueprint 'cobol-hello'\n/,
    );
    expect(existsSync(join(root, 'x'))).toBe(false);
  });
});

describe('lambench functions', () => {
  it('prints a table with unsupported reasons, or the FunctionInfo array with --json', () => {
    const dir = join(fixtures, 'unsupported');
    const table = lambench('functions', '--project', dir);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +RUNTIME +HANDLER +MEMORY +TIMEOUT +NOTES$/);
    expect(lines.find((l) => l.startsWith('JavaFunction '))).toMatch(
      /^JavaFunction +java21 +hello\.App::handleRequest +128 MB +3 s +unsupported: Runtime 'java21' is not supported by Lambench yet$/,
    );

    const json = lambench('functions', '--project', join(fixtures, 'layers-events'), '--json');
    expect(json.code).toBe(0);
    const [worker] = JSON.parse(json.stdout) as FunctionInfo[];
    expect(worker).toMatchObject({
      id: 'WorkerFunction',
      runtime: 'nodejs22.x',
      memorySize: 128,
      architecture: 'arm64',
      reservedConcurrency: 5,
    });
    expect(worker.events?.[0]).toEqual({ id: 'GetItems', type: 'Api', summary: 'GET /items/{id}' });
  });

  it('reports a broken template with its line and column (exit 1)', () => {
    const run = lambench('functions', '--project', join(fixtures, 'broken'));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^lambench functions: TemplateError: Invalid YAML in .*broken\/template\.yaml at line 7, column 6: /,
    );
  });
});

describe('lambench events generate', () => {
  it('prints a sample event as pretty JSON', () => {
    const run = lambench('events', 'generate', 's3-put');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[1]).toBe('  "Records": [');
    expect(JSON.parse(run.stdout)).toMatchObject({
      Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }],
    });
  });

  it('lists the templates with --list, and for an unknown one (exit 2)', () => {
    const list = lambench('events', 'generate', '--list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ {2}apigateway-rest +API Gateway REST API \(proxy, v1\)$/m);
    const unknown = lambench('events', 'generate', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^lambench events: unknown event template 'nope'\. Known templates:\n/);
    expect(unknown.stderr).toContain(list.stdout.trimEnd());
    expect(lambench('events').code).toBe(2);
  });
});
