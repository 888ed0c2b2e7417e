/**
 * The README's first command on a fresh clone: `npm install` must succeed when Electron's binary cannot be
 * downloaded, and say so in one line. The download is pointed at a closed loopback port (and an empty
 * cache), so this holds on a machine with a network too. npm's own cache is warm after CI's `npm ci`.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-fresh-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The repository's files as a clone would have them (committed or not), without node_modules or out/. */
function scratchCopy(): string {
  const dir = path.join(root, 'repo');
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
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'ELECTRON_SKIP_BINARY_DOWNLOAD'),
  );
  return {
    ...env,
    ELECTRON_MIRROR: 'http://127.0.0.1:9/', // the discard port: nothing listens, the download fails fast
    electron_config_cache: path.join(root, 'electron-cache'),
  };
}

it('npm install succeeds without Electron’s binary and says so in one line', async () => {
  const dir = scratchCopy();
  const args = ['install', '--ignore-scripts=false', '--no-audit', '--no-fund', '--prefer-offline'];
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
    (resolve) =>
      execFile('npm', args, { cwd: dir, env: userEnv(), maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
  );
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
