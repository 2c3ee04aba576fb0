/**
 * The hosted sparse extent ("KDMV") as VMware's Virtual Disk Format 5.0 describes it: the
 * header both sparse writers and the reader share, the markers of streamOptimized extents, and
 * the grain geometry every VMware product creates. Offsets and sizes in the header are sectors.
 */
import { FerryError } from '../../shared/errors.js';

export const SECTOR = 512;
/** "KDMV" read as a little-endian 32-bit number. */
export const SPARSE_MAGIC = 0x564d444b;
/** 128 sectors: the grain size of every sparse extent VMware products create. */
export const GRAIN_SECTORS = 128;
export const GRAIN_BYTES = GRAIN_SECTORS * SECTOR;
/** Grain table entries per grain table; disklib accepts no other value for hosted sparse. */
export const GT_ENTRIES = 512;
export const GT_SECTORS = (GT_ENTRIES * 4) / SECTOR;
/** Sectors reserved for the embedded descriptor, as VMware and qemu reserve them. */
export const DESCRIPTOR_SECTORS = 20;
/** The largest sector offset a grain table entry (32 bits) can hold. */
export const MAX_GTE = 0xffffffff;

export const FLAG_NEWLINE_TEST = 1 << 0;
export const FLAG_REDUNDANT_GD = 1 << 1;
export const FLAG_COMPRESSED = 1 << 16;
export const FLAG_MARKERS = 1 << 17;
const KNOWN_INCOMPATIBLE_FLAGS = FLAG_COMPRESSED | FLAG_MARKERS;
const INCOMPATIBLE_FLAGS = 0xffff0000;

export const COMPRESS_DEFLATE = 1;

/** Marker types of a streamOptimized extent (a grain marker has a non-zero size instead). */
export const MARKER_EOS = 0;
export const MARKER_GT = 1;
export const MARKER_GD = 2;
export const MARKER_FOOTER = 3;
/** A grain marker: the grain's first sector (64 bits) and the compressed length (32 bits). */
export const GRAIN_MARKER_BYTES = 12;

export interface SparseHeader {
  version: number;
  flags: number;
  /** Sectors of virtual disk. */
  capacity: number;
  grainSectors: number;
  descriptorOffset: number;
  descriptorSectors: number;
  gtEntries: number;
  /** Sector of the redundant grain directory; 0 when there is none. */
  rgdOffset: number;
  /** Sector of the grain directory, or 'at-end' when only the footer knows it (streaming). */
  gdOffset: number | 'at-end';
  /** Sectors before the first grain. */
  overhead: number;
  compressAlgorithm: number;
}

const GD_AT_END = 0xffffffffffffffffn;

/** The header sector; the footer of a streamOptimized extent is the same structure. */
export function encodeSparseHeader(header: SparseHeader): Buffer {
  const sector = Buffer.alloc(SECTOR);
  sector.writeUInt32LE(SPARSE_MAGIC, 0);
  sector.writeUInt32LE(header.version, 4);
  sector.writeUInt32LE(header.flags >>> 0, 8);
  sector.writeBigUInt64LE(BigInt(header.capacity), 12);
  sector.writeBigUInt64LE(BigInt(header.grainSectors), 20);
  sector.writeBigUInt64LE(BigInt(header.descriptorOffset), 28);
  sector.writeBigUInt64LE(BigInt(header.descriptorSectors), 36);
  sector.writeUInt32LE(header.gtEntries, 44);
  sector.writeBigUInt64LE(BigInt(header.rgdOffset), 48);
  sector.writeBigUInt64LE(header.gdOffset === 'at-end' ? GD_AT_END : BigInt(header.gdOffset), 56);
  sector.writeBigUInt64LE(BigInt(header.overhead), 64);
  sector[72] = 0; // uncleanShutdown
  // The newline detector: a transfer that rewrote line endings shows here.
  sector.write('\n \r\n', 73, 'latin1');
  sector.writeUInt16LE(header.compressAlgorithm, 77);
  return sector;
}

/**
 * Reads and checks a header (or footer) sector. Only what every reader needs is checked here;
 * offsets against the file's size are the reader's job, since only it knows the size.
 */
export function decodeSparseHeader(sector: Buffer, where: string): SparseHeader {
  const bad = (message: string): FerryError =>
    new FerryError('BAD_IMAGE', message, {
      where,
      hint: 'the VMDK is damaged or not a hosted sparse extent; re-export it from its source',
    });
  if (sector.length < SECTOR || sector.readUInt32LE(0) !== SPARSE_MAGIC) {
    throw bad('no "KDMV" sparse extent header');
  }
  const version = sector.readUInt32LE(4);
  const flags = sector.readUInt32LE(8);
  if (version < 1 || version > 3) throw bad(`sparse extent version ${version} is unknown`);
  const unknown = (flags & INCOMPATIBLE_FLAGS & ~KNOWN_INCOMPATIBLE_FLAGS) >>> 0;
  if (unknown !== 0) {
    throw new FerryError(
      'UNSUPPORTED',
      `sparse extent uses unknown features (flags 0x${unknown.toString(16)})`,
      {
        where,
        hint: 'convert it to monolithicSparse with VMware or qemu-img first',
      },
    );
  }
  if ((flags & FLAG_NEWLINE_TEST) !== 0 && sector.toString('latin1', 73, 77) !== '\n \r\n') {
    throw bad('line endings in the header were rewritten (a text-mode transfer?)');
  }
  const sectors = (offset: number, name: string): number => {
    const value = sector.readBigUInt64LE(offset);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) / BigInt(SECTOR))
      throw bad(`${name} ${value} is out of range`);
    return Number(value);
  };
  const rawGd = sector.readBigUInt64LE(56);
  const header: SparseHeader = {
    version,
    flags,
    capacity: sectors(12, 'capacity'),
    grainSectors: sectors(20, 'grain size'),
    descriptorOffset: sectors(28, 'descriptor offset'),
    descriptorSectors: sectors(36, 'descriptor size'),
    gtEntries: sector.readUInt32LE(44),
    rgdOffset: sectors(48, 'redundant grain directory offset'),
    gdOffset: rawGd === GD_AT_END ? 'at-end' : sectors(56, 'grain directory offset'),
    overhead: sectors(64, 'overhead'),
    compressAlgorithm: sector.readUInt16LE(77),
  };
  if (!isPowerOfTwo(header.grainSectors) || header.grainSectors > 2048) {
    throw bad(`grain size of ${header.grainSectors} sectors is not a power of two up to 1 MiB`);
  }
  if (!isPowerOfTwo(header.gtEntries) || header.gtEntries < 128 || header.gtEntries > 8192) {
    throw bad(`${header.gtEntries} entries per grain table is not a power of two from 128 to 8192`);
  }
  if ((flags & FLAG_COMPRESSED) !== 0 && header.compressAlgorithm !== COMPRESS_DEFLATE) {
    throw new FerryError(
      'UNSUPPORTED',
      `compression algorithm ${header.compressAlgorithm} is unknown`,
      {
        where,
        hint: 'only deflate-compressed (streamOptimized) VMDKs are read',
      },
    );
  }
  return header;
}

/** A metadata marker sector (grain table, grain directory, footer, end of stream). */
export function encodeMarker(type: number, sectors: number): Buffer {
  const sector = Buffer.alloc(SECTOR);
  sector.writeBigUInt64LE(BigInt(sectors), 0);
  sector.writeUInt32LE(type, 12);
  return sector;
}

/** Grain directory and table sizes for a disk of `capacity` sectors. */
export function tableGeometry(capacity: number): {
  grains: number;
  tables: number;
  gdSectors: number;
} {
  const grains = Math.ceil(capacity / GRAIN_SECTORS);
  const tables = Math.ceil(grains / GT_ENTRIES);
  return { grains, tables, gdSectors: Math.ceil((tables * 4) / SECTOR) };
}

/** Whether `value` is a power of two no larger than 2^30 (the range header fields may take). */
function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value > 0 && value <= 2 ** 30 && (value & (value - 1)) === 0;
}

/** The descriptor as it sits in a sparse extent: UTF-8, zero-padded to its reserved sectors. */
export function embeddedDescriptor(text: string, where: string): Buffer {
  const room = Buffer.alloc(DESCRIPTOR_SECTORS * SECTOR);
  const length = Buffer.byteLength(text, 'utf8');
  if (length > room.length) {
    throw new FerryError(
      'USAGE',
      `the VMDK descriptor (${length} bytes) does not fit in its ${room.length} bytes`,
      {
        where,
        hint: 'choose a shorter destination file name',
      },
    );
  }
  room.write(text, 0, 'utf8');
  return room;
}
