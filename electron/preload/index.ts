/**
 * The sandboxed preload: the page gets `call` and `onEvent`, which reach only the contract's dispatcher in
 * main (it refuses anything not in the contract). Raw ipcRenderer never reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

contextBridge.exposeInMainWorld('lambench', {
  call: (method: string, input: unknown) => ipcRenderer.invoke('lambench:call', String(method), input),
  onEvent: (listener: (event: string, payload: unknown) => void) => {
    const forward = (_e: IpcRendererEvent, event: string, payload: unknown) => listener(event, payload);
    ipcRenderer.on('lambench:event', forward);
    return () => ipcRenderer.removeListener('lambench:event', forward);
  },
});
