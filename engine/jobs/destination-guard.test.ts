import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Disk, DiskPartition } from '../../shared/disks.js';
import { readDiskutilInfo, readDiskutilList } from '../disks/diskutil.js';
import { disksFromDiskutil } from '../disks/macos.js';
import { parsePlist } from '../disks/plist.js';
import { guardDestination } from './destination-guard.js';

const plist = (name: string) => parsePlist(readFileSync(`test/data/disks/macos/${name}`, 'utf8'));

/** An Intel Mac (APFS on disk0s2, mounted at / and /System/Volumes/*) with a USB disk at /Volumes/PC. */
const MAC_DISKS = disksFromDiskutil({
  list: readDiskutilList(plist('diskutil-list-apfs-intel-nvme-plus-usb-msata-mbr.plist')),
  infos: new Map(
    Object.entries({
      disk0: 'diskutil-info-disk0-intel-nvme-physical.plist',
      disk1: 'diskutil-info-disk1-apfs-container-synthesized.plist',
      disk2: 'diskutil-info-disk2-usb-msata-adapter.plist',
    }).map(([id, name]) => [id, readDiskutilInfo(plist(name))]),
  ),
  root: null,
});

function partition(number: number, mountPoints: string[]): DiskPartition {
  return {
    number,
    path: null,
    start: number * 2 ** 20,
    size: 2 ** 30,
    type: null,
    filesystem: 'NTFS',
    label: null,
    uuid: null,
    mountPoints,
    usedBytes: null,
  };
}

function windowsDisk(index: number, partitions: DiskPartition[]): Disk {
  return {
    path: `\\\\.\\PhysicalDrive${index}`,
    model: null,
    serial: null,
    size: 2 ** 40,
    logicalSectorSize: 512,
    physicalSectorSize: 4096,
    bus: 'nvme',
    removable: false,
    readOnly: false,
    system: index === 1,
    partitions,
  };
}

/** C: on disk 1, D: on disk 0, and disk 2 mounted in the folder C:\mnt\data (Win32_Volume). */
const WINDOWS_DISKS = [
  windowsDisk(0, [partition(1, ['D:\\'])]),
  windowsDisk(1, [partition(1, []), partition(3, ['C:\\'])]),
  windowsDisk(2, [partition(1, ['C:\\mnt\\data\\'])]),
];

function guard(platform: NodeJS.Platform, disks: Disk[]) {
  return (source: string, output: string) =>
    guardDestination(source, [output], { force: false, platform, listDisks: async () => disks });
}

describe('guardDestination on macOS, from diskutil', () => {
  const check = guard('darwin', MAC_DISKS);

  it('refuses a destination on the APFS volumes of the disk being read, raw device or not', async () => {
    for (const source of ['/dev/disk0', '/dev/rdisk0']) {
      await expect(check(source, '/Users/ada/Mac.vmdk')).rejects.toMatchObject({
        code: 'DESTINATION_ON_SOURCE',
        message: `lies on ${source}, the disk being read`,
      });
    }
    await expect(check('/dev/disk0', '/System/Volumes/Data/Mac.vmdk')).rejects.toMatchObject({
      code: 'DESTINATION_ON_SOURCE',
    });
  });

  it('takes the longest mount point: /Volumes/PC is the USB disk, not the disk under /', async () => {
    await expect(check('/dev/disk0', '/Volumes/PC/Mac.vmdk')).resolves.toBeUndefined();
    await expect(check('/dev/rdisk2s1', '/Volumes/PC/images/usb.vmdk')).rejects.toMatchObject({
      code: 'DESTINATION_ON_SOURCE',
    });
    await expect(check('/dev/disk2', '/Users/ada/usb.vmdk')).resolves.toBeUndefined();
  });
});

describe('guardDestination on Windows, from the storage cmdlets', () => {
  const check = guard('win32', WINDOWS_DISKS);

  it('refuses a destination on a drive letter of the disk being read, whatever the case', async () => {
    await expect(check('\\\\.\\PhysicalDrive1', 'c:\\Users\\Ada\\pc.vhdx')).rejects.toMatchObject({
      code: 'DESTINATION_ON_SOURCE',
      where: 'c:\\Users\\Ada\\pc.vhdx',
    });
    await expect(check('\\\\?\\PHYSICALDRIVE0', 'D:\\pc.vhdx')).rejects.toMatchObject({
      code: 'DESTINATION_ON_SOURCE',
    });
  });

  it('follows a folder mount to its own disk', async () => {
    await expect(check('\\\\.\\PhysicalDrive1', 'C:\\MNT\\Data\\pc.vhdx')).resolves.toBeUndefined();
    await expect(check('\\\\.\\PhysicalDrive2', 'C:\\mnt\\data\\pc.vhdx')).rejects.toMatchObject({
      code: 'DESTINATION_ON_SOURCE',
    });
    await expect(
      check('\\\\.\\PhysicalDrive2', 'C:\\mnt\\database\\pc.vhdx'),
    ).resolves.toBeUndefined();
  });

  it('lets an image file or an unlisted disk go anywhere', async () => {
    await expect(check('C:\\images\\old.img', 'C:\\images\\old.vhdx')).resolves.toBeUndefined();
    await expect(check('\\\\.\\PhysicalDrive9', 'C:\\pc.vhdx')).resolves.toBeUndefined();
  });
});
