/**
 * The README's first command on a fresh clone: `npm install` must succeed when Electron's binary cannot be
 * downloaded, and say so in one line. The download is pointed at a closed loopback port (and an empty
 * cache), so this holds on a machine with a network too. npm's own cache is warm after CI's `npm ci`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-fresh-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The repository's files as a clone would have them (committed or not), without node_modules or out/. */
function scratchCopy(): string {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && fs.existsSync(f));
  for (const file of files) {
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.cpSync(file, path.join(dir, file), { verbatimSymlinks: true });
  }
  return dir;
}

/** A user's shell: none of the npm_* variables an outer `npm test` sets, and no skip variable. */
function userEnv(mirror = 'http://127.0.0.1:9/'): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'ELECTRON_SKIP_BINARY_DOWNLOAD'),
  );
  return {
    ...env,
    // By default the discard port: nothing listens, so the download fails fast even with a network.
    ELECTRON_MIRROR: mirror,
    electron_config_cache: fs.mkdtempSync(path.join(root, 'electron-cache-')),
  };
}

const dir = path.join(root, 'repo');

function npmInstall(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['install', '--ignore-scripts=false', '--no-audit', '--no-fund', '--prefer-offline'];
  return new Promise((resolve) =>
    execFile('npm', args, { cwd: dir, env, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

it('npm install succeeds without Electron’s binary and says so in one line', async () => {
  scratchCopy();
  const { code, stdout, stderr } = await npmInstall(userEnv());
  expect(code, `npm install failed:\n${stderr.slice(-3000)}`).toBe(0);
  const lines = stdout.split('\n').filter((l) => l.startsWith('Electron binary'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^Electron binary not available \(.+\): `npm start` will use web mode$/);
  // The package stays (its types and electron-vite need it); only the binary is missing.
  expect(fs.existsSync(path.join(dir, 'node_modules/electron/electron.d.ts'))).toBe(true);
  expect(fs.existsSync(path.join(dir, 'node_modules/electron/dist'))).toBe(false);
  // `prepare` built the app and the CLI, so `npm start` (web mode) and `lambench` work right away.
  expect(fs.existsSync(path.join(dir, 'out/main/cli.js'))).toBe(true);
  expect(fs.existsSync(path.join(dir, 'out/renderer/index.html'))).toBe(true);
}, 600_000); // ~100 s on a quiet machine; far more when the cores are shared

/**
 * A mirror on loopback standing in for GitHub: Electron's zip (a stand-in binary) and its SHASUMS256.txt,
 * at the paths @electron/get asks for.
 */
async function fakeElectronMirror(version: string): Promise<http.Server> {
  const name = `electron-v${version}-${process.platform}-${process.arch}.zip`;
  const zip = path.join(root, name);
  execFileSync('python3', [
    '-c',
    `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], 'w')
i = zipfile.ZipInfo('electron'); i.external_attr = 0o100755 << 16
z.writestr(i, '#!/bin/sh\\necho stand-in electron\\n')
z.writestr('version', sys.argv[2])
z.close()`,
    zip,
    version,
  ]);
  const body = fs.readFileSync(zip);
  const sums = `${createHash('sha256').update(body).digest('hex')} *${name}\n`;
  const server = http.createServer((req, res) => {
    if (req.url === `/v${version}/${name}`) res.end(body);
    else if (req.url === `/v${version}/SHASUMS256.txt`) res.end(sums);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

it('with a download that works, the same npm install installs the binary for the desktop app', async () => {
  const version = (
    JSON.parse(fs.readFileSync(path.join(dir, 'node_modules/electron/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const mirror = await fakeElectronMirror(version);
  try {
    const { port } = mirror.address() as AddressInfo;
    const env = { ...userEnv(`http://127.0.0.1:${port}/`), electron_use_remote_checksums: '1' };
    const { code, stdout, stderr } = await npmInstall(env);
    expect(code, `npm install failed:\n${stderr.slice(-3000)}`).toBe(0);
    const lines = stdout.split('\n').filter((l) => l.startsWith('Electron binary'));
    expect(lines).toEqual(['Electron binary installed: `npm start` opens the desktop app']);
    // `npm start` asks the electron package for its binary, as scripts/electron-binary.js does.
    const binary = execFileSync(process.execPath, ['-p', "require('electron')"], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(execFileSync(binary.trim(), { encoding: 'utf8' })).toBe('stand-in electron\n');
  } finally {
    mirror.close();
  }
}, 600_000);
