import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { mergedHive, regFile, regKey } from '../../test/fixtures/registry.js';
import { FerryError } from '../../shared/errors.js';
import { DEFAULT_MAX_FILE_BYTES, type FileTree } from '../files/types.js';
import { detectGuest } from './detect-guest.js';

const DATA = 'test/data/guest';
const THIS_MACHINE = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'arm64' : null;

/**
 * A FileTree over files held in memory: the ext, FAT and NTFS readers are tested on their own,
 * so here only what they hand over matters. NTFS and FAT compare names case-insensitively.
 */
function memoryTree(files: Record<string, Buffer>, caseInsensitive = false): FileTree {
  const fold = (path: string): string => (caseInsensitive ? path.toLowerCase() : path);
  const stored = new Map(Object.entries(files).map(([path, bytes]) => [fold(path), bytes]));
  return {
    async readFile(path, maxBytes = DEFAULT_MAX_FILE_BYTES) {
      const bytes = stored.get(fold(path)) ?? null;
      if (bytes !== null && bytes.length > maxBytes) {
        throw new FerryError('UNSUPPORTED', `the file is larger than ${maxBytes} bytes`);
      }
      return bytes;
    },
    async readHead(path, length) {
      return stored.get(fold(path))?.subarray(0, length) ?? null;
    },
    async list(path) {
      const prefix = `${fold(path).replace(/\/$/, '')}/`;
      const names = [...stored.keys()]
        .filter((file) => file.startsWith(prefix))
        .map((file) => file.slice(prefix.length).split('/')[0]!);
      return names.length === 0 ? null : [...new Set(names)];
    },
  };
}

/** A FileTree whose filesystem is damaged everywhere, as a reader reports it. */
const brokenTree: FileTree = {
  readFile: () => Promise.reject(new FerryError('BAD_FILESYSTEM', 'inode 2 is corrupt')),
  readHead: () => Promise.reject(new FerryError('BAD_FILESYSTEM', 'inode 2 is corrupt')),
  list: () => Promise.reject(new FerryError('BAD_FILESYSTEM', 'inode 2 is corrupt')),
};

/** What a Windows 11 Pro SOFTWARE hive says at CurrentVersion (it still calls itself Windows 10). */
const WINDOWS_11_REG = regFile(
  regKey('Microsoft\\Windows NT\\CurrentVersion', {
    ProductName: 'Windows 10 Pro',
    CurrentVersion: '6.3',
    CurrentBuild: '22631',
    CurrentBuildNumber: '22631',
    EditionID: 'Professional',
    InstallationType: 'Client',
    CurrentMajorVersionNumber: 10,
    CurrentMinorVersionNumber: 0,
  }),
);

async function windows11Hive(): Promise<Buffer> {
  return readFile(await mergedHive('guest-windows-11-hive', WINDOWS_11_REG));
}

const windowsTree = async (software: Buffer): Promise<FileTree> =>
  memoryTree(
    {
      '/Windows/System32/config/SOFTWARE': software,
      '/Windows/System32/ntoskrnl.exe': await readFile(`${DATA}/executables/w64-arm.exe.head`),
    },
    true,
  );

const debianTree = async (): Promise<FileTree> =>
  memoryTree({
    '/etc/os-release': await readFile('/etc/os-release'),
    '/bin/sh': await readFile('/bin/sh'),
  });

const DEBIAN = {
  family: 'linux',
  name: 'Debian GNU/Linux 12 (bookworm)',
  id: 'debian',
  version: '12',
  edition: null,
  build: null,
  architecture: THIS_MACHINE,
};

describe('detectGuest finds Linux', () => {
  it('from /etc/os-release and the ELF header of /bin/sh', async () => {
    expect(await detectGuest([{ partition: 2, tree: await debianTree() }])).toEqual({
      guest: { ...DEBIAN, partition: 2 },
      warnings: [],
    });
  });

  it('from /usr/lib/os-release and /usr/bin/sh when /etc has none (Fedora, arm64)', async () => {
    const tree = memoryTree({
      '/usr/lib/os-release': await readFile(`${DATA}/os-release/fedora42`),
      '/usr/bin/sh': await readFile(`${DATA}/executables/aarch64_super_stripped.elf`),
    });
    expect(await detectGuest([{ partition: null, tree }])).toEqual({
      guest: {
        family: 'linux',
        name: 'Fedora Linux 42 (Forty Two)',
        id: 'fedora',
        version: '42',
        edition: null,
        build: null,
        architecture: 'arm64',
        partition: null,
      },
      warnings: [],
    });
  });

  it('past an os-release it cannot read, with a warning', async () => {
    const tree = memoryTree({
      '/etc/os-release': Buffer.alloc(100_000, 0x41),
      '/usr/lib/os-release': await readFile(`${DATA}/os-release/alpine`),
    });
    const { guest, warnings } = await detectGuest([{ partition: 1, tree }]);
    expect(guest).toMatchObject({ id: 'alpine', version: '3.23.2', architecture: null });
    expect(warnings).toEqual(['partition 1: /etc/os-release: the file is larger than 65536 bytes']);
  });
});

describe('detectGuest finds Windows', () => {
  it('from the SOFTWARE hive and the PE header of ntoskrnl.exe', async () => {
    const tree = await windowsTree(await windows11Hive());
    expect(await detectGuest([{ partition: 3, tree }])).toEqual({
      guest: {
        family: 'windows',
        name: 'Windows 11 Pro',
        id: 'windows',
        version: '10.0',
        edition: 'Professional',
        build: 22631,
        architecture: 'arm64',
        partition: 3,
      },
      warnings: [],
    });
  });

  it('with warnings when the hive was left dirty and lacks CurrentVersion (amcache.hve)', async () => {
    const { stdout } = await execa('xz', ['-dc', `${DATA}/registry/amcache.hve.xz`], {
      encoding: 'buffer',
    });
    const { guest, warnings } = await detectGuest([
      { partition: 2, tree: await windowsTree(Buffer.from(stdout)) },
    ]);
    expect(guest).toMatchObject({ family: 'windows', name: 'Windows', version: null });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^partition 2: .*SOFTWARE was not fully written/);
    expect(warnings[1]).toMatch(/has no Microsoft\\Windows NT\\CurrentVersion key/);
  });

  it('without a version when the hive cannot be read but the kernel can', async () => {
    const kernelOnly = await windowsTree(await windows11Hive());
    const tree: FileTree = {
      list: kernelOnly.list,
      readHead: kernelOnly.readHead,
      readFile: (path, maxBytes) =>
        path.endsWith('SOFTWARE')
          ? Promise.reject(new FerryError('UNSUPPORTED', 'the file is too large', { where: path }))
          : kernelOnly.readFile(path, maxBytes),
    };
    expect(await detectGuest([{ partition: 4, tree }])).toEqual({
      guest: {
        family: 'windows',
        name: 'Windows',
        id: 'windows',
        version: null,
        edition: null,
        build: null,
        architecture: 'arm64',
        partition: 4,
      },
      warnings: ['partition 4: /Windows/System32/config/SOFTWARE: the file is too large'],
    });
  });
});

describe('detectGuest on disks with several filesystems', () => {
  it('reports a corrupt hive and still finds the system on the next partition', async () => {
    const corrupt = Buffer.from(await windows11Hive());
    corrupt.writeUInt32LE(0xdeadbeef, 0x1000 + 8);
    const { guest, warnings } = await detectGuest([
      { partition: 1, tree: brokenTree },
      { partition: 2, tree: await windowsTree(corrupt) },
      { partition: 3, tree: await debianTree() },
    ]);
    expect(guest).toMatchObject({ family: 'windows', name: 'Windows', architecture: 'arm64' });
    expect(warnings).toEqual([
      'partition 1: /etc/os-release: inode 2 is corrupt',
      'partition 1: /usr/lib/os-release: inode 2 is corrupt',
      'partition 1: /Windows/System32/config/SOFTWARE: inode 2 is corrupt',
      'partition 1: /Windows/System32/ntoskrnl.exe: inode 2 is corrupt',
      expect.stringMatching(
        /^partition 2: \/Windows\/System32\/config\/SOFTWARE: hive bin at 0x1000 has size/,
      ),
      'Debian GNU/Linux 12 (bookworm) was found on partition 3 too; the virtual machine is set up for Windows',
    ]);
  });

  it('skips a damaged filesystem and finds Linux after it', async () => {
    const { guest } = await detectGuest([
      { partition: 1, tree: brokenTree },
      { partition: 2, tree: await debianTree() },
    ]);
    expect(guest).toEqual({ ...DEBIAN, partition: 2 });
  });

  it('finds nothing on filesystems without a system', async () => {
    const esp = memoryTree({ '/EFI/BOOT/BOOTX64.EFI': Buffer.from('MZ') }, true);
    expect(await detectGuest([{ partition: 1, tree: esp }])).toEqual({ guest: null, warnings: [] });
    expect(await detectGuest([])).toEqual({ guest: null, warnings: [] });
  });

  it('lets a bug in a reader (anything but a FerryError) through', async () => {
    const buggy: FileTree = {
      readFile: () => Promise.reject(new TypeError('x')),
      readHead: () => Promise.reject(new TypeError('x')),
      list: async () => null,
    };
    await expect(detectGuest([{ partition: 1, tree: buggy }])).rejects.toThrow(TypeError);
  });
});
