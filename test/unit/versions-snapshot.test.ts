/** Content-addressed snapshots: same content, same folder; any change in bytes, names, modes or links, another. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codeSha256, digestFolder, snapshotFolder } from '../../electron/engine/versions/snapshot';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-snap-'));
  dirs.push(dir);
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), body);
  }
  return dir;
}

describe('snapshots', () => {
  it('stores identical content once and names it by its SHA-256', async () => {
    const root = tree({});
    const a = tree({ 'app.mjs': 'export const handler = 1;', 'lib/x.js': 'x' });
    const b = tree({ 'app.mjs': 'export const handler = 1;', 'lib/x.js': 'x' });
    const first = await snapshotFolder(a, root);
    const second = await snapshotFolder(b, root);
    expect(second.dir).toBe(first.dir);
    expect(path.basename(first.dir)).toBe(first.hex);
    expect(first.size).toBe('export const handler = 1;'.length + 1);
    expect(fs.readFileSync(path.join(first.dir, 'lib/x.js'), 'utf8')).toBe('x');
    expect(fs.readdirSync(root)).toEqual([first.hex]);
    expect(Buffer.from(codeSha256(first.hex), 'base64').toString('hex')).toBe(first.hex);
  });

  it('a snapshot does not follow later edits of the source', async () => {
    const src = tree({ 'app.mjs': 'v1' });
    const snap = await snapshotFolder(src, tree({}));
    fs.writeFileSync(path.join(src, 'app.mjs'), 'v2');
    expect(fs.readFileSync(path.join(snap.dir, 'app.mjs'), 'utf8')).toBe('v1');
  });

  it('tells apart renamed files, executable bits and symlink targets; skips .git and __pycache__', async () => {
    const base = (await digestFolder(tree({ 'a.js': '1' }))).hex;
    expect((await digestFolder(tree({ 'b.js': '1' }))).hex).not.toBe(base);
    const exec = tree({ 'a.js': '1' });
    fs.chmodSync(path.join(exec, 'a.js'), 0o755);
    expect((await digestFolder(exec)).hex).not.toBe(base);
    const linked = tree({ 'a.js': '1' });
    fs.symlinkSync('a.js', path.join(linked, 'b.js'));
    const snap = await snapshotFolder(linked, tree({}));
    expect(fs.readlinkSync(path.join(snap.dir, 'b.js'))).toBe('a.js');
    expect(
      (await digestFolder(tree({ 'a.js': '1', '.git/HEAD': 'ref', '__pycache__/a.pyc': 'x' }))).hex,
    ).toBe(base);
  });
});
