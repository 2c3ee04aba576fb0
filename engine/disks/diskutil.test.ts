import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { diskutilError, readDiskutilInfo, readDiskutilList } from './diskutil.js';
import { parsePlist } from './plist.js';

const plist = (name: string) => parsePlist(readFileSync(`test/data/disks/macos/${name}`, 'utf8'));
const list = (name: string) => readDiskutilList(plist(name));
const info = (name: string) => readDiskutilInfo(plist(name));

describe('readDiskutilList', () => {
  it('reads an APFS Mac: disk0 with its store, the synthesized container disk1 and a USB stick', () => {
    const { disks } = list('diskutil-list-apfs-intel-nvme-plus-usb-stick-nopt.plist');
    expect(disks.map((disk) => [disk.id, disk.content, disk.size])).toEqual([
      ['disk0', 'GUID_partition_scheme', 512110190592],
      ['disk1', 'EF57347C-0000-11AA-AA11-00306543ECAC', 511900434432],
      ['disk2', null, 15682240512],
    ]);
    expect(disks[0]?.partitions.map((part) => [part.id, part.content, part.size])).toEqual([
      ['disk0s1', 'EFI', 209715200],
      ['disk0s2', 'Apple_APFS', 511900434432],
    ]);
    const container = disks[1];
    expect(container?.apfsPhysicalStores).toEqual(['disk0s2']);
    expect(
      container?.apfsVolumes.map((volume) => [volume.id, volume.name, volume.mountPoints]),
    ).toEqual([
      ['disk1s1', 'macOS – data', ['/System/Volumes/Data']],
      ['disk1s2', 'Preboot', ['/System/Volumes/Preboot']],
      ['disk1s3', 'Recovery', []],
      ['disk1s4', 'VM', ['/System/Volumes/VM']],
      // The system volume is not mounted itself; its sealed snapshot is, at /.
      ['disk1s5', 'macOS', ['/']],
      ['disk1s5s1', 'macOS', ['/']],
      ['disk1s6', 'Update', ['/System/Volumes/Update']],
    ]);
    expect(disks[2]).toMatchObject({
      mountPoint: '/Volumes/NO NAME',
      volumeName: 'NO NAME',
      partitions: [],
    });
  });

  it('reads an MBR USB disk with a FAT32 partition', () => {
    const { disks } = list('diskutil-list-apfs-intel-nvme-plus-usb-msata-mbr.plist');
    expect(disks[2]?.partitions).toEqual([
      {
        id: 'disk2s1',
        content: 'DOS_FAT_32',
        size: 12623921664,
        mountPoint: '/Volumes/PC',
        volumeName: 'PC',
        volumeUuid: 'FEC77A02-D655-3A85-AD87-07E108AB01B3',
      },
    ]);
  });

  it('reads `list external` outputs', () => {
    expect(
      list('diskutil-list-external-usb-stick-nopt.plist').disks.map((disk) => disk.id),
    ).toEqual(['disk2']);
    expect(list('diskutil-list-external-usb-msata-mbr.plist').disks[0]?.partitions).toHaveLength(1);
  });

  it('reads a CoreStorage Mac, whose logical volume has no Partitions key', () => {
    const { disks } = list('diskutil-list-corestorage-ntfs-usb.plist');
    expect(
      disks.map((disk) => [disk.id, disk.content, disk.mountPoint, disk.partitions.length]),
    ).toEqual([
      ['disk0', 'GUID_partition_scheme', null, 3],
      ['disk1', 'Apple_HFS', '/', 0],
      ['disk2', 'FDisk_partition_scheme', null, 1],
    ]);
  });

  it('reads Apple silicon layouts from `list physical` (ISC, APFS, recovery; a blank disk)', () => {
    const single = list('diskutil-list-physical-tart-vm-apple-silicon-isc-apfs-recovery.plist');
    expect(single.disks[0]?.partitions.map((part) => part.content)).toEqual([
      'Apple_APFS_ISC',
      'Apple_APFS',
      'Apple_APFS_Recovery',
    ]);
    const two = list('diskutil-list-physical-tart-vm-apple-silicon-two-disks-one-blank.plist');
    expect(
      two.disks.map((disk) => [disk.id, disk.content, disk.size, disk.partitions.length]),
    ).toEqual([
      ['disk0', 'GUID_partition_scheme', 90000000000, 2],
      ['disk2', null, 107164426240, 0],
    ]);
  });

  it('rejects a plist that is not a listing, and identifiers that are not diskN', () => {
    expect(() => readDiskutilList(plist('diskutil-info-disk0-intel-nvme-physical.plist'))).toThrow(
      /no AllDisksAndPartitions/,
    );
    expect(() =>
      readDiskutilList({ AllDisksAndPartitions: [{ DeviceIdentifier: '../../etc' }] }),
    ).toThrow(FerryError);
  });
});

describe('readDiskutilInfo', () => {
  it('reads an internal NVMe disk', () => {
    expect(info('diskutil-info-disk0-intel-nvme-physical.plist')).toMatchObject({
      id: 'disk0',
      wholeDisk: true,
      busProtocol: 'PCI-Express',
      virtualOrPhysical: 'Physical',
      mediaName: 'INTEL SSDPEKNW512G8',
      size: 512110190592,
      blockSize: 512,
      removable: false,
      writableMedia: true,
      internal: true,
      physicalStores: [],
    });
  });

  it('reads an APFS container and a CoreStorage volume with their physical stores', () => {
    expect(info('diskutil-info-disk1-apfs-container-synthesized.plist')).toMatchObject({
      virtualOrPhysical: 'Virtual',
      physicalStores: ['disk0s2'],
      blockSize: 4096,
    });
    expect(info('diskutil-info-disk1-corestorage-hfs-nvme.plist')).toMatchObject({
      virtualOrPhysical: 'Virtual',
      physicalStores: ['disk0s2'],
      mountPoint: '/',
      filesystemType: 'hfs',
    });
  });

  it('reads removable and external devices by any of their flags', () => {
    expect(info('diskutil-info-disk2-usb-stick-sandisk-cruzer.plist')).toMatchObject({
      busProtocol: 'USB',
      removable: true,
      // IOKitSize is the stick; TotalSize is the FAT volume on it.
      size: 15682240512,
      volumeSize: 15665463296,
    });
    expect(info('diskutil-info-disk2-usb-msata-adapter.plist')).toMatchObject({
      removable: true,
      internal: false,
    });
    // The internal SD card reader has only Ejectable.
    expect(info('diskutil-info-disk3-sd-card-reader.plist')).toMatchObject({
      removable: true,
      internal: true,
    });
  });

  it('reads a partition: offset, filesystem, free space', () => {
    expect(info('diskutil-info-usb-external-hdd-hfs-partition.plist')).toMatchObject({
      id: 'disk11s2',
      parentWholeDisk: 'disk11',
      partitionOffset: 209735680,
      filesystemType: 'hfs',
      filesystemName: 'Journaled HFS+',
      volumeSize: 5000603328512,
      freeSpace: 1111923171328,
      mountPoint: '/Volumes/HDD',
    });
  });

  it('reads the sealed system snapshot mounted at / and its physical store', () => {
    expect(
      info('diskutil-info-apfs-sealed-system-snapshot-internal-ssd-filevault.plist'),
    ).toMatchObject({
      id: 'disk1s5s1',
      mountPoint: '/',
      writableMedia: false,
      physicalStores: ['disk0s2'],
    });
  });

  it("turns diskutil's error plist into a FerryError", () => {
    const error = plist('diskutil-info-error-network-volume-not-a-disk.plist');
    expect(diskutilError(error)).toBe('Could not find disk: /Volumes/SMB');
    expect(() => readDiskutilInfo(error, 'diskutil info -plist /Volumes/SMB')).toThrow(
      expect.objectContaining({
        code: 'TOOL_OUTPUT',
        message: 'diskutil: Could not find disk: /Volumes/SMB',
        where: 'diskutil info -plist /Volumes/SMB',
      }),
    );
    expect(diskutilError(plist('diskutil-info-disk0-intel-nvme-physical.plist'))).toBeNull();
  });
});
