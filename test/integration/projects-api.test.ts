/**
 * The projects and test-events API through the engine and the direct transport (the same dispatch,
 * validation and error shape as IPC and WebSocket). No function runs here, so no container starts.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine, type Engine } from '../../electron/engine/engine';
import type { WorkbenchClient } from '../../shared/rpc/client';
import type { Events } from '../../shared/contract';

const fixtures = resolve(__dirname, '../fixtures/templates');
let root: string;
let engine: Engine;
let client: WorkbenchClient;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lambench-projects-api-'));
  engine = await createEngine({ home: join(root, 'home'), executor: 'process' });
  client = createDirectClient(engine);
});
afterAll(async () => {
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

/** A fresh copy of a fixture project, so tests may change or delete it. */
function copy(fixture: string, as = fixture): string {
  const dir = join(root, `${as}-${Math.random().toString(36).slice(2, 8)}`);
  cpSync(join(fixtures, fixture), dir, { recursive: true });
  return dir;
}

/** The error a call fails with, as the client rebuilt it from the wire. */
async function failure(
  call: Promise<unknown>,
): Promise<{ name: string; message: string; details?: unknown }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the call should have failed').toBeInstanceOf(Error);
  return error as { name: string; message: string; details?: unknown };
}

/** Resolves with the next `project:changed` for `projectId` that matches `reason`. */
function nextChange(projectId: number, reason: Events['project:changed']['reason']): Promise<void> {
  return new Promise((done) => {
    const off = client.on('project:changed', (e) => {
      if (e.projectId === projectId && e.reason === reason) {
        off();
        done();
      }
    });
  });
}

/** Resolves once the project's watcher reports changes: template.yaml is touched until one arrives. */
async function watching(projectId: number, dir: string): Promise<void> {
  await client.call('projects:functions', { projectId });
  const seen = nextChange(projectId, 'template');
  const file = join(dir, 'template.yaml');
  const touch = setInterval(() => writeFileSync(file, readFileSync(file)), 300);
  await seen.finally(() => clearInterval(touch));
}

async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  everyMs = 50,
): Promise<T> {
  for (const end = Date.now() + 5000; Date.now() < end;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('project list', () => {
  it('renames, lists by most recent, and removes a project without touching its folder', async () => {
    const a = await client.call('projects:open', { path: copy('hello-world', 'a') });
    const b = await client.call('projects:open', { path: copy('hello-world', 'b') });
    let list = await client.call('projects:list');
    expect(list.map((p) => p.id).slice(0, 2)).toEqual([b.id, a.id]);

    const renamed = await client.call('projects:rename', { projectId: a.id, name: '  My API  ' });
    expect(renamed).toMatchObject({ id: a.id, name: 'My API', path: a.path, missing: false });
    // Opening again makes it the most recent and keeps the name the user gave it.
    await client.call('projects:open', { path: a.path });
    list = await client.call('projects:list');
    expect(list[0]).toMatchObject({ id: a.id, name: 'My API' });

    const removed = await client.call('projects:remove', { projectId: b.id });
    expect(removed.id).toBe(b.id);
    expect((await client.call('projects:list')).some((p) => p.id === b.id)).toBe(false);
    expect(readFileSync(join(b.path, 'template.yaml'), 'utf8')).toContain('HelloWorldFunction');
    expect(await failure(client.call('projects:functions', { projectId: b.id }))).toMatchObject({
      name: 'ProjectNotFound',
      message: `No project with id ${b.id}`,
    });
    expect(await failure(client.call('projects:rename', { projectId: a.id, name: ' ' }))).toMatchObject({
      name: 'ValidationError',
    });
  });

  it('lists a vanished folder as missing and refuses calls on it with ProjectMissing', async () => {
    const dir = copy('hello-world', 'vanishing');
    const project = await client.call('projects:open', { path: dir });
    expect(await client.call('projects:functions', { projectId: project.id })).toHaveLength(1);
    await watching(project.id, dir);
    const gone = nextChange(project.id, 'missing');
    rmSync(dir, { recursive: true, force: true });
    await gone;

    const listed = (await client.call('projects:list')).find((p) => p.id === project.id);
    expect(listed).toMatchObject({ path: dir, missing: true });
    const expected = {
      name: 'ProjectMissing',
      message: `The folder of project '${project.name}' is gone: ${dir}`,
      details: { projectId: project.id, path: dir },
    };
    const functionId = 'HelloWorldFunction';
    expect(await failure(client.call('projects:functions', { projectId: project.id }))).toMatchObject(
      expected,
    );
    expect(
      await failure(client.call('functions:invoke', { projectId: project.id, functionId, payload: '{}' })),
    ).toMatchObject(expected);
    expect(await failure(client.call('events:list', { projectId: project.id, functionId }))).toMatchObject(
      expected,
    );
    expect(
      await failure(
        client.call('functions:updateConfig', { projectId: project.id, functionId, patch: { timeout: 5 } }),
      ),
    ).toMatchObject(expected);

    // The folder comes back: the project works again, and it can still be removed either way.
    cpSync(join(fixtures, 'hello-world'), dir, { recursive: true });
    expect(await client.call('projects:functions', { projectId: project.id })).toHaveLength(1);
    rmSync(dir, { recursive: true, force: true });
    expect((await client.call('projects:remove', { projectId: project.id })).missing).toBe(true);
  });
});

describe('projects:functions', () => {
  it('returns triggers, unresolved values and local layers', async () => {
    const dir = copy('layers-events');
    const project = await client.call('projects:open', { path: dir });
    const [worker] = await client.call('projects:functions', { projectId: project.id });
    expect(worker.layers).toEqual([join(dir, 'layers/shared'), join(dir, 'layers/common')]);
    expect(worker.unresolved).toEqual([
      'Layers: arn:aws:lambda:us-east-1:123456789012:layer:published:3 (published layers are not downloaded)',
    ]);
    expect(worker.events).toEqual([
      { id: 'GetItems', type: 'Api', summary: 'GET /items/{id}' },
      { id: 'HttpRoute', type: 'HttpApi', summary: 'POST /v2/items' },
      { id: 'CatchAll', type: 'HttpApi', summary: '$default' },
      { id: 'Nightly', type: 'Schedule', summary: 'cron(0 3 * * ? *)' },
      { id: 'Uploads', type: 'S3', summary: 's3:ObjectCreated:* on my-uploads' },
      { id: 'Jobs', type: 'SQS', summary: expect.stringMatching(/JobsQueue.* \(batch 5\)$/) },
      { id: 'Topic', type: 'SNS', summary: 'SNS' },
    ]);
  });

  it('carries file, line and column of a broken template through the transport', async () => {
    const broken = copy('broken');
    const file = join(broken, 'template.yaml');
    const opened = await failure(client.call('projects:open', { path: broken }));
    expect(opened).toMatchObject({
      name: 'TemplateError',
      message: expect.stringMatching(/^Invalid YAML in .*template\.yaml at line 7, column 6: /),
      details: { file, line: 7, col: 6 },
    });

    // A template that breaks after the project was opened: reported on the next read, then fixed.
    const dir = copy('hello-world', 'breaks-later');
    const project = await client.call('projects:open', { path: dir });
    await watching(project.id, dir);
    const changed = nextChange(project.id, 'template');
    writeFileSync(join(dir, 'template.yaml'), 'Resources:\n  Fn: [unclosed\n');
    await changed;
    expect(await failure(client.call('projects:functions', { projectId: project.id }))).toMatchObject({
      name: 'TemplateError',
      details: { file: join(dir, 'template.yaml'), line: 3, col: 1 },
    });
  });

  it('sees the last of two quick template writes, which the file watcher alone would drop', async () => {
    const dir = copy('hello-world', 'quick-writes');
    const file = join(dir, 'template.yaml');
    const project = await client.call('projects:open', { path: dir });
    await watching(project.id, dir);
    const original = readFileSync(file, 'utf8');
    const withTimeout = (s: number) => original.replace('Timeout: 3', `Timeout: ${s}`);
    const timeout = async () =>
      (await client.call('projects:functions', { projectId: project.id }))[0].timeout;
    writeFileSync(file, withTimeout(5));
    // Read the first write as soon as the watcher has seen it, then write again within its 50 ms window.
    await until(async () => ((await timeout()) === 5 ? true : undefined), 'the first write', 1);
    // That read may have started before the watcher's event; this one is cached after it.
    await new Promise((r) => setTimeout(r, 15));
    expect(await timeout()).toBe(5);
    const settled = nextChange(project.id, 'template');
    writeFileSync(file, withTimeout(7));
    await settled;
    expect(await timeout()).toBe(7);
  });

  it('refuses a template without functions, and lists functions it cannot run with the reason', async () => {
    expect(await failure(client.call('projects:open', { path: copy('no-functions') }))).toMatchObject({
      name: 'TemplateError',
      message: 'template.yaml defines no functions (AWS::Serverless::Function or AWS::Lambda::Function)',
    });

    const dir = copy('unsupported');
    const project = await client.call('projects:open', { path: dir });
    const fns = await client.call('projects:functions', { projectId: project.id });
    const reason = (id: string) => fns.find((f) => f.id === id)?.unsupported;
    expect(reason('JavaFunction')).toBe("Runtime 'java21' is not supported by Lambench yet");
    expect(reason('MissingCodeFunction')).toBe(`CodeUri 'src/' does not exist (${join(dir, 'src')})`);
    expect(reason('MissingHandlerFunction')).toBe(
      `Handler file 'app.js' (or .mjs, .cjs) not found in ${join(dir, 'empty-src')}`,
    );
    const refused = await failure(
      client.call('functions:invoke', { projectId: project.id, functionId: 'JavaFunction', payload: '{}' }),
    );
    expect(refused).toMatchObject({
      name: 'FunctionNotRunnable',
      message: "Runtime 'java21' is not supported by Lambench yet",
    });
  });
});

describe('functions:updateConfig', () => {
  it('writes template.yaml, keeps comments, and the next read sees the change', async () => {
    const dir = copy('hello-world', 'config');
    const project = await client.call('projects:open', { path: dir });
    const before = await client.call('projects:functions', { projectId: project.id });
    expect(before[0]).toMatchObject({ memorySize: 128, timeout: 3 });

    const updated = await client.call('functions:updateConfig', {
      projectId: project.id,
      functionId: 'HelloWorldFunction',
      patch: { memorySize: 512, timeout: 10, environment: { TABLE: 'items' }, reservedConcurrency: 2 },
    });
    expect(updated).toMatchObject({
      id: 'HelloWorldFunction',
      projectId: project.id,
      memorySize: 512,
      timeout: 10,
      environment: { TABLE: 'items' },
      reservedConcurrency: 2,
    });
    // Read right away, before the watcher could have noticed: the cache was dropped by the write.
    const after = await client.call('projects:functions', { projectId: project.id });
    expect(after[0]).toMatchObject({ memorySize: 512, timeout: 10, reservedConcurrency: 2 });
    const { fn } = await engine.services.catalog.function(project.id, 'HelloWorldFunction');
    expect(fn.memorySize).toBe(512);
    const text = readFileSync(join(dir, 'template.yaml'), 'utf8');
    expect(text).toContain('# More info about Function Resource');
    expect(text).toMatch(/MemorySize: 512/);

    const lifted = await client.call('functions:updateConfig', {
      projectId: project.id,
      functionId: 'HelloWorldFunction',
      patch: { reservedConcurrency: null },
    });
    expect(lifted.reservedConcurrency).toBeUndefined();
  });

  it('refuses bad values with a ValidationError that says why, and writes nothing', async () => {
    const dir = copy('hello-world', 'config-bad');
    const original = readFileSync(join(dir, 'template.yaml'), 'utf8');
    const project = await client.call('projects:open', { path: dir });
    const update = (patch: object) =>
      failure(
        client.call('functions:updateConfig', {
          projectId: project.id,
          functionId: 'HelloWorldFunction',
          patch: patch as never,
        }),
      );
    expect(await update({ memorySize: 64 })).toMatchObject({
      name: 'ValidationError',
      message: 'Memory must be a whole number from 128 to 10240 MB (got 64)',
    });
    expect(await update({ timeout: 901 })).toMatchObject({
      name: 'ValidationError',
      message: 'Timeout must be a whole number from 1 to 900 seconds (got 901)',
    });
    expect(await update({ environment: { AWS_REGION: 'eu-west-1' } })).toMatchObject({
      name: 'ValidationError',
      message: "Environment variable 'AWS_REGION' is reserved by Lambda",
    });
    expect(await update({ architecture: 'mips' })).toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('patch.architecture'),
    });
    expect(
      await failure(
        client.call('functions:updateConfig', {
          projectId: project.id,
          functionId: 'Nope',
          patch: { timeout: 5 },
        }),
      ),
    ).toMatchObject({ name: 'FunctionNotFound', details: { available: ['HelloWorldFunction'] } });
    expect(readFileSync(join(dir, 'template.yaml'), 'utf8')).toBe(original);
  });
});

describe('test events', () => {
  let projectId: number;
  let dir: string;
  const functionId = 'HelloWorldFunction';

  beforeAll(async () => {
    dir = copy('hello-world', 'events');
    projectId = (await client.call('projects:open', { path: dir })).id;
  });

  it('lists saved events first, then the project events/*.json files', async () => {
    await client.call('events:save', { projectId, functionId, name: 'b-order', body: '{"id": 2}' });
    await client.call('events:save', { projectId, functionId, name: 'A-order', body: '{"id": 1}' });
    mkdirSync(join(dir, 'events'), { recursive: true });
    writeFileSync(join(dir, 'events', 'sqs.json'), '{"Records": []}');
    writeFileSync(join(dir, 'events', 'notes.txt'), 'not an event');

    const list = await client.call('events:list', { projectId, functionId });
    expect(list.map((e) => [e.source, e.name])).toEqual([
      ['saved', 'A-order'],
      ['saved', 'b-order'],
      ['file', 'event.json'],
      ['file', 'sqs.json'],
    ]);
    expect(list[3]).toMatchObject({ body: '{"Records": []}', path: join(dir, 'events', 'sqs.json') });
    // Other functions have their own saved events.
    expect(await client.call('events:list', { projectId, functionId: 'Other' })).toHaveLength(2);
  });

  it('saves, overwrites, renames, duplicates and deletes', async () => {
    const saved = await client.call('events:save', {
      projectId,
      functionId,
      name: ' orders ',
      body: '{"a": 1}',
    });
    expect(saved).toMatchObject({ name: 'orders', body: '{"a": 1}', source: 'saved' });
    const again = await client.call('events:save', {
      projectId,
      functionId,
      name: 'orders',
      body: '{"a": 2}',
    });
    expect(again.body).toBe('{"a": 2}');
    expect(
      await failure(
        client.call('events:save', { projectId, functionId, name: 'orders', body: '{}', overwrite: false }),
      ),
    ).toMatchObject({
      name: 'EventNameTaken',
      message: "This function already has a saved event named 'orders'; choose another name",
    });

    const renamed = await client.call('events:rename', {
      projectId,
      functionId,
      name: 'orders',
      newName: 'order',
    });
    expect(renamed).toMatchObject({ name: 'order', body: '{"a": 2}' });
    expect(
      await failure(
        client.call('events:rename', { projectId, functionId, name: 'order', newName: 'A-order' }),
      ),
    ).toMatchObject({ name: 'EventNameTaken' });

    const copy1 = await client.call('events:duplicate', { projectId, functionId, name: 'order' });
    const copy2 = await client.call('events:duplicate', { projectId, functionId, name: 'order' });
    expect([copy1.name, copy2.name]).toEqual(['order copy', 'order copy 2']);
    expect(copy2.body).toBe('{"a": 2}');
    const fromFile = await client.call('events:duplicate', {
      projectId,
      functionId,
      name: 'event.json',
      source: 'file',
    });
    expect(fromFile).toMatchObject({ name: 'event', source: 'saved' });
    expect(JSON.parse(fromFile.body)).toMatchObject({ httpMethod: 'GET' });
    const fromFile2 = await client.call('events:duplicate', {
      projectId,
      functionId,
      name: 'event.json',
      source: 'file',
    });
    expect(fromFile2.name).toBe('event copy');

    const deleted = await client.call('events:delete', { projectId, functionId, name: 'order copy' });
    expect(deleted.name).toBe('order copy');
    const names = (await client.call('events:list', { projectId, functionId })).map((e) => e.name);
    expect(names).not.toContain('order copy');
    expect(names).toContain('order copy 2');

    expect(
      await failure(client.call('events:delete', { projectId, functionId, name: 'nope' })),
    ).toMatchObject({
      name: 'EventNotFound',
      message: `No saved event 'nope' for function ${functionId}`,
    });
    expect(
      await failure(client.call('events:delete', { projectId, functionId, name: 'event.json' })),
    ).toMatchObject({ name: 'EventReadOnly', details: { path: join(dir, 'events', 'event.json') } });
    expect(readFileSync(join(dir, 'events', 'event.json'), 'utf8')).toContain('httpMethod');
  });

  it('refuses invalid JSON with its line and column, bad names, and unknown functions', async () => {
    const bad = await failure(
      client.call('events:save', { projectId, functionId, name: 'broken', body: '{\n  "a": 1,\n  "b": }' }),
    );
    expect(bad).toMatchObject({
      name: 'InvalidEventJson',
      message: expect.stringMatching(/^Invalid JSON at line 3, column 8: /),
      details: { line: 3, col: 8 },
    });
    expect(
      await failure(client.call('events:save', { projectId, functionId, name: '', body: '{}' })),
    ).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('at least 1 character') });
    expect(
      await failure(client.call('events:save', { projectId, functionId, name: 'x'.repeat(101), body: '{}' })),
    ).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('at most 100 characters') });
    expect(
      await failure(client.call('events:save', { projectId, functionId: 'Nope', name: 'x', body: '{}' })),
    ).toMatchObject({ name: 'FunctionNotFound' });
    const names = (await client.call('events:list', { projectId, functionId })).map((e) => e.name);
    expect(names).not.toContain('broken');
  });

  it('refuses a 10 MB event at save and at invoke, naming the 6 MB limit', async () => {
    const body = JSON.stringify({ data: 'x'.repeat(10 * 1024 * 1024) });
    const saved = await failure(client.call('events:save', { projectId, functionId, name: 'huge', body }));
    expect(saved).toMatchObject({
      name: 'EventTooLarge',
      message: expect.stringMatching(
        /^The event is 10\.0 MB \(10485771 bytes\); Lambda's synchronous invoke accepts at most 6 MB \(6291456 bytes\)$/,
      ),
      details: { bytes: 10485771, limit: 6291456 },
    });
    const invoked = await failure(client.call('functions:invoke', { projectId, functionId, payload: body }));
    expect(invoked.name).toBe('RequestEntityTooLargeException');
  });

  it('generates sample events from templates', async () => {
    const templates = await client.call('eventTemplates:list');
    expect(templates.map((t) => t.name)).toContain('apigateway-rest');
    const text = await client.call('eventTemplates:generate', { name: 'sqs' });
    expect(text.split('\n')[1]).toBe('  "Records": [');
    expect(JSON.parse(text)).toMatchObject({ Records: [{ eventSource: 'aws:sqs' }] });
    const unknown = await failure(client.call('eventTemplates:generate', { name: 'nope' }));
    expect(unknown).toMatchObject({
      name: 'UnknownEventTemplate',
      details: { name: 'nope', known: templates.map((t) => t.name) },
    });
  });

  it('does not count an edited event file as a code change', async () => {
    await watching(projectId, dir);
    const { codeVersion } = await engine.services.catalog.function(projectId, functionId);
    // The template change is observable; the watcher reports changes in order, so the event file
    // written before it has been seen by then.
    const seen = nextChange(projectId, 'template');
    writeFileSync(join(dir, 'events', 'other.json'), '{}');
    writeFileSync(join(dir, 'template.yaml'), readFileSync(join(dir, 'template.yaml'), 'utf8') + '\n');
    await seen;
    expect((await engine.services.catalog.function(projectId, functionId)).codeVersion).toBe(codeVersion);

    writeFileSync(join(dir, 'hello-world', 'extra.mjs'), 'export {};\n');
    const bumped = await until(async () => {
      const v = (await engine.services.catalog.function(projectId, functionId)).codeVersion;
      return v !== codeVersion ? v : undefined;
    }, 'the code version to change');
    expect(bumped).toBeGreaterThan(codeVersion);
  });
});
