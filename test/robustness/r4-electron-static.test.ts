/**
 * R4: Electron's security checklist, the items that can be read off the source (the binary is not on
 * this machine): every window isolated and sandboxed without Node, a strict CSP, navigation and new
 * windows blocked, permissions denied, IPC senders checked, and no raw ipcRenderer for the page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { report, type SoakRow } from './report';

const read = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: path.join(dir, f), text: fs.readFileSync(path.join(dir, f), 'utf8') }));
const main = read('electron/main');
const preload = read('electron/preload');
const mainText = main.map((m) => m.text).join('\n');
const html = fs.readFileSync('renderer/index.html', 'utf8');

/** The options object of each `new BrowserWindow({...})`, brace-matched. */
function windowOptions(text: string): string[] {
  const found: string[] = [];
  let at = text.indexOf('new BrowserWindow(');
  while (at >= 0) {
    const open = text.indexOf('{', at);
    let depth = 0;
    let end = open;
    for (; end < text.length; end++) {
      if (text[end] === '{') depth++;
      else if (text[end] === '}' && --depth === 0) break;
    }
    found.push(text.slice(open, end + 1));
    at = text.indexOf('new BrowserWindow(', end);
  }
  return found;
}

const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
const directive = (name: string) =>
  csp
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith(`${name} `)) ?? '';

const windows = main.flatMap((m) => windowOptions(m.text));
const preloadText = preload.map((p) => p.text).join('\n');

/**
 * Uses of ipcRenderer other than a method call on one of our fixed channels: passing it, returning it or
 * calling it with a channel the page chooses would hand the page raw IPC.
 */
function rawIpcRendererUses(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return code
    .split('\n')
    .filter((line) => /\bipcRenderer\b/.test(line) && !/^import /.test(line.trim()))
    .filter((line) =>
      [...line.matchAll(/\bipcRenderer\b(.{0,40})/g)].some(
        (m) => !/^\.(invoke|on|removeListener)\('lambench:(call|event)'/.test(m[1]),
      ),
    );
}

const checks: [string, string, boolean][] = [
  ['a BrowserWindow exists', `${windows.length} window(s)`, windows.length > 0],
  ['contextIsolation: true', 'every window', windows.every((w) => /contextIsolation:\s*true/.test(w))],
  ['sandbox: true', 'every window', windows.every((w) => /sandbox:\s*true/.test(w))],
  [
    'nodeIntegration not true',
    'every window',
    windows.every((w) => !/nodeIntegration(InWorker|InSubFrames)?:\s*true/.test(w)),
  ],
  ['webSecurity not false', 'every window', windows.every((w) => !/webSecurity:\s*false/.test(w))],
  [
    'no insecure content or experimental features',
    'main/',
    !/allowRunningInsecureContent:\s*true|experimentalFeatures:\s*true|enableBlinkFeatures/.test(mainText),
  ],
  ['CSP present', csp.slice(0, 40), csp.length > 0],
  ["CSP default-src 'self'", directive('default-src'), directive('default-src') === "default-src 'self'"],
  ['CSP no unsafe-eval', "no 'unsafe-eval'", !csp.includes("'unsafe-eval'")],
  ['CSP scripts only from self', directive('script-src'), directive('script-src') === "script-src 'self'"],
  ["CSP object-src 'none'", directive('object-src'), directive('object-src') === "object-src 'none'"],
  [
    'will-navigate blocked',
    'preventDefault unless own page',
    /on\('will-navigate'[\s\S]{0,120}preventDefault\(\)/.test(mainText),
  ],
  [
    'webviews blocked',
    'will-attach-webview preventDefault',
    /on\('will-attach-webview'[\s\S]{0,80}preventDefault\(\)/.test(mainText),
  ],
  [
    'window.open denied',
    "setWindowOpenHandler → action 'deny'",
    /setWindowOpenHandler\([\s\S]{0,400}action:\s*'deny'/.test(mainText),
  ],
  [
    'external links only http(s)',
    'openExternal behind a scheme check',
    /\^https\?:[\s\S]{0,60}openExternal/.test(mainText),
  ],
  [
    'permission requests denied',
    'callback(false)',
    /setPermissionRequestHandler\([^)]*\)\s*=>\s*callback\(false\)/.test(mainText),
  ],
  [
    'permission checks denied',
    '() => false',
    /setPermissionCheckHandler\(\(\)\s*=>\s*false\)/.test(mainText),
  ],
  ['hardening installed', 'hardenApp(isOwnPage) in index.ts', /hardenApp\(isOwnPage\)/.test(mainText)],
  [
    'IPC sender checked',
    'senderFrame top-level, own page, own window',
    /senderFrame[\s\S]{0,200}parent !== null[\s\S]{0,80}isOwnPage\(frame\.url\)[\s\S]{0,80}event\.sender !== window\.webContents/.test(
      mainText,
    ),
  ],
  ['preload uses contextBridge', 'exposeInMainWorld', /contextBridge\.exposeInMainWorld\(/.test(preloadText)],
  [
    'preload exposes no raw ipcRenderer',
    'ipcRenderer only in fixed-channel calls',
    rawIpcRendererUses(preloadText).length === 0,
  ],
];

const rows: SoakRow[] = checks.map(([item, expected, pass]) => ({
  case: `R4 electron ${item}`,
  expected,
  got: pass ? 'found in source' : 'NOT found',
  pass,
}));

afterAll(() => report(rows));

describe('R4 Electron checklist (static)', () => {
  it.each(checks)('%s', (_item, _expected, pass) => {
    expect(pass).toBe(true);
  });
});
