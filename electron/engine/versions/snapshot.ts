/**
 * Content-addressed code snapshots: a folder's files are hashed (paths, executable bits, symlink targets and
 * bytes, in path order) and copied once to `<home>/code/<sha256 hex>/`. Identical content is stored once,
 * and a snapshot never changes, so a published version runs the same code whatever happens to the project.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  constants,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  type Stats,
} from 'node:fs';
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

function entries(root: string): Entry[] {
  const found: Entry[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      if (SKIPPED.has(name)) continue;
      const r = rel ? `${rel}/${name}` : name;
      const stat = lstatSync(join(root, r));
      found.push({ rel: r, stat });
      if (stat.isDirectory()) walk(r);
    }
  };
  walk('');
  return found;
}

/** The folder's content hash; reads every file. */
export function digestFolder(root: string): FolderDigest {
  const hash = createHash('sha256');
  let size = 0;
  for (const { rel, stat } of entries(root)) {
    if (stat.isDirectory()) hash.update(`d\0${rel}\0`);
    else if (stat.isSymbolicLink()) hash.update(`l\0${rel}\0${readlinkSync(join(root, rel))}\0`);
    else if (stat.isFile()) {
      const bytes = readFileSync(join(root, rel));
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
export function snapshotFolder(source: string, codeRoot: string): Snapshot {
  const seen = digestFolder(source);
  const existing = join(codeRoot, seen.hex);
  if (existsSync(existing)) return { ...seen, dir: existing };
  mkdirSync(codeRoot, { recursive: true });
  const tmp = join(codeRoot, `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    copyTree(source, tmp);
    const copied = digestFolder(tmp);
    const dir = join(codeRoot, copied.hex);
    if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true });
    else renameSync(tmp, dir);
    return { ...copied, dir };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

function copyTree(source: string, target: string): void {
  mkdirSync(target, { recursive: true, mode: 0o755 });
  for (const { rel, stat } of entries(source)) {
    const from = join(source, rel);
    const to = join(target, rel);
    if (stat.isDirectory()) mkdirSync(to, { mode: 0o755 });
    else if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    // A copy-on-write clone where the file system has them (btrfs, XFS, APFS), a plain copy elsewhere.
    else if (stat.isFile()) copyFileSync(from, to, constants.COPYFILE_FICLONE);
  }
}

/** Lambda's CodeSha256: the digest's bytes in base64. */
export const codeSha256 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
