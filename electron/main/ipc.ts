import { ipcMain, type BrowserWindow, type WebContents } from 'electron';
import { dispatch } from '../../shared/rpc/dispatch';
import type { Engine } from '../engine/engine';

/** The Electron transport: one channel for calls, one for events, both generic over the contract. */
export function serveIpc(
  engine: Engine,
  window: BrowserWindow,
  isOwnPage: (url: string) => boolean,
): () => void {
  ipcMain.handle('lambench:call', (event, method: unknown, input: unknown) => {
    // Only our own top-level page may call the engine, never an iframe or a navigated-away page.
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !isOwnPage(frame.url) || event.sender !== window.webContents) {
      return {
        ok: false,
        error: { name: 'Forbidden', message: 'This sender may not call the Workbench API' },
      };
    }
    return dispatch(engine.handlers, method, input);
  });
  const send = (contents: WebContents) => (event: string, payload: unknown) => {
    if (!contents.isDestroyed()) contents.send('lambench:event', event, payload);
  };
  const unsubscribe = engine.events.subscribe(send(window.webContents));
  return () => {
    unsubscribe();
    ipcMain.removeHandler('lambench:call');
  };
}
