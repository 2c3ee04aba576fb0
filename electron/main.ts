/**
 * Electron's entry (dist/electron/main.js): one window, the menu, native dialogs, and the engine
 * host it starts and forwards to. Everything that touches a disk happens in the host.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, Menu, protocol, session, type BrowserWindow } from 'electron';
import type { FerryEvent } from '../shared/api.js';
import { appFiles } from './app-files.js';
import { CHANNELS, type OpenImageEvent } from './channels.js';
import { chooseDiskImage } from './dialogs.js';
import { EngineHost } from './engine-host.js';
import { guardContents, hardenSession } from './hardening.js';
import { registerIpc } from './ipc.js';
import { createMainWindow } from './main-window.js';
import { menuTemplate } from './menu.js';
import { portableDataDir } from './portable.js';
import { rendererResponse } from './renderer-protocol.js';
import { RENDERER_SCHEME } from './web-security.js';

/** The same as appId in electron-builder.yml: Windows groups the taskbar button by it. */
const APP_ID = 'org.ferry.desktop';

const files = appFiles(dirname(fileURLToPath(import.meta.url)));
const development = !app.isPackaged;

// Both must happen before the app is ready.
usePortableData();
protocol.registerSchemesAsPrivileged([
  {
    scheme: RENDERER_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
  },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      dialog.showErrorBox('Ferry could not start', String(error));
      app.exit(1);
    });
}

function usePortableData(): void {
  const dir = portableDataDir({
    platform: process.platform,
    env: process.env,
    execPath: process.execPath,
    exists: existsSync,
  });
  if (!dir) return;
  app.setPath('userData', dir);
  app.setAppLogsPath(join(dir, 'logs'));
}

function start(): void {
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  hardenSession(session.defaultSession);
  protocol.handle(RENDERER_SCHEME, (request) => rendererResponse(files.rendererRoot, request.url));
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  app.setAboutPanelOptions({
    applicationName: 'Ferry',
    applicationVersion: app.getVersion(),
    copyright: 'Copyright (c) 2026 The Ferry authors',
  });

  let window: BrowserWindow | null = null;
  const send = (event: FerryEvent | OpenImageEvent): void => {
    if (window && !window.isDestroyed()) window.webContents.send(CHANNELS.event, event);
  };
  const host = new EngineHost({
    execPath: process.execPath,
    hostScript: files.hostScript,
    bridgeScript: files.bridgeScript,
    platform: process.platform,
    elevated: process.getuid?.() === 0,
    onEvent: send,
  });
  host.start();

  const main = createMainWindow({ preload: files.preload, development });
  window = main;
  registerIpc(main, host);
  const openDiskImage = async (): Promise<void> => {
    const path = await chooseDiskImage(main);
    if (path) send({ type: 'openImage', path });
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        { platform: process.platform, development },
        { openDiskImage: () => void openDiskImage() },
      ),
    ),
  );

  app.on('second-instance', () => {
    if (main.isMinimized()) main.restore();
    main.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => host.close());
}
