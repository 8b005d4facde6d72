/**
 * The preload (sandboxed, context-isolated): exposes exactly `window.pospay` = PosApi (plus
 * `onConnection`, the terminal core's connection state) and nothing else. Only the contract's channels pass (see shell/bridge.ts); the Electron event
 * object never reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createPosApi } from './shell/bridge.ts';
import { IPC_CONNECTION, IPC_EVENT, IPC_INVOKE } from './shell/channels.ts';

const api = createPosApi({
  invoke: (channel, request) => ipcRenderer.invoke(IPC_INVOKE, channel, request),
  subscribe(listener) {
    const handler = (_event: IpcRendererEvent, channel: unknown, payload: unknown): void => {
      if (typeof channel === 'string') listener(channel, payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
  subscribeConnection(listener) {
    const handler = (_event: IpcRendererEvent, connected: unknown): void => {
      if (typeof connected === 'boolean') listener(connected);
    };
    ipcRenderer.on(IPC_CONNECTION, handler);
    return () => {
      ipcRenderer.removeListener(IPC_CONNECTION, handler);
    };
  },
});

contextBridge.exposeInMainWorld('pospay', api);
