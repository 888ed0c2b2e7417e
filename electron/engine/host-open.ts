/**
 * Opening a function's handler in the user's editor and a project in the file manager, on the machine the
 * engine runs on. The editor is $VISUAL, else $EDITOR (unless it is a terminal editor such as vim), else
 * VS Code's `code` when on PATH, else the OS default text editor (xdg-open, open -t, Notepad).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { WorkbenchError } from '../../shared/rpc/errors';
import type { FunctionInfo, OpenedOnHost } from '../../shared/types';

/** The file a function's handler names, or its code folder when that file cannot be found. */
export function handlerFile(fn: Pick<FunctionInfo, 'runtime' | 'handler' | 'codeUri'>): string {
  const dir = fn.codeUri;
  const candidates: string[] = [];
  if (fn.runtime.startsWith('provided')) candidates.push('bootstrap');
  else {
    const base = fn.handler.slice(0, Math.max(0, fn.handler.lastIndexOf('.')));
    if (fn.runtime.startsWith('nodejs'))
      candidates.push(...['.js', '.mjs', '.cjs', '.ts'].map((e) => base + e));
    else candidates.push(`${base.replace(/\./g, '/')}.py`, join(base.replace(/\./g, '/'), '__init__.py'));
  }
  const found = candidates.map((c) => join(dir, c)).find((p) => existsSync(p));
  return found ?? dir;
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The OS's default for a text file. Never a plain `open`/`start`: those would *run* a `bootstrap` or an
 * associated `.py` instead of showing it, so macOS gets `open -t` (the text editor) and Windows Notepad.
 */
function systemEditor(): string[] {
  if (process.platform === 'darwin') return ['open', '-t'];
  if (process.platform === 'win32') return ['notepad'];
  return ['xdg-open'];
}

/** Editors that need a terminal: started from the app they would run invisibly, so they are passed over. */
const TERMINAL_EDITORS = new Set([
  'vi',
  'vim',
  'nvim',
  'nano',
  'pico',
  'micro',
  'hx',
  'helix',
  'kak',
  'joe',
  'ed',
  'mg',
]);

function editorCommand(): { argv: string[]; opener: string } {
  for (const name of ['VISUAL', 'EDITOR'] as const) {
    const value = process.env[name]?.trim();
    // A value may carry flags (`code -w`); paths with spaces belong in a wrapper script.
    const argv = value ? value.split(/\s+/) : [];
    if (argv.length && !TERMINAL_EDITORS.has(basename(argv[0])))
      return { argv, opener: `$${name} (${value})` };
  }
  if (onPath('code')) return { argv: ['code'], opener: 'code' };
  const argv = systemEditor();
  return { argv, opener: argv.join(' ') };
}

/** Starts `argv + path` detached (the editor outlives the engine); rejects if it cannot be started. */
function launch(argv: string[], path: string, opener: string): Promise<OpenedOnHost> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], [...argv.slice(1), path], { detached: true, stdio: 'ignore' });
    child.once('error', (err) =>
      reject(
        new WorkbenchError('OpenFailed', `Could not open ${path} with ${opener}: ${err.message}`, {
          path,
          opener,
        }),
      ),
    );
    child.once('spawn', () => {
      child.unref();
      resolve({ path, opener });
    });
  });
}

export function openInEditor(path: string): Promise<OpenedOnHost> {
  const { argv, opener } = editorCommand();
  return launch(argv, path, opener);
}

export function openInFileManager(folder: string): Promise<OpenedOnHost> {
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  return launch([opener], folder, opener);
}
