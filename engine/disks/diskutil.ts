/**
 * Reads what `diskutil list -plist` and `diskutil info -plist <disk>` print on macOS into plain
 * records. Missing keys are null: diskutil drops keys between macOS versions and per device.
 */
import { FerryError } from '../../shared/errors.js';
import { badOutput } from '../io/run-command.js';
import { count, flag, isFields, items, text, texts, type Fields } from './fields.js';

/** What `diskutil list` says of a whole disk and of a partition alike. */
export interface DiskutilListEntry {
  id: string;
  /**
   * A whole disk's partition scheme (GUID_partition_scheme, FDisk_partition_scheme) or container
   * GUID; a partition's type.
   */
  content: string | null;
  size: number | null;
  /**
   * Where a filesystem on it is mounted. On a whole disk: one without a partition table (a USB
   * stick) or a CoreStorage volume.
   */
  mountPoint: string | null;
  volumeName: string | null;
}

export interface DiskutilPartition extends DiskutilListEntry {
  volumeUuid: string | null;
}

export interface DiskutilApfsVolume {
  id: string;
  name: string | null;
  /** The volume's own mount point and those of its mounted snapshots (the sealed system). */
  mountPoints: string[];
}

export interface DiskutilWholeDisk extends DiskutilListEntry {
  partitions: DiskutilPartition[];
  /** Set on a synthesized APFS container: the partitions it lives on (disk0s2). */
  apfsPhysicalStores: string[];
  apfsVolumes: DiskutilApfsVolume[];
}

export interface DiskutilList {
  disks: DiskutilWholeDisk[];
}

export interface DiskutilInfo {
  id: string;
  wholeDisk: boolean | null;
  parentWholeDisk: string | null;
  busProtocol: string | null;
  /** "Physical", "Virtual" (APFS container, CoreStorage volume, disk image) or "Unknown". */
  virtualOrPhysical: string | null;
  deviceTreePath: string | null;
  mediaName: string | null;
  ioRegistryEntryName: string | null;
  /** IOKitSize, else Size: the size of the medium, not of a filesystem on it. */
  size: number | null;
  blockSize: number | null;
  /** Removable medium, external device or ejectable, as any of diskutil's flags says. */
  removable: boolean;
  writableMedia: boolean | null;
  internal: boolean | null;
  mountPoint: string | null;
  content: string | null;
  filesystemType: string | null;
  filesystemName: string | null;
  volumeName: string | null;
  volumeUuid: string | null;
  partitionOffset: number | null;
  volumeSize: number | null;
  freeSpace: number | null;
  /** Where a synthesized disk lives: APFSPhysicalStores and CoreStoragePVs (disk0s2). */
  physicalStores: string[];
}

export function readDiskutilList(plist: unknown, where = 'diskutil list -plist'): DiskutilList {
  if (!isFields(plist)) throw badOutput(where, 'the property list is not a dict');
  const entries = plist['AllDisksAndPartitions'];
  if (!Array.isArray(entries)) throw badOutput(where, 'no AllDisksAndPartitions list');
  return { disks: entries.map((entry) => readWholeDisk(entry, where)) };
}

function readListEntry(fields: Fields, where: string): DiskutilListEntry {
  return {
    id: requireIdentifier(fields, where),
    content: text(fields['Content']),
    size: count(fields['Size']),
    mountPoint: text(fields['MountPoint']),
    volumeName: text(fields['VolumeName']),
  };
}

function readWholeDisk(entry: unknown, where: string): DiskutilWholeDisk {
  const fields = requireDict(entry, where);
  return {
    ...readListEntry(fields, where),
    partitions: items(fields['Partitions']).map((part) => readPartition(part, where)),
    apfsPhysicalStores: storeIdentifiers(fields['APFSPhysicalStores'], 'DeviceIdentifier'),
    apfsVolumes: items(fields['APFSVolumes']).map((volume) => readApfsVolume(volume, where)),
  };
}

function readPartition(entry: unknown, where: string): DiskutilPartition {
  const fields = requireDict(entry, where);
  return { ...readListEntry(fields, where), volumeUuid: text(fields['VolumeUUID']) };
}

function readApfsVolume(entry: unknown, where: string): DiskutilApfsVolume {
  const fields = requireDict(entry, where);
  const mountPoints = texts([fields['MountPoint']]);
  for (const snapshot of items(fields['MountedSnapshots'])) {
    if (!isFields(snapshot)) continue;
    const mountPoint = text(snapshot['SnapshotMountPoint']);
    if (mountPoint !== null && !mountPoints.includes(mountPoint)) mountPoints.push(mountPoint);
  }
  return { id: requireIdentifier(fields, where), name: text(fields['VolumeName']), mountPoints };
}

/** diskutil's answer when it has none: `{ Error: true, ErrorMessage: "Could not find disk: …" }`. */
export function diskutilError(plist: unknown): string | null {
  if (!isFields(plist) || flag(plist['Error']) !== true) return null;
  return text(plist['ErrorMessage']) ?? 'diskutil reported an error';
}

export function readDiskutilInfo(plist: unknown, where = 'diskutil info -plist'): DiskutilInfo {
  const error = diskutilError(plist);
  if (error !== null) {
    throw new FerryError('TOOL_OUTPUT', `diskutil: ${error}`, {
      where,
      hint: 'the disk may have been ejected or is not a local disk; list the disks again',
    });
  }
  if (!isFields(plist)) throw badOutput(where, 'the property list is not a dict');
  const removableFlags = [
    'Removable',
    'RemovableMedia',
    'RemovableMediaOrExternalDevice',
    'Ejectable',
  ];
  return {
    id: requireIdentifier(plist, where),
    wholeDisk: flag(plist['WholeDisk']),
    parentWholeDisk: text(plist['ParentWholeDisk']),
    busProtocol: text(plist['BusProtocol']),
    virtualOrPhysical: text(plist['VirtualOrPhysical']),
    deviceTreePath: text(plist['DeviceTreePath']),
    mediaName: text(plist['MediaName']),
    ioRegistryEntryName: text(plist['IORegistryEntryName']),
    size: count(plist['IOKitSize']) ?? count(plist['Size']),
    blockSize: count(plist['DeviceBlockSize']),
    removable: removableFlags.some((key) => flag(plist[key]) === true),
    writableMedia: flag(plist['WritableMedia']),
    internal: flag(plist['Internal']),
    mountPoint: text(plist['MountPoint']),
    content: text(plist['Content']),
    filesystemType: text(plist['FilesystemType']),
    filesystemName: text(plist['FilesystemName']),
    volumeName: text(plist['VolumeName']),
    volumeUuid: text(plist['VolumeUUID']),
    partitionOffset: count(plist['PartitionMapPartitionOffset']),
    volumeSize: count(plist['VolumeSize']) ?? count(plist['TotalSize']),
    freeSpace: count(plist['FreeSpace']),
    physicalStores: [
      ...storeIdentifiers(plist['APFSPhysicalStores'], 'APFSPhysicalStore'),
      ...storeIdentifiers(plist['CoreStoragePVs'], 'CoreStoragePVDisk'),
    ],
  };
}

/** `[{ <key>: "disk0s2" }, ...]` -> ["disk0s2", ...]. */
function storeIdentifiers(value: unknown, key: string): string[] {
  const result: string[] = [];
  for (const entry of items(value)) {
    const id = isFields(entry) ? text(entry[key]) : null;
    if (id !== null && isDiskIdentifier(id)) result.push(id);
  }
  return result;
}

function requireDict(value: unknown, where: string): Fields {
  if (!isFields(value)) throw badOutput(where, 'an entry that is not a dict');
  return value;
}

function requireIdentifier(fields: Fields, where: string): string {
  const id = text(fields['DeviceIdentifier']);
  if (id === null || !isDiskIdentifier(id)) {
    throw badOutput(where, `a device identifier that is not diskN[sM]: ${String(id).slice(0, 40)}`);
  }
  return id;
}

/** disk0, disk0s2, disk1s5s1: identifiers Ferry passes back to diskutil as arguments. */
function isDiskIdentifier(id: string): boolean {
  return /^disk\d+(s\d+)*$/.test(id);
}

/** disk0s2 -> disk0. */
export function wholeDiskOf(id: string): string {
  return /^disk\d+/.exec(id)?.[0] ?? id;
}
