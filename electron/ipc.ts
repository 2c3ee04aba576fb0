/**
 * The main process's side of the preload: engine requests go to the host untouched, shell
 * requests to native dialogs. Every call is checked to come from the app's own page, and every
 * argument is checked, because a renderer is untrusted by design.
 */
import { isAbsolute } from 'node:path';
import {
  ipcMain,
  shell,
  type BrowserWindow,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
} from 'electron';
import { RequestSchemas, type RequestName } from '../shared/api.js';
import { FerryError } from '../shared/errors.js';
import { CHANNELS } from './channels.js';
import { chooseFile, chooseFolder } from './dialogs.js';
import type { EngineHost } from './engine-host.js';
import type { Reply } from './host-client.js';
import { isRendererUrl } from './web-security.js';

export function registerIpc(window: BrowserWindow, host: EngineHost): void {
  const fromApp = (event: IpcMainInvokeEvent | IpcMainEvent): boolean =>
    event.sender === window.webContents && isRendererUrl(event.senderFrame?.url ?? '');
  const trusted = <A extends unknown[], R>(
    handler: (...args: A) => R,
  ): ((event: IpcMainInvokeEvent, ...args: A) => R) => {
    return (event, ...args) => {
      if (!fromApp(event)) throw new Error('refused: the request did not come from Ferry’s window');
      return handler(...args);
    };
  };

  ipcMain.handle(
    CHANNELS.request,
    trusted((name: unknown, params: unknown): Promise<Reply> | Reply =>
      isRequestName(name) ? host.request(name, params) : unknownRequest(name),
    ),
  );
  ipcMain.handle(
    CHANNELS.chooseFile,
    trusted((options: unknown) => chooseFile(window, titleOf(options))),
  );
  ipcMain.handle(
    CHANNELS.chooseFolder,
    trusted((options: unknown) => chooseFolder(window, titleOf(options))),
  );
  ipcMain.handle(
    CHANNELS.showInFolder,
    trusted((path: unknown) => {
      if (typeof path === 'string' && isAbsolute(path)) shell.showItemInFolder(path);
    }),
  );
  ipcMain.on(CHANNELS.setProgress, (event, fraction: unknown) => {
    if (fromApp(event)) window.setProgressBar(progressBarValue(fraction));
  });
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(RequestSchemas, name);
}

/** setProgressBar's scale: 0..1 shows progress, a negative value removes the bar. */
export function progressBarValue(fraction: unknown): number {
  return typeof fraction === 'number' && fraction >= 0 && fraction <= 1 ? fraction : -1;
}

function titleOf(options: unknown): string {
  const title = (options as { title?: unknown } | null)?.title;
  return typeof title === 'string' ? title.slice(0, 200) : 'Ferry';
}

function unknownRequest(name: unknown): Reply {
  const error = new FerryError('USAGE', `unknown request ${JSON.stringify(String(name))}`, {
    where: 'window.ferry.request',
    hint: 'the renderer and the shell are from different versions; reinstall Ferry',
  });
  return { kind: 'error', id: 0, error: { code: error.code, message: error.toLine() } };
}
