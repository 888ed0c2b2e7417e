import { app, BrowserWindow, nativeTheme } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEngine, type Engine } from '../engine/engine';
import { resolveHome } from '../engine/home';
import { packagedResourcesDir } from '../engine/resources';
import { serveIpc } from './ipc';
import { installMenu } from './menu';
import { hardenApp } from './security';

const rendererUrl = process.env.ELECTRON_RENDERER_URL;
const indexFile = join(import.meta.dirname, '../renderer/index.html');
const isOwnPage = (url: string) =>
  rendererUrl ? url.startsWith(rendererUrl) : url.split(/[?#]/)[0] === pathToFileURL(indexFile).href;

// Packaged, the runtime clients and blueprints sit unpacked beside the asar, where Docker can mount them.
if (app.isPackaged) process.env.LAMBENCH_RESOURCES ??= packagedResourcesDir(process.resourcesPath);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let engine: Engine | undefined;
  let window: BrowserWindow | undefined;
  hardenApp(isOwnPage);

  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });

  app.whenReady().then(async () => {
    installMenu();
    engine = await createEngine({ home: resolveHome(app.getPath('userData')) });
    // The template's events go live; a port in use shows in the status bar with a way to change it.
    const { triggers, settings } = engine.services;
    void triggers.start().then(() => triggers.startHttp(settings.get().httpApiPort));
    // A taken port leaves the Invoke API off with the reason in Settings; the app itself runs on.
    const invokeApi = await engine.services.invokeApi.start(engine.services.settings.get());
    if (invokeApi.error) console.error(`lambench: ${invokeApi.error}`);
    window = new BrowserWindow({
      width: 1280,
      height: 820,
      minWidth: 1024,
      minHeight: 700,
      show: false,
      title: 'Lambench',
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#16191f' : '#ffffff',
      webPreferences: {
        preload: join(import.meta.dirname, '../preload/index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        spellcheck: false,
      },
    });
    serveIpc(engine, window, isOwnPage);
    window.once('ready-to-show', () => window?.show());
    if (rendererUrl) await window.loadURL(rendererUrl);
    else await window.loadFile(indexFile);
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (!engine) return;
    // Containers are removed before exit, so no environment outlives the app.
    event.preventDefault();
    const closing = engine;
    engine = undefined;
    void closing.close().finally(() => app.quit());
  });
}
