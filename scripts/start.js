// `npm start`: the desktop app when Electron's binary is installed, else the same UI in web mode.
import { spawn } from 'node:child_process';
import { electronBinary } from './electron-binary.js';
import { electronSqliteBinding } from './electron-sqlite.js';

const binary = electronBinary();
if (binary) {
  const env = { ...process.env, LAMBENCH_SQLITE_BINDING: electronSqliteBinding() };
  spawn(binary, ['.'], { stdio: 'inherit', env }).on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    'Electron’s binary is not installed here (its download failed at `npm install`, or was skipped),',
  );
  console.log('so Lambench starts in web mode: the same UI, served on 127.0.0.1 behind a token.\n');
  const serve = spawn(process.execPath, ['bin/lambench.js', 'serve', ...process.argv.slice(2)], {
    stdio: ['inherit', 'pipe', 'inherit'],
  });
  let opened = false;
  serve.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(String(chunk))?.[1];
    if (url && !opened) {
      opened = true;
      openBrowser(url);
    }
  });
  serve.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => serve.kill(signal));
}

function openBrowser(url) {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.log('Open the URL above in your browser.'));
  child.unref();
}
