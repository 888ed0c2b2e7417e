/** Starter projects shaped like `sam init`'s hello-world apps, shipped in resources/blueprints. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Blueprint } from '../../../shared/types';
import { resourcesDir } from '../resources';
import { ValidationError } from './errors';

const MANIFEST = 'blueprint.json';

export function blueprintsDir(): string {
  return join(resourcesDir(), 'blueprints');
}

export function listBlueprints(): Blueprint[] {
  const root = blueprintsDir();
  const out: Blueprint[] = [];
  for (const name of readdirSync(root).sort()) {
    const manifest = join(root, name, MANIFEST);
    if (!existsSync(manifest)) continue;
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as Partial<Blueprint>;
    out.push({
      name,
      title: m.title ?? name,
      runtime: m.runtime ?? '',
      description: m.description ?? '',
    });
  }
  return out;
}

/** Copies a tree keeping file modes, so `bootstrap` stays executable. */
async function copyTree(from: string, to: string, skip: (name: string) => boolean): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (skip(entry.name)) continue;
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) await copyTree(src, dst, () => false);
    else if (entry.isFile()) {
      await copyFile(src, dst);
      await chmod(dst, (await stat(src)).mode & 0o777);
    }
  }
}

/** CloudFormation stack names: a letter, then letters, digits and hyphens, at most 128. */
export function stackNameFor(name: string): string {
  const cleaned = name
    .replace(/[^a-zA-Z0-9-]+/g, '-')
    .replace(/^[^a-zA-Z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 128);
  return cleaned || 'sam-app';
}

export interface CreatedProject {
  path: string;
  name: string;
}

/** Creates a project in `targetDir` (which must not exist or be empty) from blueprint `name`. */
export async function createFromBlueprint(
  name: string,
  targetDir: string,
  projectName?: string,
): Promise<CreatedProject> {
  const src = join(blueprintsDir(), name);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(join(src, MANIFEST))) {
    const known = listBlueprints()
      .map((b) => b.name)
      .join(', ');
    throw new ValidationError(`Unknown blueprint '${name}' (available: ${known})`, { blueprint: name });
  }
  const dir = resolve(targetDir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory())
      throw new ValidationError(`${dir} exists and is not a folder`, { path: dir });
    if (readdirSync(dir).length > 0)
      throw new ValidationError(`${dir} is not empty; choose a new or empty folder`, { path: dir });
  }
  await copyTree(src, dir, (n) => n === MANIFEST);
  const projectTitle = projectName?.trim() || basename(dir);
  // samconfig.toml names the stack `sam deploy` creates; give it the project's name.
  const samconfig = join(dir, 'samconfig.toml');
  if (existsSync(samconfig)) {
    const text = await readFile(samconfig, 'utf8');
    await writeFile(
      samconfig,
      text.replace(/^stack_name = ".*"$/m, `stack_name = "${stackNameFor(projectTitle)}"`),
    );
  }
  return { path: dir, name: projectTitle };
}
