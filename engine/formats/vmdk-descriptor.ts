/**
 * The VMDK descriptor: the text that names the disk's type, its extents and its disk database
 * (adapter, geometry, identity). Written embedded in a sparse extent or as a file beside flat
 * extents. qemu's parser is naive (it finds `createType="` and `CID` with strstr), so the layout
 * below keeps `createType="…"` without spaces and `CID=` before `parentCID=` and everything else.
 * VirtualBox wants the header settings, then the extents, then only `ddb.` lines.
 */
import { randomInt } from 'node:crypto';
import { FerryError } from '../../shared/errors.js';
import { NIL_UUID, diskUuid, uuidFromText } from './disk-uuid.js';

export type VmdkAdapterType = 'ide' | 'buslogic' | 'lsilogic' | 'legacyESX' | 'pvscsi';
export type VmdkCreateType = 'monolithicSparse' | 'streamOptimized' | 'monolithicFlat';

/** What the disk database says about the virtual hardware the disk is attached to. */
export interface DescriptorOptions {
  /** The controller the guest sees the disk on; decides the BIOS geometry. Default lsilogic. */
  adapterType?: VmdkAdapterType;
  /** The oldest virtual hardware the disk works with; 4 is what every VMware product opens. */
  virtualHwVersion?: number;
  /**
   * VMware's `ddb.uuid` (32 hex digits, dashes allowed), the serial identity a guest sees; left
   * out when absent, for VMware to make up. VirtualBox's identity is the image UUID instead.
   */
  uuid?: string;
}

export interface Geometry {
  cylinders: number;
  heads: number;
  sectors: number;
}

/** VMware's BIOS geometry: 16 heads for IDE, 255 for SCSI, 63 sectors, cylinders capped. */
export function diskGeometry(capacitySectors: number, adapter: VmdkAdapterType): Geometry {
  const heads = adapter === 'ide' ? 16 : 255;
  const maxCylinders = adapter === 'ide' ? 16383 : 65535;
  const cylinders = Math.min(maxCylinders, Math.max(1, Math.floor(capacitySectors / (heads * 63))));
  return { cylinders, heads, sectors: 63 };
}

export interface DescriptorExtentSpec {
  sectors: number;
  type: 'SPARSE' | 'FLAT';
  /** The extent file's name, relative to the descriptor (a name beside it). */
  file: string;
}

/**
 * The descriptor text for a one-extent disk known to VirtualBox as `imageUuid`. The four
 * `ddb.uuid.*` lines are the ones VirtualBox's VMDK backend writes for a new base disk (parent
 * and modification UUIDs all zeros); without them it makes the image UUID up.
 */
export function buildDescriptor(
  createType: VmdkCreateType,
  extent: DescriptorExtentSpec,
  imageUuid: string,
  options: DescriptorOptions = {},
): string {
  const image = diskUuid(imageUuid);
  const adapter = options.adapterType ?? 'lsilogic';
  const geometry = diskGeometry(extent.sectors, adapter);
  const flatOffset = extent.type === 'FLAT' ? ' 0' : '';
  const lines = [
    '# Disk DescriptorFile',
    'version=1',
    'encoding="UTF-8"',
    `CID=${randomCid()}`,
    'parentCID=ffffffff',
    `createType="${createType}"`,
    '',
    '# Extent description',
    `RW ${extent.sectors} ${extent.type} "${quotable(extent.file)}"${flatOffset}`,
    '',
    '# The Disk Data Base',
    '#DDB',
    '',
    `ddb.virtualHWVersion = "${options.virtualHwVersion ?? 4}"`,
    `ddb.adapterType = "${adapter}"`,
    `ddb.geometry.cylinders = "${geometry.cylinders}"`,
    `ddb.geometry.heads = "${geometry.heads}"`,
    `ddb.geometry.sectors = "${geometry.sectors}"`,
  ];
  if (options.uuid !== undefined) lines.push(`ddb.uuid = "${vmwareUuid(options.uuid)}"`);
  lines.push(
    `ddb.uuid.image = "${image}"`,
    `ddb.uuid.parent = "${NIL_UUID}"`,
    `ddb.uuid.modification = "${NIL_UUID}"`,
    `ddb.uuid.parentmodification = "${NIL_UUID}"`,
  );
  return `${lines.join('\n')}\n`;
}

/** A content ID: random, and never one of the two values VMware reserves. */
function randomCid(): string {
  return randomInt(0, 0xfffffffe).toString(16).padStart(8, '0');
}

function quotable(file: string): string {
  if (/["\r\n]/.test(file)) {
    throw new FerryError('USAGE', 'a VMDK extent name cannot contain quotes or line breaks', {
      where: file,
      hint: 'choose a destination name without " or line breaks',
    });
  }
  return file;
}

/** "60 00 C2 9b 69 2f c9 76-74 c4 07 9e 10 87 3b f9": the form VMware writes. */
function vmwareUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) {
    throw new FerryError('USAGE', `"${uuid}" is not a UUID`, {
      where: 'ddb.uuid',
      hint: 'give 32 hexadecimal digits, dashes allowed',
    });
  }
  const bytes = hex.match(/../g) ?? [];
  return `${bytes.slice(0, 8).join(' ')}-${bytes.slice(8).join(' ')}`;
}

/** One line of a descriptor's extent description. */
export interface DescriptorExtent {
  access: 'RW' | 'RDONLY' | 'NOACCESS';
  sectors: number;
  type: 'SPARSE' | 'FLAT' | 'VMFS' | 'ZERO';
  /** The extent file as written in the descriptor; null for ZERO extents. */
  file: string | null;
  /** Sectors to skip at the start of a flat extent file. */
  offset: number;
}

export interface ParsedDescriptor {
  createType: string | null;
  /** The parent's content ID; set only for a delta (snapshot) disk. */
  parentCid: string | null;
  /** VirtualBox's `ddb.uuid.image`, lower case; null when absent, malformed or nil. */
  imageUuid: string | null;
  extents: DescriptorExtent[];
}

/** More extents than any real disk has (a 64 TiB twoGbMaxExtent disk has 32768). */
const MAX_EXTENTS = 100_000;
const ACCESS_WORD = /^(RW|RDONLY|NOACCESS)\s/;
const EXTENT_LINE = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Za-z]+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?$/;
const SETTING_LINE = /^([A-Za-z][\w.]*)\s*=\s*(?:"([^"]*)"|(\S*))$/;

/**
 * Reads a descriptor's type, parent and extents. Lines that are neither settings nor extents are
 * ignored, as VMware ignores them; a line that starts like an extent must be one.
 */
export function parseDescriptor(text: string, where: string): ParsedDescriptor {
  const bad = (message: string): FerryError =>
    new FerryError('BAD_IMAGE', message, {
      where,
      hint: 'the VMDK descriptor is damaged; compare it with one VMware or qemu-img writes',
    });
  const result: ParsedDescriptor = {
    createType: null,
    parentCid: null,
    imageUuid: null,
    extents: [],
  };
  let totalSectors = 0;
  for (const [index, rawLine] of text.split('\n').entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (ACCESS_WORD.test(line)) {
      const extent = EXTENT_LINE.exec(line);
      if (!extent) throw bad(`line ${index + 1} is not a valid extent: "${line.slice(0, 80)}"`);
      if (result.extents.length >= MAX_EXTENTS) throw bad(`more than ${MAX_EXTENTS} extents`);
      const parsed = extentOf(extent, index + 1, bad, where);
      totalSectors += parsed.sectors;
      if (!Number.isSafeInteger(totalSectors * 512))
        throw bad('the extents add up to more than 8 PiB');
      result.extents.push(parsed);
      continue;
    }
    const setting = SETTING_LINE.exec(line);
    if (!setting) continue;
    const value = setting[2] ?? setting[3] ?? '';
    if (setting[1] === 'createType') result.createType = value;
    if (setting[1] === 'parentCID' && value.toLowerCase() !== 'ffffffff') result.parentCid = value;
    if (setting[1] === 'ddb.uuid.image') result.imageUuid = uuidFromText(value);
  }
  if (result.extents.length === 0) throw bad('the descriptor lists no extents');
  return result;
}

function extentOf(
  match: RegExpExecArray,
  lineNumber: number,
  bad: (message: string) => FerryError,
  where: string,
): DescriptorExtent {
  const [, access, sectorText, typeText, file, offsetText] = match;
  const sectors = Number(sectorText);
  const offset = Number(offsetText ?? '0');
  if (!Number.isSafeInteger(sectors * 512) || !Number.isSafeInteger(offset * 512)) {
    throw bad(`extent on line ${lineNumber} is out of range`);
  }
  const type = typeText?.toUpperCase();
  if (type !== 'SPARSE' && type !== 'FLAT' && type !== 'VMFS' && type !== 'ZERO') {
    throw new FerryError('UNSUPPORTED', `extent type ${typeText} is not read by Ferry`, {
      where,
      hint: 'convert the disk to monolithicSparse or monolithicFlat with VMware or qemu-img first',
    });
  }
  if (type !== 'ZERO' && (file === undefined || file === '')) {
    throw bad(`${type} extent on line ${lineNumber} names no file`);
  }
  return {
    access: access as DescriptorExtent['access'],
    sectors,
    type,
    file: type === 'ZERO' ? null : (file ?? null),
    offset,
  };
}
