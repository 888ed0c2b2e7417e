// better-sqlite3 in node_modules is built for Node (CLI, web mode, tests). The desktop app in development
// needs one built for Electron's ABI: this builds that copy on the side, so the two never overwrite each other.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

export function electronSqliteBinding() {
  const electronVersion = require('electron/package.json').version;
  const sqliteVersion = require('better-sqlite3/package.json').version;
  const dir = join(
    'node_modules',
    '.cache',
    'lambench',
    `better-sqlite3-${sqliteVersion}-electron-${electronVersion}`,
  );
  const binding = join(dir, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) return binding;
  console.log(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (once)…`);
  cpSync(join('node_modules', 'better-sqlite3'), dir, {
    recursive: true,
    filter: (src) => !src.includes('/build/'),
  });
  execFileSync(
    process.execPath,
    [
      require.resolve('node-gyp/bin/node-gyp.js'),
      'rebuild',
      '--release',
      '--runtime=electron',
      `--target=${electronVersion}`,
      '--dist-url=https://electronjs.org/headers',
    ],
    { cwd: dir, stdio: 'inherit' },
  );
  return binding;
}
