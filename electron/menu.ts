/** The application menu, as a template: data that tests can read without Electron. */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Not packaged: reload and developer tools are offered. */
  development: boolean;
}

export interface MenuActions {
  openDiskImage(): void;
}

export function menuTemplate(
  options: MenuOptions,
  actions: MenuActions,
): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      {
        label: 'Open Disk Image…',
        accelerator: 'CmdOrCtrl+O',
        click: () => actions.openDiskImage(),
      },
      { type: 'separator' },
      // macOS puts Quit in the application menu; a window is closed from File there.
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...(options.development
        ? ([
            { role: 'reload' },
            { role: 'forceReload' },
            { role: 'toggleDevTools' },
            { type: 'separator' },
          ] satisfies MenuItemConstructorOptions[])
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [{ role: 'about', label: 'About Ferry' }],
  };
  return [
    ...(mac ? [{ role: 'appMenu' } satisfies MenuItemConstructorOptions] : []),
    file,
    // Without an Edit menu, copy and paste do not work in text fields on macOS.
    { role: 'editMenu' },
    view,
    // macOS has About in the application menu already.
    ...(mac ? [] : [help]),
  ];
}
