/**
 * The VHD hard disk footer (512 bytes, big-endian), as the Virtual Hard Disk Image Format
 * Specification lays it out. Every VHD ends with one; a dynamic VHD also keeps a copy at
 * offset 0.
 */
import { FerryError } from '../../shared/errors.js';
import { writeGuid } from '../partitions/guid.js';
import { storedUuid } from './disk-uuid.js';
import { vhdGeometry } from './vhd-geometry.js';

export const VHD_FOOTER_SIZE = 512;
const VHD_COOKIE = 'conectix';
export const VHD_DISK_TYPE = { fixed: 2, dynamic: 3, differencing: 4 } as const;
/** The data offset of a fixed disk, which has no dynamic header: all 64 bits set. */
const VHD_NO_DATA_OFFSET = 0xffffffffffffffffn;

const FIELD = {
  cookie: 0,
  features: 8,
  version: 12,
  dataOffset: 16,
  timestamp: 24,
  creatorApplication: 28,
  creatorVersion: 32,
  creatorHostOs: 36,
  originalSize: 40,
  currentSize: 48,
  cylinders: 56,
  heads: 58,
  sectorsPerTrack: 59,
  diskType: 60,
  checksum: 64,
  uniqueId: 68,
  savedState: 84,
} as const;

/** Bit 1, "reserved", which the specification says must always be set. */
const FEATURES_RESERVED = 0x00000002;
const VERSION_1_0 = 0x00010000;
/** Seconds from the Unix epoch to 2000-01-01 00:00:00 UTC, the VHD epoch. */
const VHD_EPOCH = 946684800;
/** Ferry's own creator application; the size decision in vhd-geometry.ts does not depend on it. */
const CREATOR_APPLICATION = 'frry';
const CREATOR_VERSION = 0x00010000;
/** "Wi2k": what Hyper-V and QEMU write; VHD consumers are Windows-minded. */
const CREATOR_HOST_OS = 'Wi2k';

/** What a reader needs of a footer. The size is the current size, as Hyper-V reads it. */
export interface VhdFooter {
  diskType: number;
  /** Offset of the dynamic header; undefined for a fixed disk (all bits set). */
  dataOffset: number | undefined;
  currentSize: number;
  /** The unique id, which VirtualBox and Hyper-V know the disk by; null when all zeros. */
  uniqueId: string | null;
}

/**
 * The one's complement of the byte sum of a footer or dynamic header, its checksum field
 * counted as zeros.
 */
export function vhdChecksum(structure: Buffer, checksumOffset: number): number {
  let sum = 0;
  for (let i = 0; i < structure.length; i++) {
    if (i < checksumOffset || i >= checksumOffset + 4) sum += structure[i]!;
  }
  return ~sum >>> 0;
}

/** The footer of a new disk of `size` bytes (a size vhdDiskSize chose) known by `uniqueId`. */
export function buildVhdFooter(
  diskType: number,
  size: number,
  dataOffset: number | undefined,
  uniqueId: string,
): Buffer {
  const footer = Buffer.alloc(VHD_FOOTER_SIZE);
  footer.write(VHD_COOKIE, FIELD.cookie, 'latin1');
  footer.writeUInt32BE(FEATURES_RESERVED, FIELD.features);
  footer.writeUInt32BE(VERSION_1_0, FIELD.version);
  footer.writeBigUInt64BE(
    dataOffset === undefined ? VHD_NO_DATA_OFFSET : BigInt(dataOffset),
    FIELD.dataOffset,
  );
  footer.writeUInt32BE(Math.max(0, Math.floor(Date.now() / 1000) - VHD_EPOCH), FIELD.timestamp);
  footer.write(CREATOR_APPLICATION, FIELD.creatorApplication, 'latin1');
  footer.writeUInt32BE(CREATOR_VERSION, FIELD.creatorVersion);
  footer.write(CREATOR_HOST_OS, FIELD.creatorHostOs, 'latin1');
  footer.writeBigUInt64BE(BigInt(size), FIELD.originalSize);
  footer.writeBigUInt64BE(BigInt(size), FIELD.currentSize);
  const geometry = vhdGeometry(size / 512);
  footer.writeUInt16BE(geometry.cylinders, FIELD.cylinders);
  footer.writeUInt8(geometry.heads, FIELD.heads);
  footer.writeUInt8(geometry.sectorsPerTrack, FIELD.sectorsPerTrack);
  footer.writeUInt32BE(diskType, FIELD.diskType);
  // The byte order Windows uses, as Hyper-V writes it and as VirtualBox copies its RTUUID.
  writeGuid(uniqueId, footer, FIELD.uniqueId);
  footer.writeUInt8(0, FIELD.savedState);
  footer.writeUInt32BE(vhdChecksum(footer, FIELD.checksum), FIELD.checksum);
  return footer;
}

/** Whether `bytes` starts with a footer cookie (what content detection looks for). */
export function hasVhdCookie(bytes: Buffer): boolean {
  return bytes.length >= VHD_FOOTER_SIZE && bytes.toString('latin1', 0, 8) === VHD_COOKIE;
}

/**
 * Parses and checks a footer. Throws BAD_IMAGE for a wrong cookie or checksum, UNSUPPORTED
 * for a version other than 1.x or a differencing disk.
 */
export function parseVhdFooter(footer: Buffer, where: string): VhdFooter {
  const bad = (message: string): FerryError =>
    new FerryError('BAD_IMAGE', message, {
      where,
      hint: 'the VHD is damaged or is not a VHD; `qemu-img info -f vpc` may say more',
    });
  if (!hasVhdCookie(footer)) throw bad('no "conectix" cookie: this is not a VHD footer');
  const stored = footer.readUInt32BE(FIELD.checksum);
  const computed = vhdChecksum(footer.subarray(0, VHD_FOOTER_SIZE), FIELD.checksum);
  if (stored !== computed) {
    throw bad(`footer checksum is ${hex(stored)}, the footer sums to ${hex(computed)}`);
  }
  const version = footer.readUInt32BE(FIELD.version);
  if (version >>> 16 !== 1) {
    throw new FerryError('UNSUPPORTED', `VHD format version ${hex(version)} is not 1.x`, {
      where,
      hint: 'convert the disk with the tool that made it (Hyper-V: Convert-VHD) first',
    });
  }
  const diskType = footer.readUInt32BE(FIELD.diskType);
  if (diskType === VHD_DISK_TYPE.differencing) {
    throw new FerryError('UNSUPPORTED', 'a differencing VHD holds only changes to its parent', {
      where,
      hint: 'merge it into its parent first (Hyper-V: Merge-VHD; qemu-img commit) and convert the result',
    });
  }
  if (diskType !== VHD_DISK_TYPE.fixed && diskType !== VHD_DISK_TYPE.dynamic) {
    throw bad(`disk type ${diskType} is none of fixed (2), dynamic (3) or differencing (4)`);
  }
  const currentSize = safeNumber(footer.readBigUInt64BE(FIELD.currentSize), 'current size', bad);
  const rawOffset = footer.readBigUInt64BE(FIELD.dataOffset);
  const dataOffset =
    rawOffset === VHD_NO_DATA_OFFSET ? undefined : safeNumber(rawOffset, 'data offset', bad);
  if (diskType === VHD_DISK_TYPE.dynamic && dataOffset === undefined) {
    throw bad('a dynamic disk whose footer gives no dynamic header offset');
  }
  return { diskType, dataOffset, currentSize, uniqueId: storedUuid(footer, FIELD.uniqueId) };
}

function safeNumber(value: bigint, field: string, bad: (message: string) => FerryError): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`${field} ${value} is out of range`);
  return Number(value);
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
