/**
 * Local runtime images: `docker import` of a root filesystem made from the host's own binaries (node,
 * python3.11, bash, curl) and their shared libraries. No registry is needed, so a first invoke works
 * offline; the official public.ecr.aws/lambda images stay the default. `lambench images build`, the
 * "Build local runtime image" button and `npm run images` (CI) all run this.
 *
 * A rebuild is a no-op: each image carries a `lambench.inputs` label hashing what it was built from.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { localRuntimeImages } from '../../../shared/local-runtime-images';
import type { ImagePullProgress } from '../../../shared/types';

const run = promisify(execFile);

/** Bump when the recipe changes in a way the input hash cannot see. */
const VERSION = 'lambench-local-images/5';

/** Lambda's sandbox user. */
const SBX = { name: 'sbx_user1051', uid: 993, gid: 990 };

const PATH_ENV = '/var/lang/bin:/usr/local/bin:/usr/bin:/bin:/opt/bin';

/** Enough of a userland for `sh -c`, `id -u` and simple bootstrap scripts. */
const BASE_TOOLS = [
  ...['bash', 'cat', 'env', 'grep', 'sed', 'head', 'tail', 'tr', 'cut', 'wc', 'mktemp', 'sleep', 'id'],
  ...['ls', 'rm', 'mkdir', 'touch', 'date', 'chmod', 'cp', 'mv', 'ln', 'uname', 'dirname', 'basename'],
  ...['readlink', 'true', 'false'],
];

const PYTHON_LIB = '/usr/lib/python3.11';
/** Top-level stdlib folders Lambda functions never need. */
const PY_SKIP_TOP = new Set([
  'test',
  'idlelib',
  'tkinter',
  'turtledemo',
  'ensurepip',
  'lib2to3',
  'pydoc_data',
]);

interface Recipe {
  tools: string[];
  trees: string[];
  links: Record<string, string>;
}

/** Recipes by image name (without the repository); shared/ says which runtimes each stands in for. */
const RECIPES: Record<string, Recipe> = {
  'nodejs:20': { tools: ['node'], trees: [], links: { 'usr/local/bin/node': '/usr/bin/node' } },
  'python:3.11': {
    tools: ['python3.11'],
    trees: [PYTHON_LIB],
    links: { 'usr/bin/python3': 'python3.11', 'usr/bin/python': 'python3.11' },
  },
  'provided:al2023': { tools: ['curl'], trees: [], links: {} },
};

/** The repository local images are tagged in: `lambench-local`, or LAMBENCH_LOCAL_IMAGE_REPO. */
export function localImageRepo(): string {
  return process.env.LAMBENCH_LOCAL_IMAGE_REPO || 'lambench-local';
}

/** runtime → local image, for every runtime a local image can stand in for. */
export function localImageMap(repo = localImageRepo()): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [name, runtimes] of Object.entries(localRuntimeImages))
    for (const runtime of runtimes) map[runtime] = `${repo}/${name}`;
  return map;
}

/** The local image for a runtime, or undefined when there is no recipe for it. */
export function localImageFor(runtime: string): string | undefined {
  return localImageMap()[runtime];
}

function recipeOf(image: string): Recipe {
  const recipe = RECIPES[image.slice(image.lastIndexOf('/') + 1)];
  if (!recipe) throw new Error(`No local recipe for ${image}`);
  return recipe;
}

/** Whether a stdlib path is copied (the filter for the Python tree). */
function keepPython(src: string): boolean {
  const top = path.relative(PYTHON_LIB, src).split(path.sep)[0];
  // __pycache__ stays (+12 MB): the root is read-only, so without it every cold start would recompile.
  return !PY_SKIP_TOP.has(top) && !top.startsWith('config-');
}

function findTool(name: string): string {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${name} is not installed on this machine (install it, e.g. apt-get install ${name})`);
}

/** Every shared object a tree holds (for Python: the lib-dynload extension modules). */
function sharedObjects(tree: string): string[] {
  return fs
    .readdirSync(tree, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.so'))
    .map((e) => path.join(e.parentPath, e.name));
}

type LddCache = Record<string, { key: string; libs: [string, string][] }> & { dirty?: boolean };

function statKey(p: string): string {
  const st = fs.statSync(p);
  return `${st.size}:${st.mtimeMs}`;
}

/** Libraries one ELF file loads, as ldd reports them. */
async function ldd(file: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('ldd', [file]));
  } catch (err) {
    stdout = (err as { stdout?: string }).stdout ?? ''; // non-zero for static files: no libraries
  }
  const libs = new Set<string>();
  for (const line of stdout.split('\n')) {
    if (line.includes('not found')) throw new Error(`${file}: missing library: ${line.trim()}`);
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s+(\/\S+)\s+\(/.exec(line);
    if (m) libs.add(m[1]);
  }
  return [...libs];
}

/** ldd costs ~7 ms a file: answers are kept while the file and every library it listed are unchanged. */
async function libraries(files: string[], cache: LddCache, pending: Map<string, Promise<string[]>>) {
  const fresh = (f: string) => {
    const e = cache[f];
    return e && e.key === statKey(f) && e.libs.every(([l, k]) => fs.existsSync(l) && statKey(l) === k);
  };
  const all = new Set<string>();
  await Promise.all(
    files.map(async (f) => {
      if (!fresh(f)) {
        if (!pending.has(f)) pending.set(f, ldd(f)); // images share tools: one ldd per file
        const libs = await pending.get(f)!;
        cache[f] = { key: statKey(f), libs: libs.map((l) => [l, statKey(l)]) };
        cache.dirty = true;
      }
      for (const [l] of cache[f].libs) all.add(l);
    }),
  );
  return [...all].sort();
}

interface Plan {
  recipe: Recipe;
  tools: [string, string][];
  libs: string[];
  hash: string;
}

async function plan(image: string, cache: LddCache, pending: Map<string, Promise<string[]>>): Promise<Plan> {
  const recipe = recipeOf(image);
  const tools = [...BASE_TOOLS, ...recipe.tools].map((t): [string, string] => [t, findTool(t)]);
  const elves = [...tools.map(([, p]) => p), ...recipe.trees.flatMap(sharedObjects)];
  const libs = await libraries(elves, cache, pending);
  const hash = createHash('sha256').update(VERSION).update(JSON.stringify(recipe));
  for (const p of [...elves, ...libs, ...recipe.trees]) {
    const st = fs.statSync(p);
    hash.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return { recipe, tools, libs, hash: hash.digest('hex').slice(0, 32) };
}

/** Copies a host file into the root at its canonical path, keeping soname symlinks. */
function addHostFile(root: string, hostPath: string, seen: Set<string>): void {
  const dir = fs.realpathSync(path.dirname(hostPath));
  const canon = path.join(dir, path.basename(hostPath));
  if (seen.has(canon)) return;
  seen.add(canon);
  const dest = path.join(root, canon);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const st = fs.lstatSync(canon);
  if (st.isSymbolicLink()) {
    const target = fs.readlinkSync(canon);
    fs.symlinkSync(target, dest);
    addHostFile(root, path.resolve(dir, target), seen);
  } else {
    fs.copyFileSync(canon, dest);
    fs.chmodSync(dest, st.mode & 0o7777);
  }
}

function writeBase(root: string): void {
  const dirs = ['usr/bin', 'usr/sbin', 'usr/lib', 'usr/local/bin', 'etc', 'root', 'proc', 'sys', 'dev'];
  for (const d of [...dirs, 'var/task', 'var/runtime', 'var/lang/bin', 'opt', `home/${SBX.name}`])
    fs.mkdirSync(path.join(root, d), { recursive: true, mode: 0o755 });
  fs.mkdirSync(path.join(root, 'tmp'));
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  // Mirror the host's merged-/usr links so paths baked into binaries (the ELF interpreter) resolve inside.
  for (const top of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const host = `/${top}`;
    if (fs.existsSync(host) && fs.lstatSync(host).isSymbolicLink())
      fs.symlinkSync(fs.readlinkSync(host), path.join(root, top));
  }
  const etc = (name: string, text: string) =>
    fs.writeFileSync(path.join(root, 'etc', name), text, { mode: 0o644 });
  etc(
    'passwd',
    `root:x:0:0:root:/root:/bin/sh\n${SBX.name}:x:${SBX.uid}:${SBX.gid}::/home/${SBX.name}:/sbin/nologin\n` +
      'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n',
  );
  etc('group', `root:x:0:\n${SBX.name}:x:${SBX.gid}:\nnogroup:x:65534:\n`);
  etc('nsswitch.conf', 'passwd: files\ngroup: files\nhosts: files dns\n');
  // Docker bind-mounts these; having the files keeps a read-only root happy.
  for (const f of ['hosts', 'hostname', 'resolv.conf']) etc(f, '');
  etc('os-release', 'NAME="Lambench local runtime"\nID=lambench\n');
  // Lambda sets LANG=en_US.UTF-8; alias it to C.utf8 so UTF-8 works without a locale archive.
  if (fs.existsSync('/usr/lib/locale/C.utf8')) {
    fs.mkdirSync(path.join(root, 'usr/lib/locale'), { recursive: true });
    fs.cpSync('/usr/lib/locale/C.utf8', path.join(root, 'usr/lib/locale/C.utf8'), { recursive: true });
    fs.symlinkSync('C.utf8', path.join(root, 'usr/lib/locale/en_US.utf8'));
  }
  fs.symlinkSync('bash', path.join(root, 'usr/bin/sh'));
}

function stageRoot(root: string, p: Plan): void {
  writeBase(root);
  for (const [name, hostPath] of p.tools) {
    const dest = path.join(root, 'usr/bin', name);
    fs.copyFileSync(fs.realpathSync(hostPath), dest);
    fs.chmodSync(dest, 0o755);
  }
  const seen = new Set<string>();
  for (const lib of p.libs) addHostFile(root, lib, seen);
  for (const tree of p.recipe.trees) {
    fs.cpSync(tree, path.join(root, tree), {
      recursive: true,
      filter: tree === PYTHON_LIB ? keepPython : () => true,
      verbatimSymlinks: true,
      preserveTimestamps: true,
    });
  }
  for (const [link, target] of Object.entries(p.recipe.links)) {
    fs.mkdirSync(path.dirname(path.join(root, link)), { recursive: true });
    fs.symlinkSync(target, path.join(root, link));
  }
}

/** Streams a tar of the root into the engine's image import (works with a remote engine too). */
async function importRoot(docker: Docker, root: string, image: string, hash: string): Promise<void> {
  const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tarError = '';
  tar.stderr.on('data', (d) => (tarError += d));
  const tarDone = new Promise<void>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar failed: ${tarError.trim()}`))));
  });
  const colon = image.lastIndexOf(':');
  const stream = await docker.importImage(tar.stdout, {
    repo: image.slice(0, colon),
    tag: image.slice(colon + 1),
    changes: [`ENV PATH=${PATH_ENV}`, 'WORKDIR /var/task', `LABEL lambench.inputs=${hash}`],
  } as unknown as object);
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
      const failed = err?.message ?? out.find((e) => e.error)?.error;
      if (failed) reject(new Error(`docker import ${image} failed: ${failed}`));
      else resolve();
    }),
  );
  await tarDone;
}

async function currentBuild(docker: Docker, image: string): Promise<{ id: string; label?: string } | null> {
  try {
    const info = await docker.getImage(image).inspect();
    return { id: info.Id, label: info.Config?.Labels?.['lambench.inputs'] };
  } catch {
    return null;
  }
}

export interface LocalBuildResult {
  image: string;
  built: boolean;
  size?: number;
  ms?: number;
}

export interface LocalImageBuilderOptions {
  /** Where ldd answers are kept between runs (a JSON file). */
  cacheFile: string;
  onProgress?: (p: ImagePullProgress) => void;
}

/** Builds local runtime images; concurrent requests for the same image share one build. */
export class LocalImageBuilder {
  private readonly building = new Map<string, Promise<LocalBuildResult>>();
  private readonly pendingLdd = new Map<string, Promise<string[]>>();

  constructor(
    private readonly docker: Docker,
    private readonly opts: LocalImageBuilderOptions,
  ) {}

  /** Builds the local image standing in for `runtime` (if missing or out of date). */
  buildFor(runtime: string): Promise<LocalBuildResult> {
    const image = localImageFor(runtime);
    if (!image) {
      const known = Object.keys(localImageMap()).join(', ');
      return Promise.reject(new Error(`No local runtime image for ${runtime}: one of ${known}`));
    }
    return this.build(image);
  }

  /** Builds every local image (CI's `npm run images`). */
  async buildAll(): Promise<LocalBuildResult[]> {
    return Promise.all([...new Set(Object.values(localImageMap()))].map((image) => this.build(image)));
  }

  build(image: string): Promise<LocalBuildResult> {
    let build = this.building.get(image);
    if (!build) {
      build = this.buildOnce(image).finally(() => this.building.delete(image));
      this.building.set(image, build);
    }
    return build;
  }

  private async buildOnce(image: string): Promise<LocalBuildResult> {
    const progress = (status: string, extra: Partial<ImagePullProgress> = {}) =>
      this.opts.onProgress?.({ image, layer: '', status, done: false, kind: 'build', ...extra });
    const started = Date.now();
    progress('Reading host binaries');
    try {
      const cache = this.readCache();
      const p = await plan(image, cache, this.pendingLdd);
      this.writeCache(cache);
      const current = await currentBuild(this.docker, image);
      if (current?.label === p.hash) {
        progress('Up to date', { done: true });
        return { image, built: false };
      }
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-rootfs-'));
      try {
        progress(`Copying ${p.tools.length} tools and ${p.libs.length} libraries`);
        stageRoot(root, p);
        progress('Importing into Docker');
        await importRoot(this.docker, root, image, p.hash);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
      // The previous build is now an untagged leftover; drop it unless a container still uses it.
      if (current?.id)
        await this.docker
          .getImage(current.id)
          .remove()
          .catch(() => {});
      const size = (await this.docker.getImage(image).inspect()).Size;
      const ms = Date.now() - started;
      progress(`Built · ${(size / 1e6).toFixed(0)} MB in ${(ms / 1000).toFixed(1)} s`, { done: true });
      return { image, built: true, size, ms };
    } catch (err) {
      const message = (err as Error).message;
      progress('Failed', { done: true, error: message });
      throw new Error(`Could not build ${image}: ${message}`);
    }
  }

  private readCache(): LddCache {
    try {
      return JSON.parse(fs.readFileSync(this.opts.cacheFile, 'utf8')) as LddCache;
    } catch {
      return {};
    }
  }

  private writeCache(cache: LddCache): void {
    if (!cache.dirty) return;
    delete cache.dirty;
    fs.mkdirSync(path.dirname(this.opts.cacheFile), { recursive: true });
    fs.writeFileSync(this.opts.cacheFile, JSON.stringify(cache));
  }
}
