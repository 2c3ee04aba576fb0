import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { menuTemplate } from './menu.js';

function submenu(
  template: MenuItemConstructorOptions[],
  label: string,
): MenuItemConstructorOptions[] {
  const menu = template.find((item) => item.label === label || item.role === label);
  return (menu?.submenu ?? []) as MenuItemConstructorOptions[];
}

const roles = (items: MenuItemConstructorOptions[]): unknown[] => items.map((item) => item.role);

describe('menuTemplate', () => {
  it('offers Open Disk Image… and Quit in File', () => {
    const openDiskImage = vi.fn();
    const file = submenu(
      menuTemplate({ platform: 'linux', development: false }, { openDiskImage }),
      'File',
    );
    const open = file.find((item) => item.label === 'Open Disk Image…');
    expect(open?.accelerator).toBe('CmdOrCtrl+O');
    (open?.click as () => void)();
    expect(openDiskImage).toHaveBeenCalledOnce();
    expect(roles(file)).toContain('quit');
  });

  it('offers reload and developer tools only in development', () => {
    const actions = { openDiskImage: vi.fn() };
    const packaged = roles(
      submenu(menuTemplate({ platform: 'win32', development: false }, actions), 'View'),
    );
    expect(packaged).not.toContain('reload');
    expect(packaged).not.toContain('toggleDevTools');
    const development = roles(
      submenu(menuTemplate({ platform: 'win32', development: true }, actions), 'View'),
    );
    expect(development).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it('has Help > About on Windows and Linux, the application menu on macOS', () => {
    const actions = { openDiskImage: vi.fn() };
    const linux = menuTemplate({ platform: 'linux', development: false }, actions);
    expect(roles(submenu(linux, 'help'))).toEqual(['about']);
    const mac = menuTemplate({ platform: 'darwin', development: false }, actions);
    expect(mac[0]?.role).toBe('appMenu');
    expect(mac.some((item) => item.role === 'help')).toBe(false);
    expect(roles(submenu(mac, 'File'))).toContain('close');
    expect(mac.some((item) => item.role === 'editMenu')).toBe(true);
  });
});
