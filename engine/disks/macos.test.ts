import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Disk } from '../../shared/disks.js';
import { FerryError } from '../../shared/errors.js';
import type { CommandRunner } from '../io/run-command.js';
import { readDiskutilInfo, readDiskutilList, type DiskutilInfo } from './diskutil.js';
import { disksFromDiskutil, listMacDisks } from './macos.js';
import { parsePlist } from './plist.js';

const text = (name: string) => readFileSync(`test/data/disks/macos/${name}`, 'utf8');
const list = (name: string) => readDiskutilList(parsePlist(text(name)));
const info = (name: string) => readDiskutilInfo(parsePlist(text(name)));
const infos = (entries: Record<string, string>) =>
  new Map<string, DiskutilInfo>(Object.entries(entries).map(([id, name]) => [id, info(name)]));

/** The Intel Mac of hst-imager's samples: `list` and `info` of each whole disk, one session. */
const INTEL_MAC = {
  disk0: 'diskutil-info-disk0-intel-nvme-physical.plist',
  disk1: 'diskutil-info-disk1-apfs-container-synthesized.plist',
};

function outline(disks: Disk[]): string[] {
  return disks.flatMap((disk) => {
    const flags = [disk.system && 'system', disk.removable && 'removable', disk.readOnly && 'ro'];
    return [
      `${[disk.path, disk.size, disk.bus, ...flags.filter(Boolean)].join(' ')} | ${disk.model ?? '-'}`,
      ...disk.partitions.map((part) =>
        [
          ` ${part.number}`,
          part.path,
          part.size,
          part.type ?? '-',
          part.filesystem ?? '-',
          part.label ?? '-',
          part.mountPoints.join(','),
        ]
          .join(' ')
          .trimEnd(),
      ),
    ];
  });
}

describe('disksFromDiskutil', () => {
  it('Intel Mac + USB stick: the APFS container is not a disk, its mounts (and /) show on disk0s2', () => {
    const disks = disksFromDiskutil({
      list: list('diskutil-list-apfs-intel-nvme-plus-usb-stick-nopt.plist'),
      infos: infos({ ...INTEL_MAC, disk2: 'diskutil-info-disk2-usb-stick-sandisk-cruzer.plist' }),
      root: null,
    });
    expect(outline(disks)).toEqual([
      '/dev/disk0 512110190592 nvme system | INTEL SSDPEKNW512G8',
      ' 1 /dev/disk0s1 209715200 c12a7328-f81f-11d2-ba4b-00a0c93ec93b - EFI',
      ' 2 /dev/disk0s2 511900434432 7c3457ef-0000-11aa-aa11-00306543ecac apfs - /System/Volumes/Data,/System/Volumes/Preboot,/System/Volumes/VM,/,/System/Volumes/Update',
      "/dev/disk2 15682240512 usb removable | SanDisk' Cruzer Fit",
    ]);
    expect(disks[0]).toMatchObject({
      logicalSectorSize: 512,
      physicalSectorSize: 512,
      serial: null,
    });
  });

  it('Intel Mac + USB mSATA adapter: an MBR disk with a FAT32 partition', () => {
    const disks = disksFromDiskutil({
      list: list('diskutil-list-apfs-intel-nvme-plus-usb-msata-mbr.plist'),
      infos: infos({ ...INTEL_MAC, disk2: 'diskutil-info-disk2-usb-msata-adapter.plist' }),
      root: null,
    });
    expect(outline(disks).slice(3)).toEqual([
      '/dev/disk2 128035676160 usb removable | SAMSUNG SSD PM830 mSATA',
      // DOS_FAT_32 stands for 0x0b and 0x0c alike, so the MBR id stays unknown.
      ' 1 /dev/disk2s1 12623921664 - fat32 PC /Volumes/PC',
    ]);
    expect(disks[1]?.partitions[0]?.uuid).toBe('FEC77A02-D655-3A85-AD87-07E108AB01B3');
  });

  it('CoreStorage: the logical volume at / is followed to disk0s2; disks without info are still listed', () => {
    const disks = disksFromDiskutil({
      list: list('diskutil-list-corestorage-ntfs-usb.plist'),
      infos: infos({ disk1: 'diskutil-info-disk1-corestorage-hfs-nvme.plist' }),
      root: null,
    });
    expect(outline(disks)).toEqual([
      '/dev/disk0 1000555581440 unknown system | -',
      ' 1 /dev/disk0s1 314572800 c12a7328-f81f-11d2-ba4b-00a0c93ec93b - EFI',
      ' 2 /dev/disk0s2 999590961152 53746f72-6167-11aa-aa11-00306543ecac - - /',
      ' 3 /dev/disk0s3 650002432 426f6f74-0000-11aa-aa11-00306543ecac - Recovery HD',
      '/dev/disk2 2000398934016 unknown | -',
      ' 1 /dev/disk2s1 2000398932992 0x07 ntfs HDD03 /Volumes/HDD03',
    ]);
  });

  it('Apple silicon `list physical`: nothing mounted, so only `diskutil info /` can name the system disk', () => {
    const tart = list('diskutil-list-physical-tart-vm-apple-silicon-isc-apfs-recovery.plist');
    const withoutRoot = disksFromDiskutil({ list: tart, infos: new Map(), root: null });
    expect(outline(withoutRoot)).toEqual([
      '/dev/disk0 50000000000 unknown | -',
      ' 1 /dev/disk0s1 524288000 69646961-6700-11aa-aa11-00306543ecac - -',
      ' 2 /dev/disk0s2 44107001856 7c3457ef-0000-11aa-aa11-00306543ecac apfs -',
      ' 3 /dev/disk0s3 5368672256 52637672-7900-11aa-aa11-00306543ecac - -',
    ]);
    // The root info comes from another Mac with the same standard layout (store disk0s2): what
    // `diskutil info /` answers on macOS 11+, the sealed snapshot and its physical store.
    const root = info('diskutil-info-apfs-sealed-system-snapshot-internal-ssd-filevault.plist');
    const withRoot = disksFromDiskutil({ list: tart, infos: new Map(), root });
    expect(withRoot.map((disk) => [disk.path, disk.system])).toEqual([['/dev/disk0', true]]);
  });

  it('lists a blank disk without partitions', () => {
    const disks = disksFromDiskutil({
      list: list('diskutil-list-physical-tart-vm-apple-silicon-two-disks-one-blank.plist'),
      infos: new Map(),
      root: null,
    });
    expect(disks.map((disk) => [disk.path, disk.size, disk.partitions.length])).toEqual([
      ['/dev/disk0', 90000000000, 2],
      ['/dev/disk2', 107164426240, 0],
    ]);
  });

  it("takes a partition's start, filesystem and used bytes from its own info", () => {
    const partition = info('diskutil-info-usb-external-hdd-hfs-partition.plist');
    const disks = disksFromDiskutil({
      list: {
        disks: [
          {
            id: 'disk11',
            content: 'GUID_partition_scheme',
            size: 5000981077504,
            mountPoint: null,
            volumeName: null,
            partitions: [
              {
                id: 'disk11s2',
                content: 'Apple_HFS',
                size: 5000603328512,
                mountPoint: '/Volumes/HDD',
                volumeName: 'HDD',
                volumeUuid: null,
              },
            ],
            apfsPhysicalStores: [],
            apfsVolumes: [],
          },
        ],
      },
      infos: new Map([['disk11s2', partition]]),
      root: null,
    });
    expect(disks[0]?.partitions[0]).toEqual({
      number: 2,
      path: '/dev/disk11s2',
      start: 209735680,
      size: 5000603328512,
      type: '48465300-0000-11aa-aa11-00306543ecac',
      filesystem: 'hfsplus',
      label: 'HDD',
      uuid: '18A39FDB-D619-3299-8863-9A3A33608A7F',
      mountPoints: ['/Volumes/HDD'],
      usedBytes: 5000603328512 - 1111923171328,
    });
  });
});

describe('listMacDisks: running diskutil', () => {
  const NOT_FOUND = text('diskutil-info-error-network-volume-not-a-disk.plist');

  /** Answers like diskutil: the recorded plist, or the error plist with status 1. */
  function diskutil(outputs: Record<string, string>, calls: string[] = []): CommandRunner {
    return (file, args) => {
      calls.push([file, ...args].join(' '));
      const name = outputs[args.join(' ')];
      if (file !== 'diskutil' || name === undefined) {
        return Promise.resolve({
          exitCode: 1,
          stdout: Buffer.from(NOT_FOUND),
          stderr: Buffer.alloc(0),
        });
      }
      return Promise.resolve({
        exitCode: 0,
        stdout: Buffer.from(text(name)),
        stderr: Buffer.alloc(0),
      });
    };
  }

  it('asks for the list, each disk, each physical partition and /; tolerates "Could not find disk"', async () => {
    const calls: string[] = [];
    const run = diskutil(
      {
        'list -plist': 'diskutil-list-apfs-intel-nvme-plus-usb-stick-nopt.plist',
        'info -plist disk0': INTEL_MAC.disk0,
        'info -plist disk1': INTEL_MAC.disk1,
        'info -plist disk2': 'diskutil-info-disk2-usb-stick-sandisk-cruzer.plist',
      },
      calls,
    );
    const disks = await listMacDisks(run);
    expect(calls).toEqual([
      'diskutil list -plist',
      'diskutil info -plist disk0',
      'diskutil info -plist disk0s1',
      'diskutil info -plist disk0s2',
      'diskutil info -plist disk1',
      'diskutil info -plist disk2',
      'diskutil info -plist /',
    ]);
    expect(disks.map((disk) => [disk.path, disk.system, disk.bus])).toEqual([
      ['/dev/disk0', true, 'nvme'],
      ['/dev/disk2', false, 'usb'],
    ]);
  });

  it('leaves out a disk diskutil no longer finds (ejected after the listing)', async () => {
    const run = diskutil({
      'list -plist': 'diskutil-list-apfs-intel-nvme-plus-usb-stick-nopt.plist',
      'info -plist disk0': INTEL_MAC.disk0,
      'info -plist disk1': INTEL_MAC.disk1,
    });
    expect((await listMacDisks(run)).map((disk) => disk.path)).toEqual(['/dev/disk0']);
  });

  it('names the missing tool, and fails clearly on output that is not a plist', async () => {
    const missing: CommandRunner = () =>
      Promise.reject(Object.assign(new Error('spawn diskutil ENOENT'), { code: 'ENOENT' }));
    await expect(listMacDisks(missing)).rejects.toMatchObject({
      code: 'TOOL_MISSING',
      where: 'diskutil list -plist',
    });
    const garbage: CommandRunner = () =>
      Promise.resolve({
        exitCode: 0,
        stdout: Buffer.from('disk0 GUID_partition_scheme'),
        stderr: Buffer.alloc(0),
      });
    const error = await listMacDisks(garbage).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({ code: 'TOOL_OUTPUT' });
  });

  it("fails with diskutil's stderr when info fails without a plist", async () => {
    const run: CommandRunner = (_file, args) =>
      Promise.resolve(
        args[0] === 'list'
          ? {
              exitCode: 0,
              stdout: Buffer.from(text('diskutil-list-external-usb-stick-nopt.plist')),
              stderr: Buffer.alloc(0),
            }
          : {
              exitCode: 1,
              stdout: Buffer.alloc(0),
              stderr: Buffer.from(
                'Unable to run because unable to use the DiskManagement framework.\n',
              ),
            },
      );
    await expect(listMacDisks(run)).rejects.toMatchObject({
      code: 'TOOL_OUTPUT',
      where: 'diskutil info -plist disk2',
      message:
        'exited with status 1: Unable to run because unable to use the DiskManagement framework.',
    });
  });
});
