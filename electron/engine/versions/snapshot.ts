/**
 * Content-addressed code snapshots: a folder's files are hashed (paths, executable bits, symlink targets and
 * bytes, in path order) and copied once to `<home>/code/<sha256 hex>/`. Identical content is stored once,
 * and a snapshot never changes, so a published version runs the same code whatever happens to the project.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, existsSync, type Stats } from 'node:fs';
import { copyFile, lstat, mkdir, readFile, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Not code: VCS data, SAM's build output, and Python's byte-code caches (rewritten on every run). */
const SKIPPED = new Set(['.git', '.aws-sam', '__pycache__']);

export interface FolderDigest {
  /** SHA-256 of the content, hex (the snapshot's folder name). */
  hex: string;
  /** Bytes of its files. */
  size: number;
}

export interface Snapshot extends FolderDigest {
  dir: string;
}

interface Entry {
  rel: string;
  stat: Stats;
}

/** Asynchronous throughout: a large folder must not stall the invokes the engine serves meanwhile. */
async function entries(root: string): Promise<Entry[]> {
  const found: Entry[] = [];
  const walk = async (rel: string) => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      if (SKIPPED.has(name)) continue;
      const r = rel ? `${rel}/${name}` : name;
      const stat = await lstat(join(root, r));
      found.push({ rel: r, stat });
      if (stat.isDirectory()) await walk(r);
    }
  };
  await walk('');
  return found;
}

/** The folder's content hash; reads every file. */
export async function digestFolder(root: string): Promise<FolderDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for (const { rel, stat } of await entries(root)) {
    if (stat.isDirectory()) hash.update(`d\0${rel}\0`);
    else if (stat.isSymbolicLink()) hash.update(`l\0${rel}\0${await readlink(join(root, rel))}\0`);
    else if (stat.isFile()) {
      const bytes = await readFile(join(root, rel));
      size += bytes.length;
      hash.update(`f\0${rel}\0${stat.mode & 0o111 ? 'x' : '-'}\0${bytes.length}\0`);
      hash.update(bytes);
    }
  }
  return { hex: hash.digest('hex'), size };
}

/**
 * The folder's snapshot under `codeRoot`, made if this content has none yet. The copy is hashed, not the
 * source, so a file edited during the copy cannot leave a snapshot whose name does not match its content.
 * Files are copied, not hard-linked: editors that save in place would otherwise rewrite the snapshot too.
 */
export async function snapshotFolder(source: string, codeRoot: string): Promise<Snapshot> {
  const seen = await digestFolder(source);
  const existing = join(codeRoot, seen.hex);
  if (existsSync(existing)) return { ...seen, dir: existing };
  await mkdir(codeRoot, { recursive: true });
  const tmp = join(codeRoot, `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    await copyTree(source, tmp);
    const copied = await digestFolder(tmp);
    const dir = join(codeRoot, copied.hex);
    // Another publish of the same content (two functions sharing a CodeUri) may have got there first.
    if (existsSync(dir)) await rm(tmp, { recursive: true, force: true });
    else
      await rename(tmp, dir).catch(async (error: unknown) => {
        if (!existsSync(dir)) throw error;
        await rm(tmp, { recursive: true, force: true });
      });
    return { ...copied, dir };
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

async function copyTree(source: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true, mode: 0o755 });
  for (const { rel, stat } of await entries(source)) {
    const from = join(source, rel);
    const to = join(target, rel);
    if (stat.isDirectory()) await mkdir(to, { mode: 0o755 });
    else if (stat.isSymbolicLink()) await symlink(await readlink(from), to);
    // A copy-on-write clone where the file system has them (btrfs, XFS, APFS), a plain copy elsewhere.
    else if (stat.isFile()) await copyFile(from, to, constants.COPYFILE_FICLONE);
  }
}

/** Lambda's CodeSha256: the digest's bytes in base64. */
export const codeSha256 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
