/** The one window: sandboxed, isolated, no Node, the preload as its only bridge. */
import { BrowserWindow } from 'electron';
import { RENDERER_INDEX } from './web-security.js';

export interface MainWindowOptions {
  preload: string;
  development: boolean;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Ferry',
    width: 1100,
    height: 760,
    minWidth: 800,
    minHeight: 560,
    show: false,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: options.development,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(RENDERER_INDEX);
  return window;
}
