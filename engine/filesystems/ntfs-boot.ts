import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';

/** What the NTFS boot sector says about the volume's geometry and identity. */
export interface NtfsBoot {
  bytesPerSector: number;
  clusterSize: number;
  /** Sectors in the filesystem; the backup boot sector sits just past them. */
  totalSectors: number;
  /** Clusters covered by $Bitmap: the whole sectors-per-cluster groups of totalSectors. */
  totalClusters: number;
  mftCluster: number;
  mftRecordSize: number;
  /** The 64-bit volume serial as blkid prints it: 16 upper-case hex digits. */
  serial: string;
}

const OEM_ID = 'NTFS    ';
export const NTFS_BOOT_SIZE = 512;
/** Windows formats clusters of up to 2 MiB; beyond that the field is nonsense. */
const MAX_CLUSTER_SIZE = 2 * 1024 * 1024;

export function hasNtfsSignature(sector: Buffer): boolean {
  return sector.length >= NTFS_BOOT_SIZE && sector.toString('latin1', 3, 11) === OEM_ID;
}

export function ntfsError(message: string, where: string): FerryError {
  return new FerryError('BAD_FILESYSTEM', message, {
    where,
    hint: 'the NTFS volume is damaged; run chkdsk /f on it in Windows, or copy it with --all-blocks',
  });
}

/**
 * Decodes and checks the BIOS parameter block. The sector is known to carry the NTFS OEM id, so
 * every inconsistency is damage, not a different filesystem.
 */
export function parseNtfsBoot(sector: Buffer, volume: BlockSource): NtfsBoot {
  const where = `${volume.path}: NTFS boot sector`;
  const bad = (message: string): FerryError => ntfsError(message, where);

  const bytesPerSector = sector.readUInt16LE(0x0b);
  if (!isPowerOfTwo(bytesPerSector) || bytesPerSector < 256 || bytesPerSector > 4096) {
    throw bad(`bytes per sector is ${bytesPerSector}, not a power of two from 256 to 4096`);
  }
  const clusterSize = bytesPerSector * sectorsPerCluster(sector.readUInt8(0x0d), bad);
  if (clusterSize > MAX_CLUSTER_SIZE) throw bad(`cluster size ${clusterSize} exceeds 2 MiB`);

  // Fields inherited from FAT that NTFS requires to be zero; blkid checks them too.
  const fatFields = [
    sector.readUInt16LE(0x0e),
    sector.readUInt8(0x10),
    sector.readUInt16LE(0x11),
    sector.readUInt16LE(0x13),
    sector.readUInt16LE(0x16),
    sector.readUInt32LE(0x20),
  ];
  if (fatFields.some((value) => value !== 0)) throw bad('FAT fields of the BPB are not zero');

  const totalSectors = safeNumber(sector.readBigUInt64LE(0x28), 'total sectors', bad);
  const size = totalSectors * bytesPerSector;
  if (totalSectors === 0 || !Number.isSafeInteger(size)) {
    throw bad(`total sectors ${totalSectors} is not a usable volume size`);
  }
  const totalClusters = Math.floor(size / clusterSize);
  const mftCluster = safeNumber(sector.readBigUInt64LE(0x30), 'MFT cluster', bad);
  if (mftCluster === 0 || mftCluster >= totalClusters) {
    throw bad(`the MFT cluster ${mftCluster} lies outside the volume's ${totalClusters} clusters`);
  }
  const mftRecordSize = recordSize(sector.readInt8(0x40), clusterSize, bad);

  return {
    bytesPerSector,
    clusterSize,
    totalSectors,
    totalClusters,
    mftCluster,
    mftRecordSize,
    serial: sector.readBigUInt64LE(0x48).toString(16).toUpperCase().padStart(16, '0'),
  };
}

/** Values above 0x80 encode clusters larger than 128 sectors as a negative power of two. */
function sectorsPerCluster(value: number, bad: (message: string) => FerryError): number {
  if (value >= 1 && value <= 0x80 && isPowerOfTwo(value)) return value;
  const shift = 256 - value;
  if (value > 0x80 && shift <= 12) return 2 ** shift;
  throw bad(`sectors per cluster byte 0x${value.toString(16)} is not a valid encoding`);
}

/** Positive: clusters per record. Negative: the record is 2^-n bytes (clusters bigger than it). */
function recordSize(value: number, clusterSize: number, bad: (m: string) => FerryError): number {
  const size = value > 0 ? value * clusterSize : value < 0 ? 2 ** -value : 0;
  // Update sequences protect 512-byte strides, so a record is a whole number of them.
  if (!isPowerOfTwo(size) || size < 512 || size > 65536) {
    throw bad(`MFT record size byte ${value} gives ${size} bytes, not a power of two 512..64K`);
  }
  return size;
}

function safeNumber(value: bigint, what: string, bad: (message: string) => FerryError): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`${what} ${value} is out of range`);
  return Number(value);
}

function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value > 0 && value <= 2 ** 30 && (value & (value - 1)) === 0;
}
