/**
 * window.ferry in the Electron window: FerryApi over IPC, and the shell's native parts. Built
 * by build.mjs into one CommonJS file, because a sandboxed preload can require only `electron`.
 * Nothing else is exposed: the page gets no ipcRenderer and no Node.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { FerryApi, FerryEvent, ShellApi } from '../shared/api.js';
import { CHANNELS } from './channels.js';
import type { Reply } from './host-client.js';

const shell: ShellApi = {
  chooseFile: (options) => ipcRenderer.invoke(CHANNELS.chooseFile, { title: options.title }),
  chooseFolder: (options) => ipcRenderer.invoke(CHANNELS.chooseFolder, { title: options.title }),
  showInFolder: (path) => ipcRenderer.invoke(CHANNELS.showInFolder, path),
  setProgress: (fraction) => ipcRenderer.send(CHANNELS.setProgress, fraction),
};

const ferry: FerryApi = {
  async request(name, params) {
    const reply = (await ipcRenderer.invoke(CHANNELS.request, name, params)) as Reply;
    // Across the context bridge only an Error's message survives, which is what FerryApi promises.
    if (reply.kind === 'error') throw new Error(reply.error.message);
    return reply.result as never;
  },
  onEvent(listener) {
    const forward = (_event: IpcRendererEvent, event: FerryEvent): void => listener(event);
    ipcRenderer.on(CHANNELS.event, forward);
    return () => {
      ipcRenderer.removeListener(CHANNELS.event, forward);
    };
  },
  shell,
};

contextBridge.exposeInMainWorld('ferry', ferry);
