#!/usr/bin/env node
/**
 * Builds Lambench's local runtime images with `docker import` of a root filesystem made from the
 * host's own binaries and their shared libraries. No registry is needed, so this works offline
 * and in CI. Run it as `node test/support/images.js` or call `ensureLocalImages()`.
 *
 * A second run is a no-op: each image carries a `lambench.inputs` label hashing what it was
 * built from, and is rebuilt only when that hash changes.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Bump when the recipe changes in a way the input hash cannot see. */
const VERSION = 'lambench-local-images/5';

const here = path.dirname(fileURLToPath(import.meta.url));
export const LOCAL_IMAGES_JSON = path.join(here, 'local-images.json');

/** Lambda's sandbox user. */
const SBX = { name: 'sbx_user1051', uid: 993, gid: 990 };

const PATH_ENV = '/var/lang/bin:/usr/local/bin:/usr/bin:/bin:/opt/bin';

/** Enough of a userland for `sh -c`, `id -u` and simple bootstrap scripts. */
const BASE_TOOLS = [
  'bash',
  'cat',
  'env',
  'grep',
  'sed',
  'head',
  'tail',
  'tr',
  'cut',
  'wc',
  'mktemp',
  'sleep',
  'id',
  'ls',
  'rm',
  'mkdir',
  'touch',
  'date',
  'chmod',
  'cp',
  'mv',
  'ln',
  'uname',
  'dirname',
  'basename',
  'readlink',
  'true',
  'false',
];

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

const RECIPES = {
  'lambench-local/nodejs:20': {
    tools: ['node'],
    trees: [],
    links: { 'usr/local/bin/node': '/usr/bin/node' },
  },
  'lambench-local/python:3.11': {
    tools: ['python3.11'],
    trees: ['/usr/lib/python3.11'],
    links: { 'usr/bin/python3': 'python3.11', 'usr/bin/python': 'python3.11' },
  },
  'lambench-local/provided:al2023': {
    tools: ['curl'],
    trees: [],
    links: {},
  },
};

/** Whether a stdlib path is copied (the filter for the Python tree). */
function keepPython(src) {
  const rel = path.relative('/usr/lib/python3.11', src);
  const top = rel.split(path.sep)[0];
  if (PY_SKIP_TOP.has(top) || top.startsWith('config-')) return false;
  // __pycache__ stays (+12 MB): the root is read-only, so without it every cold start would
  // recompile json, urllib, email… (~300 ms on `import json, urllib.request`).
  return true;
}

/** The runtime → image map for local images. */
export function localImageMap() {
  return JSON.parse(fs.readFileSync(LOCAL_IMAGES_JSON, 'utf8'));
}

function findTool(name) {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`images: ${name} not found on this host (install it, e.g. apt-get install ${name})`);
}

/** Every ELF file a tree holds (for Python: the lib-dynload extension modules). */
function sharedObjects(tree) {
  const out = [];
  for (const entry of fs.readdirSync(tree, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.so'))
      out.push(path.join(entry.parentPath ?? entry.path, entry.name));
  }
  return out;
}

/** ldd results by file, kept across runs: ldd costs ~7 ms a file and the warm path must be fast. */
const LDD_CACHE = path.join(here, '../../node_modules/.cache/lambench/ldd.json');

function statKey(p) {
  const st = fs.statSync(p);
  return `${st.size}:${st.mtimeMs}`;
}

function readCache() {
  try {
    return JSON.parse(fs.readFileSync(LDD_CACHE, 'utf8'));
  } catch {
    return {};
  }
}

const pending = new Map();

/** Libraries one ELF file loads, as paths ldd reports them. */
async function ldd(file) {
  let stdout;
  try {
    ({ stdout } = await run('ldd', [file]));
  } catch (err) {
    // ldd exits non-zero for static files; that just means no libraries.
    stdout = err.stdout ?? '';
  }
  const libs = new Set();
  for (const line of stdout.split('\n')) {
    if (line.includes('not found')) throw new Error(`images: ${file}: missing library: ${line.trim()}`);
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s+(\/\S+)\s+\(/.exec(line);
    if (m) libs.add(m[1]);
  }
  return [...libs];
}

/**
 * Libraries the given ELF files load. A cached answer is reused while the file and every library
 * it listed are unchanged (a new transitive dependency implies a changed library).
 */
async function libraries(files, cache) {
  const fresh = (e, f) =>
    e && e.key === statKey(f) && e.libs.every(([l, k]) => fs.existsSync(l) && statKey(l) === k);
  const all = new Set();
  await Promise.all(
    files.map(async (f) => {
      if (!fresh(cache[f], f)) {
        // Images are planned in parallel and share tools: run ldd once per file.
        if (!pending.has(f)) pending.set(f, ldd(f));
        const libs = await pending.get(f);
        cache[f] = { key: statKey(f), libs: libs.map((l) => [l, statKey(l)]) };
        cache.dirty = true;
      }
      for (const [l] of cache[f].libs) all.add(l);
    }),
  );
  return [...all].sort();
}

/** Everything one image is made of, and the hash of it. */
async function plan(image, cache) {
  const recipe = RECIPES[image];
  if (!recipe) throw new Error(`images: no recipe for ${image}`);
  const tools = [...BASE_TOOLS, ...recipe.tools].map((t) => [t, findTool(t)]);
  const elves = [...tools.map(([, p]) => p), ...recipe.trees.flatMap(sharedObjects)];
  const libs = await libraries(elves, cache);
  const hash = createHash('sha256').update(VERSION).update(JSON.stringify(recipe));
  for (const p of [...elves, ...libs, ...recipe.trees]) {
    const st = fs.statSync(p);
    hash.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return { image, recipe, tools, libs, hash: hash.digest('hex').slice(0, 32) };
}

async function currentLabel(image) {
  try {
    const { stdout } = await run('docker', [
      'image',
      'inspect',
      '--format',
      '{{.Id}} {{index .Config.Labels "lambench.inputs"}}',
      image,
    ]);
    const [id, label] = stdout.trim().split(' ');
    return { id, label };
  } catch {
    return null;
  }
}

/** Copies a host file into the root at its canonical path, keeping soname symlinks. */
function addHostFile(root, hostPath, seen) {
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

function writeBase(root) {
  for (const d of ['usr/bin', 'usr/sbin', 'usr/lib', 'usr/local/bin', 'etc', 'root', 'proc', 'sys', 'dev']) {
    fs.mkdirSync(path.join(root, d), { recursive: true, mode: 0o755 });
  }
  for (const d of ['var/task', 'var/runtime', 'var/lang/bin', 'opt', `home/${SBX.name}`]) {
    fs.mkdirSync(path.join(root, d), { recursive: true, mode: 0o755 });
  }
  fs.mkdirSync(path.join(root, 'tmp'));
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  // Mirror the host's merged-/usr links (/bin → usr/bin, /lib64 → usr/lib64…) so that paths
  // baked into binaries, like the ELF interpreter, resolve the same way inside.
  for (const top of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const host = `/${top}`;
    if (fs.existsSync(host) && fs.lstatSync(host).isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(host), path.join(root, top));
    }
  }
  const etc = (name, text) => fs.writeFileSync(path.join(root, 'etc', name), text, { mode: 0o644 });
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

function stageRoot(root, p) {
  writeBase(root);
  for (const [name, hostPath] of p.tools) {
    const dest = path.join(root, 'usr/bin', name);
    fs.copyFileSync(fs.realpathSync(hostPath), dest);
    fs.chmodSync(dest, 0o755);
  }
  const seen = new Set();
  for (const lib of p.libs) addHostFile(root, lib, seen);
  for (const tree of p.recipe.trees) {
    const filter = tree === '/usr/lib/python3.11' ? keepPython : () => true;
    fs.cpSync(tree, path.join(root, tree), {
      recursive: true,
      filter,
      verbatimSymlinks: true,
      preserveTimestamps: true,
    });
  }
  for (const [link, target] of Object.entries(p.recipe.links)) {
    fs.mkdirSync(path.dirname(path.join(root, link)), { recursive: true });
    fs.symlinkSync(target, path.join(root, link));
  }
}

/** Streams `tar` of the root into `docker import`. */
function importRoot(root, image, hash) {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', '-', '.'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const changes = [`ENV PATH=${PATH_ENV}`, 'WORKDIR /var/task', `LABEL lambench.inputs=${hash}`];
    const args = ['import', ...changes.flatMap((c) => ['--change', c]), '-', image];
    const imp = spawn('docker', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    imp.stderr.on('data', (d) => (stderr += d));
    tar.stdout.pipe(imp.stdin);
    tar.on('error', reject);
    imp.on('error', reject);
    imp.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`docker import ${image} failed (${code}): ${stderr.trim()}`)),
    );
  });
}

async function imageSize(image) {
  const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{.Size}}', image]);
  return Number(stdout.trim());
}

async function buildOne(image, cache, log) {
  const p = await plan(image, cache);
  const current = await currentLabel(image);
  if (current?.label === p.hash) return { image, built: false };
  const started = Date.now();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-rootfs-'));
  try {
    stageRoot(root, p);
    await importRoot(root, image, p.hash);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  // The previous build is now an untagged leftover; drop it unless a container still uses it.
  if (current?.id) await run('docker', ['image', 'rm', current.id]).catch(() => {});
  const size = await imageSize(image);
  log(`built ${image} (${(size / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { image, built: true, size };
}

/**
 * Builds every local image that is missing or out of date.
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<{ map: Record<string, string>, results: { image: string, built: boolean, size?: number }[] }>}
 */
export async function ensureLocalImages(options = {}) {
  const log = options.log ?? ((line) => console.log(`[images] ${line}`));
  const map = localImageMap();
  const images = [...new Set(Object.values(map))];
  // Builds run in parallel: each is mostly copying and docker's own unpacking.
  const cache = readCache();
  const results = await Promise.all(images.map((image) => buildOne(image, cache, log)));
  if (cache.dirty) {
    delete cache.dirty;
    fs.mkdirSync(path.dirname(LDD_CACHE), { recursive: true });
    fs.writeFileSync(LDD_CACHE, JSON.stringify(cache));
  }
  return { map, results };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  ensureLocalImages()
    .then(({ results }) => {
      const fresh = results.filter((r) => r.built).length;
      const ms = Date.now() - started;
      console.log(`[images] ${fresh} built, ${results.length - fresh} up to date (${ms} ms)`);
    })
    .catch((err) => {
      console.error(err.message);
      process.exitCode = 1;
    });
}
