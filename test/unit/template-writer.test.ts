import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { updateFunctionConfig } from '../../electron/engine/projects/template-writer';
import { loadTemplate } from '../../electron/engine/projects/template';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fresh copy of a fixture project, and its template text. */
function copy(name: string): { dir: string; file: string; original: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lambench-writer-'));
  temps.push(dir);
  cpSync(resolve(__dirname, '../fixtures/templates', name), dir, { recursive: true });
  const file = join(dir, 'template.yaml');
  return { dir, file, original: readFileSync(file, 'utf8') };
}

/** Replaces exactly one occurrence, so a test's expected text is unambiguous. */
function replaceOnce(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

describe('updateFunctionConfig', () => {
  it('changes MemorySize and keeps every other byte', async () => {
    const { dir, file, original } = copy('writer');
    const fn = await updateFunctionConfig(dir, 'ApiFunction', { memorySize: 1024 });
    expect(fn.memorySize).toBe(1024);
    expect(readFileSync(file, 'utf8')).toBe(
      replaceOnce(original, 'MemorySize: 256   # tuned by hand', 'MemorySize: 1024   # tuned by hand'),
    );
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('round-trips the sam init hello-world', async () => {
    const { dir, file, original } = copy('hello-world');
    await updateFunctionConfig(dir, 'HelloWorldFunction', { memorySize: 512 });
    // MemorySize came from the default: it is added to the function, after its last property.
    const expected = replaceOnce(
      original,
      '            Method: get\n',
      '            Method: get\n      MemorySize: 512\n',
    );
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });

  it('writes values inherited from Globals onto the function, leaving Globals alone', async () => {
    const { dir, file, original } = copy('writer');
    const fn = await updateFunctionConfig(dir, 'WorkerFunction', {
      memorySize: 512,
      timeout: 60,
      ephemeralStorage: 1024,
      architecture: 'arm64',
      reservedConcurrency: null,
      environment: { SHARED: 'from-globals', NEW_ONE: 'yes: really', COUNT: '123' },
    });
    expect(fn).toMatchObject({
      memorySize: 512,
      timeout: 60,
      ephemeralStorage: 1024,
      architecture: 'arm64',
      reservedConcurrency: undefined,
      environment: { SHARED: 'from-globals', NEW_ONE: 'yes: really', COUNT: '123' },
    });
    const expected = replaceOnce(
      original,
      '      ReservedConcurrentExecutions: 2\n      Timeout: !If [IsProd, 30, 10]\n',
      [
        '      Timeout: 60',
        '      MemorySize: 512',
        '      EphemeralStorage:',
        '        Size: 1024',
        '      Architectures:',
        '        - arm64',
        '      Environment:',
        '        Variables:',
        '          NEW_ONE: "yes: really"',
        '          COUNT: "123"',
        '',
      ].join('\n'),
    );
    expect(readFileSync(file, 'utf8')).toBe(expected);
    // The other function still inherits the global timeout.
    const t = await loadTemplate(dir);
    expect(t.functions.find((f) => f.id === 'ApiFunction')?.timeout).toBe(5);
  });

  it('edits environment variables key by key, keeping tags, quotes and comments', async () => {
    const { dir, file, original } = copy('writer');
    await updateFunctionConfig(dir, 'ApiFunction', {
      architecture: 'arm64',
      environment: { SHARED: 'from-globals', TABLE: '${Table}', MODE: 'slow', ADDED: 'x' },
    });
    let expected = replaceOnce(original, '        - x86_64\n', '        - arm64\n');
    expected = replaceOnce(
      expected,
      '          MODE: \'fast\'\n          OLD: "to be removed"\n',
      "          MODE: 'slow'\n          ADDED: x\n",
    );
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });

  it('adds to a flow-style map in place', async () => {
    const { dir, file, original } = copy('writer');
    await updateFunctionConfig(dir, 'FlowEnvFunction', {
      environment: { SHARED: 'from-globals', AA: 'y', BB: 'z' },
    });
    expect(readFileSync(file, 'utf8')).toBe(
      replaceOnce(original, '{Variables: {AA: x}}', '{Variables: {AA: y, BB: z}}'),
    );
  });

  it('falls back to the Document API when a splice is not possible, keeping data and comments', async () => {
    const { dir, file } = copy('writer');
    const fn = await updateFunctionConfig(dir, 'FlowEnvFunction', {
      environment: { SHARED: 'from-globals' },
    });
    expect(fn.environment).toEqual({ SHARED: 'from-globals' });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# tuned by hand');
    expect(text).toContain('TABLE: !Ref Table');
  });

  it('drops an Environment block left empty', async () => {
    const { dir, file, original } = copy('writer');
    await updateFunctionConfig(dir, 'ApiFunction', { environment: { SHARED: 'from-globals' } });
    expect(readFileSync(file, 'utf8')).toBe(
      replaceOnce(
        original,
        '      Environment:\n        Variables:\n          TABLE: !Ref Table     # keep this tag\n' +
          '          MODE: \'fast\'\n          OLD: "to be removed"\n',
        '',
      ),
    );
  });

  it('does not touch the file when nothing changes', async () => {
    const { dir, file, original } = copy('writer');
    await updateFunctionConfig(dir, 'ApiFunction', { memorySize: 256, timeout: 5, architecture: 'x86_64' });
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('validates ranges and names before writing', async () => {
    const { dir, file, original } = copy('writer');
    const bad: [object, RegExp, string][] = [
      [{ memorySize: 127 }, /Memory must be a whole number from 128 to 10240 MB/, 'ValidationError'],
      [{ memorySize: 10241 }, /Memory/, 'ValidationError'],
      [{ memorySize: 128.5 }, /Memory/, 'ValidationError'],
      [{ timeout: 0 }, /Timeout must be a whole number from 1 to 900 seconds/, 'ValidationError'],
      [{ timeout: 901 }, /Timeout/, 'ValidationError'],
      [
        { ephemeralStorage: 511 },
        /Ephemeral storage must be a whole number from 512 to 10240 MB/,
        'ValidationError',
      ],
      [{ reservedConcurrency: -1 }, /Reserved concurrency/, 'ValidationError'],
      [{ environment: { AWS_REGION: 'x' } }, /'AWS_REGION' is reserved/, 'ValidationError'],
      [{ environment: { AWS_LAMBDA_FOO: 'x' } }, /reserved/, 'ValidationError'],
      [{ environment: { _HANDLER: 'x' } }, /not valid/, 'ValidationError'],
      [{ environment: { '1ABC': 'x' } }, /not valid/, 'ValidationError'],
      [{ environment: { 'A-B': 'x' } }, /not valid/, 'ValidationError'],
      [{ environment: { BIG: 'x'.repeat(5000) } }, /Lambda allows 4096/, 'ValidationError'],
      [{ architecture: 'mips' }, /x86_64 or arm64/, 'ValidationError'],
      [{ environment: { ONLY: 'x' } }, /'SHARED' comes from Globals/, 'ValidationError'],
    ];
    for (const [patch, message, name] of bad) {
      const err = await updateFunctionConfig(dir, 'ApiFunction', patch).catch((e: unknown) => e);
      expect(err, JSON.stringify(patch)).toMatchObject({ name, message: expect.stringMatching(message) });
    }
    await expect(updateFunctionConfig(dir, 'Nope', { memorySize: 256 })).rejects.toThrow(
      /No function 'Nope'/,
    );
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('keeps CRLF line endings', async () => {
    const { dir, file, original } = copy('hello-world');
    writeFileSync(file, original.replace(/\n/g, '\r\n'));
    await updateFunctionConfig(dir, 'HelloWorldFunction', { timeout: 7 });
    const text = readFileSync(file, 'utf8');
    const expected = replaceOnce(
      original,
      '            Method: get\n',
      '            Method: get\n      Timeout: 7\n',
    );
    expect(text).toBe(expected.replace(/\n/g, '\r\n'));
  });
});
