/**
 * Parses what lsblk prints, across util-linux versions: `--json` (2.27+) with sizes in bytes or
 * human units ("1.8T"), nested `children` or a flat list, booleans as `true` or `"1"`, and the
 * older `--pairs` (`-P`) lines. Column names are matched case-insensitively, so `MAJ:MIN`,
 * `LOG-SEC` and `maj:min`, `log-sec` are the same column.
 */
import { badOutput } from '../io/run-command.js';
import { count, flag, isFields, items, text, type Fields } from './fields.js';

export interface LsblkDevice {
  /** The NAME column: a kernel name (sda) or, with --paths, a path (/dev/sda). */
  name: string;
  /** The kernel name, without /dev/, as sysfs knows it. */
  kernelName: string;
  path: string;
  /** disk, part, loop, rom, lvm, crypt, dm, raid1, md, ...; null when lsblk did not say. */
  type: string | null;
  size: number | null;
  /** The size was printed in human units ("1.8T") and is only as exact as its digits. */
  sizeIsApproximate: boolean;
  removable: boolean | null;
  readOnly: boolean | null;
  model: string | null;
  vendor: string | null;
  serial: string | null;
  transport: string | null;
  /** The SUBSYSTEMS column, e.g. "block:scsi:usb:pci". */
  subsystems: string | null;
  logicalSectorSize: number | null;
  physicalSectorSize: number | null;
  /** Partition start in bytes. */
  start: number | null;
  partitionNumber: number | null;
  partitionType: string | null;
  fsType: string | null;
  fsVersion: string | null;
  label: string | null;
  uuid: string | null;
  /** Bytes used by the mounted filesystem, when lsblk printed it in bytes. */
  fsUsed: number | null;
  mountPoints: string[];
  children: LsblkDevice[];
}

/** lsblk nests holders under what they hold; no real stack is deeper than a handful of levels. */
const MAX_DEPTH = 32;
/** lsblk's START column counts 512-byte units whatever the logical sector size. */
const START_UNIT = 512;

export function parseLsblk(output: string, where = 'lsblk'): LsblkDevice[] {
  const body = output.replace(/^\uFEFF/, '').trim();
  if (body.startsWith('{')) return parseJson(body, where);
  if (body === '') return [];
  return treeFromFlatList(parsePairs(body, where));
}

function parseJson(body: string, where: string): LsblkDevice[] {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw badOutput(where, `not JSON (${error instanceof Error ? error.message : 'parse error'})`);
  }
  if (!isFields(document) || !Array.isArray(document['blockdevices'])) {
    throw badOutput(where, 'no "blockdevices" list');
  }
  let nested = false;
  const read = (entry: unknown, depth: number): LsblkDevice => {
    if (depth > MAX_DEPTH) throw badOutput(where, `devices nested deeper than ${MAX_DEPTH}`);
    if (!isFields(entry)) throw badOutput(where, 'a device that is not an object');
    const fields = normalizeKeys(entry);
    const device = deviceFromFields(fields, where);
    const children = fields['children'];
    if (children !== undefined && children !== null) {
      if (!Array.isArray(children))
        throw badOutput(where, `"children" of ${device.name} is not a list`);
      nested = true;
      device.children = children.map((child) => read(child, depth + 1));
    }
    return device;
  };
  const devices = document['blockdevices'].map((entry) => read(entry, 0));
  return nested ? devices : treeFromFlatList(devices);
}

function parsePairs(body: string, where: string): LsblkDevice[] {
  const devices: LsblkDevice[] = [];
  for (const [index, line] of body.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    const fields = Object.create(null) as Fields;
    const rest = line.replace(
      /\s*([A-Za-z0-9:%_.-]+)="([^"]*)"\s*/g,
      (_match, key: string, value: string) => {
        fields[normalizeKey(key)] = unescapePairValue(value);
        return '';
      },
    );
    if (rest !== '' || Object.keys(fields).length === 0) {
      throw badOutput(where, `line ${index + 1} is not KEY="value" pairs`);
    }
    devices.push(deviceFromFields(fields, where));
  }
  return devices;
}

/**
 * lsblk -P writes unsafe bytes as \xHH: quotes, newlines between mount points, and in the C
 * locale every byte of a non-ASCII character, so a run of escapes is decoded as UTF-8.
 */
function unescapePairValue(value: string): string {
  return value.replace(/(?:\\x[0-9a-fA-F]{2})+/g, (run) =>
    Buffer.from(
      run
        .split('\\x')
        .slice(1)
        .map((hex) => parseInt(hex, 16)),
    ).toString('utf8'),
  );
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/_/g, '-');
}

function normalizeKeys(entry: Fields): Fields {
  // No prototype: a column named "__proto__" stays a column.
  const result = Object.create(null) as Fields;
  for (const [key, value] of Object.entries(entry)) result[normalizeKey(key)] = value;
  return result;
}

function deviceFromFields(fields: Fields, where: string): LsblkDevice {
  const name = text(fields['name']) ?? text(fields['path']) ?? text(fields['kname']);
  if (name === null) throw badOutput(where, 'a device without NAME, PATH or KNAME');
  const kernelName = basename(text(fields['kname']) ?? name);
  const size = readSize(fields['size']);
  const startSectors = count(fields['start']);
  return {
    name,
    kernelName,
    path: text(fields['path']) ?? (name.startsWith('/') ? name : `/dev/${name}`),
    type: text(fields['type'])?.toLowerCase() ?? inferType(name),
    size: size?.bytes ?? null,
    sizeIsApproximate: size?.approximate ?? false,
    removable: flag(fields['rm']),
    readOnly: flag(fields['ro']),
    model: text(fields['model']),
    vendor: text(fields['vendor']),
    serial: text(fields['serial']),
    transport: text(fields['tran'])?.toLowerCase() ?? null,
    subsystems: text(fields['subsystems']),
    logicalSectorSize: count(fields['log-sec']),
    physicalSectorSize: count(fields['phy-sec']),
    start: startSectors === null ? null : safeProduct(startSectors, START_UNIT),
    partitionNumber: count(fields['partn']),
    partitionType: text(fields['parttype'])?.toLowerCase() ?? null,
    fsType: text(fields['fstype']),
    fsVersion: text(fields['fsver']),
    label: text(fields['label']),
    uuid: text(fields['uuid']),
    fsUsed: count(fields['fsused']),
    mountPoints: readMountPoints(fields),
    children: [],
  };
}

function readMountPoints(fields: Fields): string[] {
  const many = fields['mountpoints'];
  // In -P output MOUNTPOINTS is one value with the mount points separated by newlines.
  const raw =
    typeof many === 'string'
      ? many.split('\n')
      : many !== undefined && many !== null
        ? items(many)
        : [fields['mountpoint']];
  const result: string[] = [];
  for (const entry of raw) {
    const mountPoint = text(entry);
    if (mountPoint !== null && !result.includes(mountPoint)) result.push(mountPoint);
  }
  return result;
}

const HUMAN_UNITS: Record<string, number> = {
  B: 1,
  K: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
  P: 2 ** 50,
  E: 2 ** 60,
};

/** Bytes from a number, a string of digits, or lsblk's human form ("14.3G", binary units). */
function readSize(value: unknown): { bytes: number; approximate: boolean } | null {
  const exact = count(value);
  if (exact !== null) return { bytes: exact, approximate: false };
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+(?:[.,]\d+)?)\s*([BKMGTPE])?(?:i?B)?\s*$/i.exec(value);
  if (!match?.[1]) return null;
  const multiplier = HUMAN_UNITS[(match[2] ?? 'B').toUpperCase()] ?? 1;
  const bytes = Math.round(Number(match[1].replace(',', '.')) * multiplier);
  return Number.isSafeInteger(bytes) ? { bytes, approximate: true } : null;
}

/** Old lsblk and reduced column sets may lack TYPE; the kernel name says enough for the rest. */
function inferType(name: string): string | null {
  const base = basename(name);
  if (/^(sr|scd)\d+$/.test(base)) return 'rom';
  if (/^loop\d+$/.test(base)) return 'loop';
  if (/^dm-\d+$/.test(base) || name.includes('/mapper/')) return 'dm';
  if (/^md\d+$/.test(base)) return 'md';
  return null;
}

const WHOLE_TYPES = new Set(['disk', 'loop', 'rom']);

/** Types that sit on top of other devices: lvm, crypt, dm, md, raid1, mpath, ... */
function isHolderType(type: string | null): boolean {
  return type !== null && type !== 'part' && !WHOLE_TYPES.has(type);
}

/**
 * Rebuilds the tree from a flat list (`-P`, or JSON without `children`). lsblk lists devices
 * depth first: a partition follows its disk and is named after it (sda1, nvme0n1p2,
 * md126p3); a holder (lvm, crypt, md) follows the partition or disk it sits on. A holder over
 * several devices (an md array) is listed under each of them, as in lsblk's own tree.
 */
function treeFromFlatList(devices: LsblkDevice[]): LsblkDevice[] {
  const roots: LsblkDevice[] = [];
  const byName = new Map<string, LsblkDevice>();
  let lastHeld: LsblkDevice | null = null;
  for (const device of devices) {
    const parent = partitionParent(device.name, byName);
    if (parent) {
      device.type ??= 'part';
      parent.children.push(device);
      lastHeld = device;
    } else if (isHolderType(device.type) && lastHeld) {
      lastHeld.children.push(device);
    } else {
      roots.push(device);
      lastHeld = device;
    }
    byName.set(device.name, device);
  }
  return roots;
}

function partitionParent(name: string, byName: Map<string, LsblkDevice>): LsblkDevice | null {
  const match = /^(.*?)(p?)(\d+)$/.exec(name);
  if (!match?.[1]) return null;
  // sda1: digits straight after a letter; nvme0n1p1, mmcblk0p2, md126p3: "p" after a digit.
  const base = match[1];
  const needsP = /\d$/.test(base);
  if (needsP !== (match[2] === 'p')) return null;
  return byName.get(base) ?? null;
}

function basename(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

function safeProduct(a: number, b: number): number | null {
  const product = a * b;
  return Number.isSafeInteger(product) ? product : null;
}
