import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import { FerryError } from '../../shared/errors.js';
import type { CommandRunner } from '../io/run-command.js';
import { listDisks } from './list-disks.js';
import { noSysfs } from './sysfs.js';

describe.skipIf(process.platform !== 'linux')('listDisks on this machine', () => {
  it('finds the disks, and exactly one system disk: the one under / (here /dev/vda)', async () => {
    const disks = await listDisks();
    expect(disks.length).toBeGreaterThan(0);
    const system = disks.filter((disk) => disk.system);
    expect(system).toHaveLength(1);
    // Independently: what / is mounted from, followed down to its disk (`lsblk -s` inverts the tree).
    const source = (await sh('findmnt', ['-n', '-o', 'SOURCE', '/'])).trim();
    const below = await sh('lsblk', ['-s', '-n', '-p', '-o', 'NAME,TYPE', source]);
    const rootDisks = below
      .split('\n')
      .map((line) =>
        line
          .replace(/^[^/]*/, '')
          .trim()
          .split(/\s+/),
      )
      .filter(([, type]) => type === 'disk')
      .map(([name]) => name);
    expect(rootDisks).toContain(system[0]?.path);
    for (const disk of disks) {
      expect(disk.size).toBeGreaterThan(0);
      expect([512, 1024, 2048, 4096]).toContain(disk.logicalSectorSize);
    }
  });
});

describe('listDisks on other platforms, from recorded outputs', () => {
  const macos = (name: string) => readFileSync(`test/data/disks/macos/${name}`);
  const recorded: Record<string, Buffer> = {
    'list -plist': macos('diskutil-list-apfs-intel-nvme-plus-usb-msata-mbr.plist'),
    'info -plist disk0': macos('diskutil-info-disk0-intel-nvme-physical.plist'),
    'info -plist disk1': macos('diskutil-info-disk1-apfs-container-synthesized.plist'),
    'info -plist disk2': macos('diskutil-info-disk2-usb-msata-adapter.plist'),
  };
  const diskutil: CommandRunner = (_file, args) => {
    const stdout = recorded[args.join(' ')];
    return Promise.resolve(
      stdout
        ? { exitCode: 0, stdout, stderr: Buffer.alloc(0) }
        : {
            exitCode: 1,
            stdout: macos('diskutil-info-error-network-volume-not-a-disk.plist'),
            stderr: Buffer.alloc(0),
          },
    );
  };

  it('macOS: lists with diskutil and fills used bytes per mount point, APFS volumes summed', async () => {
    const disks = await listDisks({
      platform: 'darwin',
      run: diskutil,
      sysfs: noSysfs,
      usage: () =>
        Promise.resolve([
          { mountPoint: '/', device: '/dev/disk1s5s1', usedBytes: 15_000_000_000 },
          {
            mountPoint: '/System/Volumes/Data',
            device: '/dev/disk1s1',
            usedBytes: 100_000_000_000,
          },
          { mountPoint: '/Volumes/PC', device: '/dev/disk2s1', usedBytes: 2_000_000 },
        ]),
    });
    expect(
      disks.map((disk) => [disk.path, disk.system, disk.partitions.map((part) => part.usedBytes)]),
    ).toEqual([
      ['/dev/disk0', true, [null, 115_000_000_000]],
      ['/dev/disk2', false, [2_000_000]],
    ]);
  });

  it('Windows: lists with PowerShell', async () => {
    const run: CommandRunner = () =>
      Promise.resolve({
        exitCode: 0,
        stdout: Buffer.from(
          JSON.stringify({
            disks: {
              Number: 0,
              FriendlyName: 'Msft Virtual Disk',
              Size: 161061273600,
              BusType: 'SAS',
              IsBoot: true,
            },
          }),
        ),
        stderr: Buffer.alloc(0),
      });
    const disks = await listDisks({ platform: 'win32', run, usage: () => Promise.resolve([]) });
    expect(disks.map((disk) => [disk.path, disk.bus, disk.system])).toEqual([
      ['\\\\.\\PhysicalDrive0', 'sas', true],
    ]);
  });

  it('refuses other platforms with UNSUPPORTED', async () => {
    const error = await listDisks({ platform: 'freebsd' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED' });
  });
});
