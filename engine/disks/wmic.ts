/**
 * wmic, for Windows without the Storage cmdlets (Windows 7, or PowerShell that will not run):
 * `/format:list` blocks of Key=Value lines, `/format:csv` tables, and association classes whose
 * values are WMI object paths. wmic writes UTF-16LE, escapes "&" as "&amp;", and does not quote
 * CSV fields that contain commas or quotes, so association rows are read by their object paths.
 */
import type { Bus, Disk, DiskPartition } from '../../shared/disks.js';
import { badOutput } from '../io/run-command.js';
import { count, lookup } from './fields.js';
import { filesystemName } from './filesystem-names.js';
import { busFromBusType, busTypeName } from './windows-cim.js';

/** One WMI instance: property name -> value as printed ("" when empty). */
export type WmiRecord = Record<string, string>;

export interface WmiReference {
  /** Win32_DiskDrive, Win32_DiskPartition, Win32_LogicalDisk, ... */
  className: string;
  /** The DeviceID key: "\\.\PHYSICALDRIVE0", "Disk #1, Partition #2", "C:". */
  key: string;
}

export interface WmiLink {
  antecedent: WmiReference;
  dependent: WmiReference;
  /** The association's other properties (StartingAddress, EndingAddress). */
  properties: WmiRecord;
}

/** Either format, told apart by the CSV header wmic always starts with. */
export function parseWmic(output: string, where: string): WmiRecord[] {
  return csvHeaderIndex(lines(output)) >= 0
    ? parseWmicCsv(output, where)
    : parseWmicList(output, where);
}

export function parseWmicList(output: string, where: string): WmiRecord[] {
  const records: WmiRecord[] = [];
  let current: WmiRecord | null = null;
  for (const [index, line] of lines(output).entries()) {
    if (line.trim() === '') {
      current = null;
      continue;
    }
    const match = /^([A-Za-z_]\w*)=(.*)$/.exec(line);
    if (!match?.[1]) throw badOutput(where, `line ${index + 1} is not Key=Value`);
    if (current === null) {
      current = Object.create(null) as WmiRecord;
      records.push(current);
    }
    current[match[1]] = unescapeEntities(match[2] ?? '').trim();
  }
  return records;
}

export function parseWmicCsv(output: string, where: string): WmiRecord[] {
  const all = lines(output);
  const headerIndex = csvHeaderIndex(all);
  if (headerIndex < 0) throw badOutput(where, 'no CSV header starting with "Node,"');
  const header = (all[headerIndex] ?? '').split(',');
  const records: WmiRecord[] = [];
  for (let i = headerIndex + 1; i < all.length; i++) {
    const line = all[i] ?? '';
    if (line.trim() === '') continue;
    const values = line.split(',');
    if (values.length !== header.length) {
      throw badOutput(
        where,
        `CSV line ${i + 1} has ${values.length} fields, the header ${header.length}`,
      );
    }
    const record = Object.create(null) as WmiRecord;
    header.forEach((name, column) => {
      record[name] = unescapeEntities(values[column] ?? '').trim();
    });
    records.push(record);
  }
  return records;
}

/**
 * Association instances (Win32_LogicalDiskToPartition, Win32_DiskDriveToDiskPartition) in
 * either format. Each holds two object paths such as
 * `\\HOST\root\cimv2:Win32_DiskPartition.DeviceID="Disk #1, Partition #2"`.
 */
export function parseWmicLinks(output: string, where: string): WmiLink[] {
  const all = lines(output);
  const headerIndex = csvHeaderIndex(all);
  const rows =
    headerIndex >= 0
      ? all
          .slice(headerIndex + 1)
          .map((row) => ({ row, header: (all[headerIndex] ?? '').split(',') }))
      : parseWmicList(output, where).map((record) => ({ record }));
  const links: WmiLink[] = [];
  for (const entry of rows) {
    if ('row' in entry) {
      if (entry.row.trim() === '') continue;
      links.push(linkFromCsvRow(unescapeEntities(entry.row), entry.header, where));
    } else {
      links.push(linkFromRecord(entry.record, where));
    }
  }
  return links;
}

const REFERENCE = /([A-Za-z_]\w*)\.DeviceID="([^"]*)"/g;

function linkFromCsvRow(row: string, header: string[], where: string): WmiLink {
  const references = [...row.matchAll(REFERENCE)];
  const [antecedent, dependent] = references;
  if (references.length !== 2 || !antecedent || !dependent) {
    throw badOutput(where, 'an association row without two object paths');
  }
  // The columns after Antecedent and Dependent are plain values after the last path's quotes.
  const tail = row.slice((dependent.index ?? 0) + dependent[0].length).replace(/^"?,?"?,?/, '');
  const rest = header.slice(header.indexOf('Dependent') + 1);
  const values = tail === '' ? [] : tail.split(',');
  const properties = Object.create(null) as WmiRecord;
  rest.forEach((name, column) => {
    properties[name] = (values[column] ?? '').trim();
  });
  return { antecedent: toReference(antecedent), dependent: toReference(dependent), properties };
}

function linkFromRecord(record: WmiRecord, where: string): WmiLink {
  const antecedent = [...(record['Antecedent'] ?? '').matchAll(REFERENCE)][0];
  const dependent = [...(record['Dependent'] ?? '').matchAll(REFERENCE)][0];
  if (!antecedent || !dependent) throw badOutput(where, 'an association without two object paths');
  const properties = Object.create(null) as WmiRecord;
  for (const [name, value] of Object.entries(record)) {
    if (name !== 'Antecedent' && name !== 'Dependent') properties[name] = value;
  }
  return { antecedent: toReference(antecedent), dependent: toReference(dependent), properties };
}

function toReference(match: RegExpMatchArray): WmiReference {
  return { className: match[1] ?? '', key: match[2] ?? '' };
}

export interface WmicInventory {
  /** Win32_DiskDrive. */
  drives: WmiRecord[];
  /** Win32_DiskPartition. */
  partitions: WmiRecord[];
  /** Win32_LogicalDiskToPartition. */
  letters: WmiLink[];
  /** Win32_LogicalDisk. */
  logicalDisks: WmiRecord[];
  /** MSFT_PhysicalDisk (Windows 8+), for the bus and the physical sector size; may be empty. */
  physicalDisks: WmiRecord[];
  /** %SystemDrive%, "C:". */
  systemDrive: string | null;
}

const INTERFACES: Record<string, Bus> = {
  IDE: 'ata',
  HDC: 'ata',
  SCSI: 'scsi',
  USB: 'usb',
  '1394': 'other',
};

/** Win32_DiskDrive.Capabilities values. */
const SUPPORTS_WRITING = 4;
const SUPPORTS_REMOVABLE_MEDIA = 7;

export function disksFromWmic(inventory: WmicInventory): Disk[] {
  const disks: Disk[] = [];
  const drives = inventory.drives
    .map((drive) => ({ drive, index: count(drive['Index']) }))
    .filter((entry): entry is { drive: WmiRecord; index: number } => entry.index !== null)
    .sort((a, b) => a.index - b.index);
  for (const { drive, index } of drives) {
    const size = count(drive['Size']);
    // No size: a card reader without a card.
    if (!size) continue;
    const physical = inventory.physicalDisks.find((disk) => count(disk['DeviceId']) === index);
    const bus = physical
      ? busFromBusType(busTypeName(physical['BusType']))
      : driveBus(drive['InterfaceType'] ?? '', drive['PNPDeviceID'] ?? '');
    const capabilities = (drive['Capabilities'] ?? '').match(/\d+/g)?.map(Number) ?? [];
    const mediaType = drive['MediaType'] ?? '';
    const logical = count(drive['BytesPerSector']) ?? count(physical?.['LogicalSectorSize']);
    const partitions = inventory.partitions
      .filter((part) => count(part['DiskIndex']) === index)
      .map((part) => wmicPartition(part, inventory))
      .sort((a, b) => a.number - b.number);
    disks.push({
      path: `\\\\.\\PhysicalDrive${index}`,
      model: driveModel(drive['Model'] ?? drive['Caption'] ?? ''),
      serial: (drive['SerialNumber'] ?? '').trim() || null,
      size,
      logicalSectorSize: logical ?? 512,
      physicalSectorSize: count(physical?.['PhysicalSectorSize']) ?? logical ?? 512,
      bus,
      removable:
        bus === 'usb' ||
        /removable|external/i.test(mediaType) ||
        capabilities.includes(SUPPORTS_REMOVABLE_MEDIA),
      readOnly: capabilities.length > 0 && !capabilities.includes(SUPPORTS_WRITING),
      system: isSystemDisk(index, inventory),
      partitions,
    });
  }
  return disks;
}

function wmicPartition(part: WmiRecord, inventory: WmicInventory): DiskPartition {
  const deviceId = part['DeviceID'] ?? '';
  const letters = inventory.letters
    .filter((link) => link.antecedent.key === deviceId)
    .map((link) => link.dependent.key);
  const logical = inventory.logicalDisks.find((disk) => letters.includes(disk['DeviceID'] ?? ''));
  const volumeSize = count(logical?.['Size']);
  const free = count(logical?.['FreeSpace']);
  const label = (logical?.['VolumeName'] ?? '').trim();
  return {
    // Index counts from 0 the partitions Windows recognises, in table order.
    number: (count(part['Index']) ?? 0) + 1,
    path: null,
    start: count(part['StartingOffset']) ?? 0,
    size: count(part['Size']) ?? 0,
    type: null,
    filesystem: filesystemName(logical?.['FileSystem'] ?? null),
    label: label === '' ? null : label,
    uuid: null,
    mountPoints: letters.map((letter) => `${letter}\\`),
    usedBytes:
      volumeSize !== null && free !== null && volumeSize >= free ? volumeSize - free : null,
  };
}

function isSystemDisk(index: number, inventory: WmicInventory): boolean {
  const drive = inventory.systemDrive?.toUpperCase();
  if (!drive) return false;
  return inventory.letters.some(
    (link) =>
      link.dependent.key.toUpperCase() === drive &&
      /^Disk #(\d+),/.exec(link.antecedent.key)?.[1] === String(index),
  );
}

/** NVMe disks show as InterfaceType SCSI; their PNP id says NVMe. */
function driveBus(interfaceType: string, pnpDeviceId: string): Bus {
  if (/VEN_NVME/i.test(pnpDeviceId)) return 'nvme';
  return lookup(INTERFACES, interfaceType.trim().toUpperCase()) ?? 'unknown';
}

/** "VBOX HARDDISK ATA Device" -> "VBOX HARDDISK": the suffix is the driver's, not the model's. */
function driveModel(model: string): string | null {
  const trimmed = model.replace(/\s*(SCSI Disk|ATA|USB|SCSI) Device$/i, '').trim();
  return trimmed === '' ? null : trimmed;
}

function lines(output: string): string[] {
  return output.replace(/^\uFEFF/, '').split(/\r*\n|\r/);
}

function csvHeaderIndex(all: string[]): number {
  return all.findIndex((line) => line.startsWith('Node,'));
}

function unescapeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos);/g, (_match, name: string) => {
    const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    return entities[name] ?? '';
  });
}
