/**
 * The FAT boot sector (BIOS parameter block): the geometry every FAT reader derives, checked
 * for consistency, and the FAT type from the cluster count as the specification defines it.
 */
import { FerryError } from '../../shared/errors.js';

export type FatType = 'fat12' | 'fat16' | 'fat32';

export interface FatGeometry {
  type: FatType;
  bytesPerSector: number;
  clusterSize: number;
  /** Byte offset of the first FAT. */
  fatStart: number;
  fatCount: number;
  /** Bytes of one FAT. */
  fatSize: number;
  /** Byte offset of the FAT12/16 fixed root directory (0 on FAT32) and its entry count. */
  rootStart: number;
  rootEntries: number;
  /** Byte offset of cluster 2, the first data cluster; everything before it is metadata. */
  dataStart: number;
  clusterCount: number;
  /** FAT32: first cluster of the root directory. */
  rootCluster: number;
  totalSectors: number;
  /** Volume serial as blkid prints it: "ABCD-1234". */
  serial: string;
  /** The 11 raw bytes of the boot sector's label field. */
  bootLabel: Buffer;
}

export const FAT_BOOT_SIZE = 512;
/** The specification's limits: fewer than 4085 clusters is FAT12, fewer than 65525 FAT16. */
const FAT12_LIMIT = 4085;
const FAT16_LIMIT = 65525;
const FAT32_MAX_CLUSTERS = 0x0ffffff5;
const DIR_ENTRY_SIZE = 32;

/** Filesystem-type strings mkfs tools write; only their presence makes damage an error. */
const FAT_MAGICS: readonly [number, string][] = [
  [0x36, 'FAT'],
  [0x36, 'MSDOS'],
  [0x52, 'FAT32'],
  [0x52, 'MSWIN'],
];

export function fatError(message: string, where: string): FerryError {
  return new FerryError('BAD_FILESYSTEM', message, {
    where,
    hint: 'the FAT filesystem is damaged; check it with fsck.fat (or chkdsk), or copy it with --all-blocks',
  });
}

/**
 * Reads the BPB. Returns null when the sector is not a FAT boot sector. A sector whose
 * filesystem-type string says FAT but whose fields contradict each other is damage and throws;
 * without that string, a failed check only means "not FAT" (a boot sector with 0x55AA is
 * common to many things).
 */
export function parseFatBoot(sector: Buffer, where: string): FatGeometry | null {
  if (sector.length < FAT_BOOT_SIZE || sector[510] !== 0x55 || sector[511] !== 0xaa) return null;
  const claimsFat = FAT_MAGICS.some(
    ([at, magic]) => sector.toString('latin1', at, at + magic.length) === magic,
  );
  try {
    return geometry(sector);
  } catch (problem) {
    if (!(problem instanceof Inconsistent)) throw problem;
    if (claimsFat) throw fatError(problem.message, where);
    return null;
  }
}

class Inconsistent extends Error {}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Inconsistent(message);
}

function geometry(sector: Buffer): FatGeometry {
  const bytesPerSector = sector.readUInt16LE(0x0b);
  const sectorsPerCluster = sector.readUInt8(0x0d);
  const reservedSectors = sector.readUInt16LE(0x0e);
  const fatCount = sector.readUInt8(0x10);
  const rootEntries = sector.readUInt16LE(0x11);
  const media = sector.readUInt8(0x15);
  const fat16Sectors = sector.readUInt16LE(0x16);
  check(
    isPowerOfTwo(bytesPerSector) && bytesPerSector >= 512 && bytesPerSector <= 4096,
    `bytes per sector is ${bytesPerSector}, not a power of two from 512 to 4096`,
  );
  check(
    isPowerOfTwo(sectorsPerCluster),
    `sectors per cluster is ${sectorsPerCluster}, not a power of two`,
  );
  check(reservedSectors >= 1, 'there are no reserved sectors (the boot sector is one)');
  check(fatCount >= 1 && fatCount <= 4, `the FAT count is ${fatCount}`);
  check(media === 0xf0 || media >= 0xf8, `media byte 0x${media.toString(16)} is not valid`);

  const totalSectors = sector.readUInt16LE(0x13) || sector.readUInt32LE(0x20);
  check(totalSectors > 0, 'the total sector count is zero');
  // A FAT32 BPB has no 16-bit FAT size and no fixed root directory.
  const fat32Layout = fat16Sectors === 0;
  const sectorsPerFat = fat32Layout ? sector.readUInt32LE(0x24) : fat16Sectors;
  check(sectorsPerFat > 0, 'the FAT size is zero');
  check(
    fat32Layout ? rootEntries === 0 : rootEntries > 0,
    `${rootEntries} root directory entries do not fit a ${fat32Layout ? 'FAT32' : 'FAT12/16'} BPB`,
  );

  const rootSectors = Math.ceil((rootEntries * DIR_ENTRY_SIZE) / bytesPerSector);
  const rootSector = reservedSectors + fatCount * sectorsPerFat;
  const dataSector = rootSector + rootSectors;
  check(dataSector < totalSectors, `the data area starts at sector ${dataSector}, past the end`);
  const clusterCount = Math.floor((totalSectors - dataSector) / sectorsPerCluster);
  check(clusterCount >= 1, 'the volume has no data clusters');

  const type = fatType(fat32Layout, clusterCount);
  const entryBits = type === 'fat12' ? 12 : type === 'fat16' ? 16 : 32;
  const fatSize = sectorsPerFat * bytesPerSector;
  check(
    Math.ceil(((clusterCount + 2) * entryBits) / 8) <= fatSize,
    `a FAT of ${fatSize} bytes cannot map ${clusterCount} clusters`,
  );
  const rootCluster = fat32Layout ? sector.readUInt32LE(0x2c) : 0;
  check(
    !fat32Layout || (rootCluster >= 2 && rootCluster < clusterCount + 2),
    `the root directory cluster ${rootCluster} is outside the volume`,
  );

  const extended = fat32Layout ? 0x43 : 0x27;
  return {
    type,
    bytesPerSector,
    clusterSize: sectorsPerCluster * bytesPerSector,
    fatStart: reservedSectors * bytesPerSector,
    fatCount,
    fatSize,
    rootStart: fat32Layout ? 0 : rootSector * bytesPerSector,
    rootEntries,
    dataStart: dataSector * bytesPerSector,
    clusterCount,
    rootCluster,
    totalSectors,
    serial: serialText(sector.subarray(extended, extended + 4)),
    bootLabel: Buffer.from(sector.subarray(extended + 4, extended + 15)),
  };
}

/**
 * FAT12 and FAT16 differ only by cluster count, so the count decides between them. FAT32 has a
 * BPB of its own (no 16-bit FAT size, no fixed root), and Linux and blkid take that layout as
 * FAT32 whatever its count; so does Ferry, since its 32-bit FAT cannot be read any other way.
 */
function fatType(fat32Layout: boolean, clusterCount: number): FatType {
  if (fat32Layout) {
    check(clusterCount <= FAT32_MAX_CLUSTERS, `${clusterCount} clusters are too many for FAT32`);
    return 'fat32';
  }
  check(clusterCount < FAT16_LIMIT, `${clusterCount} clusters are too many for a FAT12/16 BPB`);
  return clusterCount < FAT12_LIMIT ? 'fat12' : 'fat16';
}

/** blkid's form of the 32-bit serial: "ABCD-1234", most significant byte first. */
export function serialText(bytes: Buffer): string {
  const hex = bytes.readUInt32LE(0).toString(16).toUpperCase().padStart(8, '0');
  return `${hex.slice(0, 4)}-${hex.slice(4)}`;
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}
