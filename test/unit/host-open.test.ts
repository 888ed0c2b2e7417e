/**
 * Which program opens a handler: $VISUAL, else $EDITOR, else `code` on PATH, else the OS opener. Each
 * candidate is a real script on a temp PATH that records its arguments.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { handlerFile, openInEditor, openInFileManager } from '../../electron/engine/host-open';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-host-open-'));
const bin = path.join(root, 'bin');
const saved = { PATH: process.env.PATH, VISUAL: process.env.VISUAL, EDITOR: process.env.EDITOR };
fs.mkdirSync(bin);

function recorder(name: string): string {
  const file = path.join(bin, name);
  const argv = path.join(root, `${name}.argv`);
  // Written aside, then renamed: a reader never sees a half-written file.
  fs.writeFileSync(file, `#!/bin/sh\necho "$@" > '${argv}.tmp' && mv '${argv}.tmp' '${argv}'\n`, {
    mode: 0o755,
  });
  return file;
}
const recorded = async (name: string) => {
  const file = path.join(root, `${name}.argv`);
  await expect.poll(() => fs.existsSync(file), { timeout: 10_000 }).toBe(true);
  return fs.readFileSync(file, 'utf8').trim();
};

beforeEach(() => {
  for (const f of fs.readdirSync(root)) if (f.endsWith('.argv')) fs.rmSync(path.join(root, f));
  process.env.PATH = `${bin}:/usr/bin:/bin`;
  delete process.env.VISUAL;
  delete process.env.EDITOR;
});
afterAll(() => {
  Object.assign(process.env, saved);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('handlerFile', () => {
  const code = path.join(root, 'code');
  fs.mkdirSync(path.join(code, 'pkg'), { recursive: true });
  for (const f of ['app.mjs', 'main.py', 'pkg/mod.py', 'bootstrap']) fs.writeFileSync(path.join(code, f), '');

  it('finds the file each runtime’s handler names, else the code folder', () => {
    expect(handlerFile({ runtime: 'nodejs22.x', handler: 'app.handler', codeUri: code })).toBe(
      path.join(code, 'app.mjs'),
    );
    expect(handlerFile({ runtime: 'python3.12', handler: 'main.handler', codeUri: code })).toBe(
      path.join(code, 'main.py'),
    );
    expect(handlerFile({ runtime: 'python3.12', handler: 'pkg.mod.fn', codeUri: code })).toBe(
      path.join(code, 'pkg/mod.py'),
    );
    expect(handlerFile({ runtime: 'provided.al2023', handler: 'x', codeUri: code })).toBe(
      path.join(code, 'bootstrap'),
    );
    expect(handlerFile({ runtime: 'nodejs22.x', handler: 'gone.handler', codeUri: code })).toBe(code);
  });
});

describe('the editor', () => {
  it('is $VISUAL before $EDITOR, with its flags', async () => {
    process.env.VISUAL = `${recorder('visual')} --wait`;
    process.env.EDITOR = recorder('editor');
    const opened = await openInEditor('/some/file.mjs');
    expect(opened.opener).toContain('$VISUAL');
    expect(await recorded('visual')).toBe('--wait /some/file.mjs');
  });

  it('passes over a terminal editor, which would run invisibly without a terminal', async () => {
    process.env.EDITOR = 'vim';
    recorder('code');
    expect((await openInEditor('/d.py')).opener).toBe('code');
    expect(await recorded('code')).toBe('/d.py');
    fs.rmSync(path.join(bin, 'code'));
  });

  it('is `code` on PATH when neither is set, else the OS opener', async () => {
    recorder('code');
    recorder('xdg-open');
    expect(await openInEditor('/a.py')).toEqual({ path: '/a.py', opener: 'code' });
    expect(await recorded('code')).toBe('/a.py');
    fs.rmSync(path.join(bin, 'code'));
    expect((await openInEditor('/b.py')).opener).toBe('xdg-open');
    expect(await recorded('xdg-open')).toBe('/b.py');
  });

  it('says which program could not be started', async () => {
    process.env.EDITOR = path.join(root, 'no-such-editor');
    await expect(openInEditor('/c.js')).rejects.toThrow(/Could not open \/c\.js with \$EDITOR .*ENOENT/);
  });
});

it('opens a folder with the file manager (xdg-open on Linux)', async () => {
  recorder('xdg-open');
  expect(await openInFileManager('/proj')).toEqual({ path: '/proj', opener: 'xdg-open' });
  expect(await recorded('xdg-open')).toBe('/proj');
});
