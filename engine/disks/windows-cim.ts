/**
 * Windows storage as PowerShell's ConvertTo-Json prints it: Get-Disk (MSFT_Disk), Get-Partition
 * (MSFT_Partition) and Get-Volume (MSFT_Volume), or Win32_Volume for volumes. Enums come as
 * numbers from raw CIM and as names from the cmdlets' projections; both are read.
 */
import type { Bus, Disk, DiskPartition } from '../../shared/disks.js';
import { badOutput } from '../io/run-command.js';
import { count, flag, isFields, items, lookup, text, texts, type Fields } from './fields.js';
import { filesystemName } from './filesystem-names.js';

export interface CimDisk {
  number: number;
  model: string | null;
  serial: string | null;
  size: number | null;
  /** MSFT_Disk BusType as a name ("NVMe", "File Backed Virtual"), numeric values translated. */
  busType: string | null;
  isBoot: boolean;
  isSystem: boolean;
  readOnly: boolean;
  logicalSectorSize: number | null;
  physicalSectorSize: number | null;
}

export interface CimPartition {
  diskNumber: number;
  partitionNumber: number;
  offset: number | null;
  size: number | null;
  /** GPT type GUID (lower case) or MBR id ("0x07"). */
  type: string | null;
  driveLetter: string | null;
  /** Drive roots and folder mount points ("C:\", "C:\mnt\data\"), and \\?\Volume{…}\ paths. */
  accessPaths: string[];
}

export interface CimVolume {
  /** \\?\Volume{guid}\ (Get-Volume's Path, Win32_Volume's DeviceID). */
  guidPath: string | null;
  driveLetter: string | null;
  fileSystem: string | null;
  label: string | null;
  size: number | null;
  free: number | null;
  mountPoints: string[];
}

export interface StorageSnapshot {
  disks: CimDisk[];
  partitions: CimPartition[];
  volumes: CimVolume[];
}

/** STORAGE_BUS_TYPE, the values of MSFT_Disk.BusType and MSFT_PhysicalDisk.BusType. */
const BUS_TYPE_NAMES = [
  'Unknown',
  'SCSI',
  'ATAPI',
  'ATA',
  '1394',
  'SSA',
  'Fibre Channel',
  'USB',
  'RAID',
  'iSCSI',
  'SAS',
  'SATA',
  'SD',
  'MMC',
  'Virtual',
  'File Backed Virtual',
  'Storage Spaces',
  'NVMe',
  'Microsoft Reserved',
];

const BUSES: Record<string, Bus> = {
  unknown: 'unknown',
  scsi: 'scsi',
  atapi: 'ata',
  ata: 'ata',
  '1394': 'other',
  ssa: 'scsi',
  fibrechannel: 'scsi',
  usb: 'usb',
  raid: 'raid',
  iscsi: 'scsi',
  sas: 'sas',
  sata: 'sata',
  sd: 'mmc',
  mmc: 'mmc',
  nvme: 'nvme',
};

/** A BusType as a name, from its number (17) or its name in any spelling ("NVMe"). */
export function busTypeName(value: unknown): string | null {
  const number = count(value);
  if (number !== null) return BUS_TYPE_NAMES[number] ?? null;
  return text(value);
}

export function busFromBusType(name: string | null): Bus {
  if (name === null) return 'unknown';
  return lookup(BUSES, name.toLowerCase().replace(/\s+/g, '')) ?? 'other';
}

/** Removable media and hot-pluggable buses. */
const REMOVABLE_BUSES = new Set<Bus>(['usb', 'mmc']);

/** The one object the Ferry PowerShell script prints: `{ disks, partitions, volumes }`. */
export function parseStorageJson(json: string, where: string): StorageSnapshot {
  let document: unknown;
  try {
    document = JSON.parse(json.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw badOutput(where, `not JSON (${error instanceof Error ? error.message : 'parse error'})`);
  }
  if (!isFields(document) || !('disks' in document)) {
    throw badOutput(where, 'no "disks" in the JSON object');
  }
  return {
    disks: readCimDisks(document['disks'], where),
    partitions: readCimPartitions(document['partitions'], where),
    volumes: readCimVolumes(document['volumes'], where),
  };
}

export function readCimDisks(value: unknown, where: string): CimDisk[] {
  return items(value).map((entry) => {
    const fields = requireObject(entry, where, 'disk');
    const number = count(fields['Number']);
    if (number === null) throw badOutput(where, 'a disk without a Number');
    return {
      number,
      model: text(fields['FriendlyName']) ?? text(fields['Model']),
      serial: text(fields['SerialNumber']),
      size: count(fields['Size']),
      busType: busTypeName(fields['BusType']),
      isBoot: flag(fields['IsBoot']) === true,
      isSystem: flag(fields['IsSystem']) === true,
      readOnly: flag(fields['IsReadOnly']) === true,
      logicalSectorSize: count(fields['LogicalSectorSize']),
      physicalSectorSize: count(fields['PhysicalSectorSize']),
    };
  });
}

export function readCimPartitions(value: unknown, where: string): CimPartition[] {
  return items(value).map((entry) => {
    const fields = requireObject(entry, where, 'partition');
    const diskNumber = count(fields['DiskNumber']);
    const partitionNumber = count(fields['PartitionNumber']);
    if (diskNumber === null || partitionNumber === null) {
      throw badOutput(where, 'a partition without DiskNumber or PartitionNumber');
    }
    return {
      diskNumber,
      partitionNumber,
      offset: count(fields['Offset']),
      size: count(fields['Size']),
      type: gptType(fields['GptType']) ?? mbrType(fields['MbrType']),
      driveLetter: driveLetter(fields['DriveLetter']),
      accessPaths: texts(fields['AccessPaths']),
    };
  });
}

/**
 * Get-Volume objects, or Win32_Volume: a list, or the `{ volumes, mountPoints }` object of a
 * Win32_Volume + Win32_MountPoint query, whose pairs add folder mount points.
 */
export function readCimVolumes(value: unknown, where: string): CimVolume[] {
  const list = isFields(value) && 'volumes' in value ? value['volumes'] : value;
  const extraMounts = isFields(value) ? items(value['mountPoints']) : [];
  const volumes = items(list).map((entry): CimVolume => {
    const fields = requireObject(entry, where, 'volume');
    const guidPath =
      [text(fields['Path']), text(fields['DeviceID'])].find(isVolumeGuidPath) ?? null;
    const name = text(fields['Name']);
    return {
      guidPath,
      driveLetter: driveLetter(fields['DriveLetter']),
      fileSystem: text(fields['FileSystem']),
      label: text(fields['FileSystemLabel']) ?? text(fields['Label']),
      size: count(fields['Size']) ?? count(fields['Capacity']),
      free: count(fields['SizeRemaining']) ?? count(fields['FreeSpace']),
      mountPoints: name !== null && !isVolumeGuidPath(name) ? [name] : [],
    };
  });
  for (const pair of extraMounts) {
    if (!isFields(pair)) continue;
    const volume = volumes.find(
      (candidate) =>
        candidate.guidPath !== null && sameVolume(candidate.guidPath, text(pair['Volume'])),
    );
    const directory = text(pair['Directory']);
    if (volume && directory !== null)
      volume.mountPoints = uniquePaths([...volume.mountPoints, directory]);
  }
  return volumes;
}

export function disksFromStorage(snapshot: StorageSnapshot): Disk[] {
  const disks: Disk[] = [];
  for (const disk of [...snapshot.disks].sort((a, b) => a.number - b.number)) {
    // An attached VHD or ISO file, not hardware.
    if (disk.busType?.toLowerCase() === 'file backed virtual') continue;
    // No size: a card reader without a card.
    if (!disk.size) continue;
    const bus = busFromBusType(disk.busType);
    const partitions = snapshot.partitions
      .filter((part) => part.diskNumber === disk.number)
      .sort((a, b) => a.partitionNumber - b.partitionNumber)
      .map((part) => windowsPartition(part, snapshot.volumes));
    disks.push({
      path: `\\\\.\\PhysicalDrive${disk.number}`,
      model: disk.model,
      serial: disk.serial,
      size: disk.size,
      logicalSectorSize: disk.logicalSectorSize ?? 512,
      physicalSectorSize: disk.physicalSectorSize ?? disk.logicalSectorSize ?? 512,
      bus,
      removable: REMOVABLE_BUSES.has(bus),
      readOnly: disk.readOnly,
      // Windows calls the disk with the Windows folder "boot" and the one with the boot
      // loader "system"; the running system needs both.
      system: disk.isBoot || disk.isSystem,
      partitions,
    });
  }
  return disks;
}

function windowsPartition(part: CimPartition, volumes: CimVolume[]): DiskPartition {
  const guidPaths = part.accessPaths.filter(isVolumeGuidPath);
  const volume =
    volumes.find((candidate) => guidPaths.some((path) => sameVolume(candidate.guidPath, path))) ??
    (part.driveLetter === null
      ? undefined
      : volumes.find((candidate) => candidate.driveLetter === part.driveLetter));
  const mountPoints = uniquePaths([
    ...(part.driveLetter === null ? [] : [`${part.driveLetter}:\\`]),
    ...part.accessPaths.filter((path) => !isVolumeGuidPath(path)),
    ...(volume?.mountPoints ?? []),
  ]);
  const used =
    volume && volume.size !== null && volume.free !== null ? volume.size - volume.free : null;
  return {
    number: part.partitionNumber,
    path: null,
    start: part.offset ?? 0,
    size: part.size ?? 0,
    type: part.type,
    filesystem: filesystemName(volume?.fileSystem ?? null),
    label: volume?.label ?? null,
    uuid: null,
    mountPoints,
    usedBytes: used !== null && used >= 0 ? used : null,
  };
}

function gptType(value: unknown): string | null {
  const raw =
    text(value)
      ?.replace(/^\{|\}$/g, '')
      .toLowerCase() ?? null;
  return raw !== null && /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.test(raw) ? raw : null;
}

function mbrType(value: unknown): string | null {
  const id = count(value);
  return id !== null && id > 0 && id <= 0xff ? `0x${id.toString(16).padStart(2, '0')}` : null;
}

/**
 * A drive letter ("C"), from ConvertTo-Json's spellings of a [char]: "C", "C:", the code 67,
 * and "\u0000" or 0 for none.
 */
export function driveLetter(value: unknown): string | null {
  const raw =
    typeof value === 'number' && value > 0 && value < 128 ? String.fromCharCode(value) : value;
  if (typeof raw !== 'string') return null;
  const match = /^([A-Za-z]):?\\?$/.exec(raw.trim());
  return match?.[1] ? match[1].toUpperCase() : null;
}

function isVolumeGuidPath(path: string | null): path is string {
  return path !== null && /^\\\\\?\\Volume\{[0-9a-f-]+\}\\?$/i.test(path);
}

function sameVolume(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  const key = (path: string) => path.replace(/\\$/, '').toLowerCase();
  return key(a) === key(b);
}

/** Windows paths compare without case and without a trailing backslash. */
function uniquePaths(paths: string[]): string[] {
  const result: string[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const key = path.replace(/\\$/, '').toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      result.push(path);
    }
  }
  return result;
}

function requireObject(value: unknown, where: string, what: string): Fields {
  if (!isFields(value)) throw badOutput(where, `a ${what} that is not an object`);
  return value;
}
