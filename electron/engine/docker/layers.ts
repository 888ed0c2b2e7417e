/**
 * Lambda extracts layers into /opt in order, later files winning. Bind mounts cannot merge
 * folders, so we bind at the shallowest level where layers don't collide: a folder only one
 * layer has is bound whole; a folder several layers share is opened up one level further.
 */
import fs from 'node:fs';
import path from 'node:path';

function entries(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Docker binds (`host:container:ro`) that merge `layerDirs` at `target`. */
export function layerBinds(layerDirs: string[], target = '/opt'): string[] {
  const dirs = layerDirs.filter(isDir);
  if (dirs.length === 0) return [];
  if (dirs.length === 1) return [`${dirs[0]}:${target}:ro`];
  const binds: string[] = [];
  const names = [...new Set(dirs.flatMap(entries))].sort();
  for (const name of names) {
    const holders = dirs.map((d) => path.join(d, name)).filter((p) => fs.existsSync(p));
    const last = holders[holders.length - 1];
    // A file, or a folder over a file, replaces what earlier layers had at that name.
    const folders = isDir(last) ? holders.slice(holders.findLastIndex((p) => !isDir(p)) + 1) : [];
    if (folders.length > 1) binds.push(...layerBinds(folders, `${target}/${name}`));
    else binds.push(`${last}:${target}/${name}:ro`);
  }
  return binds;
}
