import { describe, expect, it } from 'vitest';
import { portableDataDir, type PortableContext } from './portable.js';

function context(overrides: Partial<PortableContext>, markers: string[] = []): PortableContext {
  return {
    platform: 'linux',
    env: {},
    execPath: '/opt/Ferry/ferry',
    exists: (path) => markers.includes(path),
    ...overrides,
  };
}

describe('portableDataDir', () => {
  it('is off for an installed app', () => {
    expect(portableDataDir(context({}))).toBeNull();
    expect(
      portableDataDir(
        context({ platform: 'win32', execPath: 'C:\\Program Files\\Ferry\\Ferry.exe' }),
      ),
    ).toBeNull();
  });

  it("uses the folder of electron-builder's portable .exe, not its temporary unpack folder", () => {
    expect(
      portableDataDir(
        context({
          platform: 'win32',
          env: { PORTABLE_EXECUTABLE_DIR: 'E:\\Tools' },
          execPath: 'C:\\Users\\Ann\\AppData\\Local\\Temp\\2abc\\Ferry.exe',
        }),
      ),
    ).toBe('E:\\Tools\\ferry-data');
  });

  it('uses the folder of an AppImage that has a portable marker beside it', () => {
    const env = { APPIMAGE: '/media/ann/USB/Ferry-0.1.0.AppImage' };
    const execPath = '/tmp/.mount_FerryXYZ/ferry';
    expect(portableDataDir(context({ env, execPath }))).toBeNull();
    expect(portableDataDir(context({ env, execPath }, ['/media/ann/USB/portable']))).toBe(
      '/media/ann/USB/ferry-data',
    );
    // A marker inside the read-only mount does not count.
    expect(
      portableDataDir(context({ env, execPath }, ['/tmp/.mount_FerryXYZ/portable'])),
    ).toBeNull();
  });

  it('uses the folder of the executable when a portable marker is beside it', () => {
    expect(
      portableDataDir(
        context({ platform: 'win32', execPath: 'E:\\Ferry\\Ferry.exe' }, ['E:\\Ferry\\portable']),
      ),
    ).toBe('E:\\Ferry\\ferry-data');
    expect(portableDataDir(context({}, ['/opt/Ferry/portable']))).toBe('/opt/Ferry/ferry-data');
  });
});
