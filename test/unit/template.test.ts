import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTemplate, type LoadedFunction } from '../../electron/engine/projects/template';
import { createFromBlueprint, listBlueprints } from '../../electron/engine/projects/blueprints';
import { parseEventJson } from '../../electron/engine/projects/events-json';

const fixture = (name: string): string => resolve(__dirname, '../fixtures/templates', name);
const byId = (fns: LoadedFunction[], id: string): LoadedFunction => {
  const fn = fns.find((f) => f.id === id);
  if (!fn) throw new Error(`no function ${id}`);
  return fn;
};
const temps: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'lambench-template-'));
  temps.push(d);
  return d;
};
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('loadTemplate', () => {
  it('loads a sam init hello-world', async () => {
    const t = await loadTemplate(fixture('hello-world'));
    expect(t.stackName).toBe('hello-world');
    expect(t.description).toBe('sam-app\nSample SAM Template for sam-app'); // a folded scalar
    expect(t.functions).toHaveLength(1);
    const fn = t.functions[0];
    expect(fn).toMatchObject({
      id: 'HelloWorldFunction',
      functionName: 'HelloWorldFunction',
      runtime: 'nodejs20.x',
      handler: 'app.lambdaHandler',
      codeUri: join(fixture('hello-world'), 'hello-world'),
      memorySize: 128,
      timeout: 3,
      architecture: 'x86_64',
      ephemeralStorage: 512,
      environment: {},
      layers: [],
      unresolved: [],
      events: [{ id: 'HelloWorld', type: 'Api', path: '/hello', method: 'GET' }],
    });
    expect(fn.unsupported).toBeUndefined();
    expect(fn.reservedConcurrency).toBeUndefined();
  });

  it('merges Globals and resolves Parameters, Mappings, Conditions and intrinsics', async () => {
    const t = await loadTemplate(fixture('intrinsics'));
    // ProdOnlyFunction has `Condition: IsProd`, false for the default Stage.
    expect(t.functions.map((f) => f.id)).toEqual(['ApiFunction', 'LegacyFunction']);
    const fn = byId(t.functions, 'ApiFunction');
    expect(fn.runtime).toBe('python3.12');
    expect(fn.memorySize).toBe(512); // !FindInMap beats the global 256
    expect(fn.timeout).toBe(15); // !If [IsProd, 30, 15]
    expect(fn.unsupported).toBeUndefined();
    expect(fn.environment).toEqual({
      STAGE: 'dev',
      LOG_LEVEL: 'debug',
      SHARED: 'overridden',
      TABLE_ARN: '${Table.Arn}',
      TABLE_STREAM: '${Table.StreamArn}',
      QUEUE_URL: '${Queue}',
      BUCKET: 'intrinsics-data-us-east-1-123456789012',
      PARTITION_ARN: 'arn:aws:s3:::data/${Literal}',
      SUB_ATT: '${Table.Arn}/index/*',
      IMPORTED: '<unresolved: !ImportValue SharedVpcId>',
      JOINED: 'a-dev-y',
      LONG_SUB: 'dev-long',
      LONG_REF: 'dev',
      LONG_IF: 'dev-value',
      B64: 'aGk=',
      AZ: 'us-east-1a',
      FIRST_SUBNET: 'subnet-a',
      URL: 'https://example.amazonaws.com',
      API_KEY: '${ApiKey}',
      NUM: '42',
      BOOL: 'true',
      DEV_OR_PROD: 'y',
      PROD_AND_DEV: 'n',
    });
    expect(fn.unresolved).toEqual([
      'Environment.Variables.TABLE_ARN: !GetAtt Table.Arn',
      'Environment.Variables.TABLE_STREAM: !GetAtt Table.StreamArn',
      'Environment.Variables.QUEUE_URL: !Ref Queue',
      'Environment.Variables.SUB_ATT: !GetAtt Table.Arn',
      'Environment.Variables.IMPORTED: !ImportValue SharedVpcId',
      'Environment.Variables.API_KEY: !Ref ApiKey (parameter without a value)',
    ]);
    // Globals apply to AWS::Serverless::Function only.
    const legacy = byId(t.functions, 'LegacyFunction');
    expect(legacy).toMatchObject({
      resourceType: 'AWS::Lambda::Function',
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      codeUri: join(fixture('intrinsics'), 'legacy'),
      memorySize: 128,
      timeout: 3,
      environment: {},
    });
    expect(legacy.unsupported).toBeUndefined();
  });

  it('applies parameter overrides', async () => {
    const t = await loadTemplate(fixture('intrinsics'), {
      parameterOverrides: { Stage: 'prod', ApiKey: 'k-1' },
    });
    expect(t.functions.map((f) => f.id)).toEqual(['ApiFunction', 'ProdOnlyFunction', 'LegacyFunction']);
    const fn = byId(t.functions, 'ApiFunction');
    expect([fn.memorySize, fn.timeout]).toEqual([2048, 30]);
    expect(fn.environment).toMatchObject({
      STAGE: 'prod',
      LOG_LEVEL: 'warn',
      PROD_ONLY: 'yes',
      API_KEY: 'k-1',
    });
    expect(byId(t.functions, 'ProdOnlyFunction')).toMatchObject({
      memorySize: 256,
      timeout: 10,
      environment: { STAGE: 'prod', LOG_LEVEL: 'warn', SHARED: 'from-globals' },
    });
  });

  it('resolves layers (globals first) and events', async () => {
    const dir = fixture('layers-events');
    const t = await loadTemplate(dir);
    expect(t.layers.map((l) => [l.id, l.contentUri])).toEqual([
      ['SharedLayer', join(dir, 'layers/shared')],
      ['CommonLayer', join(dir, 'layers/common')],
    ]);
    const fn = byId(t.functions, 'WorkerFunction');
    expect(fn).toMatchObject({
      functionName: 'layers-events-worker',
      runtime: 'nodejs22.x',
      architecture: 'arm64',
      ephemeralStorage: 2048,
      reservedConcurrency: 5,
      memorySize: 128,
      timeout: 3,
    });
    expect(fn.unsupported).toBeUndefined();
    expect(fn.layers).toEqual([join(dir, 'layers/shared'), join(dir, 'layers/common')]);
    expect(fn.unresolved).toEqual([
      'Layers: arn:aws:lambda:us-east-1:123456789012:layer:published:3 (published layers are not downloaded)',
    ]);
    expect(fn.events).toEqual([
      { id: 'GetItems', type: 'Api', path: '/items/{id}', method: 'GET', restApiId: undefined },
      { id: 'HttpRoute', type: 'HttpApi', path: '/v2/items', method: 'POST', apiId: undefined },
      { id: 'CatchAll', type: 'HttpApi', path: undefined, method: undefined, apiId: undefined },
      {
        id: 'Nightly',
        type: 'Schedule',
        schedule: 'cron(0 3 * * ? *)',
        enabled: true,
        input: '{"job": "nightly"}',
      },
      { id: 'Uploads', type: 'S3', bucket: 'my-uploads', events: ['s3:ObjectCreated:*'] },
      {
        id: 'Jobs',
        type: 'SQS',
        queue: 'arn:aws:sqs:us-east-1:123456789012:JobsQueue',
        batchSize: 5,
        reportBatchItemFailures: false,
        enabled: true,
      },
      { id: 'Topic', type: 'SNS', properties: { Topic: 'arn:aws:sns:us-east-1:123456789012:alerts' } },
    ]);
  });

  it('reports why a function cannot run instead of throwing', async () => {
    const dir = fixture('unsupported');
    const t = await loadTemplate(dir);
    const reasons = Object.fromEntries(t.functions.map((f) => [f.id, f.unsupported]));
    const empty = join(dir, 'empty-src');
    expect(reasons).toEqual({
      JavaFunction: "Runtime 'java21' is not supported by Lambench yet",
      MissingCodeFunction: `CodeUri 'src/' does not exist (${join(dir, 'src')})`,
      MissingHandlerFunction: `Handler file 'app.js' (or .mjs, .cjs) not found in ${empty}`,
      MissingPythonModule: `Handler file 'pkg/app.py' not found in ${empty}`,
      MissingBootstrap: `Handler file 'bootstrap' not found in ${empty}`,
      ImageFunction: `DockerContext './image' is not a folder (${join(dir, 'image')})`,
      NoRuntimeFunction: 'Runtime is missing (set Runtime on the function or in Globals.Function)',
      InlineFunction: 'Inline code (Code: ZipFile) is not supported yet',
    });
  });

  it('throws a TemplateError with line and column for broken YAML', async () => {
    const file = join(fixture('broken'), 'template.yaml');
    const err = await loadTemplate(fixture('broken')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'TemplateError', details: { file, line: 7, col: 6 } });
    expect((err as Error).message).toContain(`${file} at line 7, column 6`);
  });

  it('throws a clear TemplateError when there are no functions or no template', async () => {
    await expect(loadTemplate(fixture('no-functions'))).rejects.toMatchObject({
      name: 'TemplateError',
      message: 'template.yaml defines no functions (AWS::Serverless::Function or AWS::Lambda::Function)',
    });
    const empty = tempDir();
    await expect(loadTemplate(empty)).rejects.toMatchObject({
      name: 'TemplateError',
      message: `No template.yaml (or template.yml) in ${empty}`,
    });
  });

  it('accepts template.yml and a non-mapping document is a TemplateError', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'fn'));
    writeFileSync(join(dir, 'fn/app.py'), 'def h(e, c): return e\n');
    writeFileSync(
      join(dir, 'template.yml'),
      'Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: fn, Handler: app.h, Runtime: python3.9}\n',
    );
    const t = await loadTemplate(dir);
    expect(t.functions[0]).toMatchObject({ id: 'F', runtime: 'python3.9', codeUri: join(dir, 'fn') });
    expect(t.functions[0].unsupported).toBeUndefined();
    writeFileSync(join(dir, 'template.yml'), '- just a list\n');
    await expect(loadTemplate(dir)).rejects.toMatchObject({ name: 'TemplateError' });
  });
});

describe('blueprints', () => {
  it('lists the four blueprints from their manifests', () => {
    const names = listBlueprints().map((b) => b.name);
    expect(names).toEqual(['nodejs20-hello', 'nodejs22-hello', 'provided-bash', 'python312-hello']);
    expect(listBlueprints().find((b) => b.name === 'python312-hello')).toMatchObject({
      runtime: 'python3.12',
    });
  });

  for (const b of listBlueprints()) {
    it(`creates a runnable project from ${b.name}`, async () => {
      const dir = join(tempDir(), 'my app');
      const created = await createFromBlueprint(b.name, dir, 'My App');
      expect(created).toEqual({ path: dir, name: 'My App' });
      expect(readdirSync(dir)).not.toContain('blueprint.json');
      expect(readdirSync(join(dir, 'events'))).toContain('event.json');
      const t = await loadTemplate(dir);
      expect(t.functions).toHaveLength(1);
      const fn = t.functions[0];
      expect(fn.unsupported).toBeUndefined();
      expect(fn.runtime).toBe(b.runtime);
      expect([fn.memorySize, fn.timeout]).toEqual([128, 3]);
      expect(fn.events[0].type).toMatch(/^(Api|HttpApi)$/);
      const event = parseEventJson(readFileSync(join(dir, 'events/event.json'), 'utf8'));
      expect(event).toBeTypeOf('object');
      if (b.runtime.startsWith('provided'))
        expect(statSync(join(fn.codeUri, 'bootstrap')).mode & 0o111).toBe(0o111);
    });
  }

  it('refuses a non-empty target folder and an unknown blueprint', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'keep.txt'), 'x');
    await expect(createFromBlueprint('nodejs22-hello', dir)).rejects.toMatchObject({
      name: 'ValidationError',
      message: `${dir} is not empty; choose a new or empty folder`,
    });
    await expect(createFromBlueprint('cobol-hello', join(dir, 'new'))).rejects.toThrow(
      /Unknown blueprint 'cobol-hello'/,
    );
  });
});
