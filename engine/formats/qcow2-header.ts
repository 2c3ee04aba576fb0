/**
 * The qcow2 header (QEMU's docs/interop/qcow2.txt): big-endian, version 2 (72 bytes) or 3
 * (header_length bytes, at least 104), followed in cluster 0 by header extensions.
 */
import { FerryError } from '../../shared/errors.js';

export const QCOW2_MAGIC = 0x514649fb;
/** QEMU's limits on cluster_bits: 512 bytes to 2 MiB. */
export const MIN_CLUSTER_BITS = 9;
export const MAX_CLUSTER_BITS = 21;

const V2_HEADER_LENGTH = 72;
const V3_MIN_HEADER_LENGTH = 104;
/** With the compression_type byte, padded to 8 as QEMU writes it. */
const V3_WRITTEN_HEADER_LENGTH = 112;
const HEADER_EXTENSION_END = 8;

/** Incompatible feature bits (v3). */
export const INCOMPATIBLE = {
  dirty: 1n << 0n,
  corrupt: 1n << 1n,
  externalDataFile: 1n << 2n,
  compressionType: 1n << 3n,
  extendedL2: 1n << 4n,
} as const;

export interface Qcow2Header {
  version: 2 | 3;
  clusterBits: number;
  /** Virtual disk size in bytes. */
  size: number;
  backingFileOffset: number;
  cryptMethod: number;
  l1Size: number;
  l1TableOffset: number;
  refcountTableOffset: number;
  refcountTableClusters: number;
  incompatibleFeatures: bigint;
  /** 0 = zlib (deflate), 1 = zstd. */
  compressionType: number;
}

/** The bytes of a v3 header (compat 1.1, 16-bit refcounts, zlib) and its extension end marker. */
export function buildQcow2Header(
  fields: Pick<
    Qcow2Header,
    | 'clusterBits'
    | 'size'
    | 'l1Size'
    | 'l1TableOffset'
    | 'refcountTableOffset'
    | 'refcountTableClusters'
  >,
): Buffer {
  const header = Buffer.alloc(V3_WRITTEN_HEADER_LENGTH + HEADER_EXTENSION_END);
  header.writeUInt32BE(QCOW2_MAGIC, 0);
  header.writeUInt32BE(3, 4);
  header.writeUInt32BE(fields.clusterBits, 20);
  header.writeBigUInt64BE(BigInt(fields.size), 24);
  header.writeUInt32BE(fields.l1Size, 36);
  header.writeBigUInt64BE(BigInt(fields.l1TableOffset), 40);
  header.writeBigUInt64BE(BigInt(fields.refcountTableOffset), 48);
  header.writeUInt32BE(fields.refcountTableClusters, 56);
  header.writeUInt32BE(4, 96); // refcount_order: 2^4 = 16-bit refcounts
  header.writeUInt32BE(V3_WRITTEN_HEADER_LENGTH, 100);
  // Feature bits, snapshots, backing file and compression type stay zero; the extension area
  // holds only the end marker (type 0, length 0), also zero.
  return header;
}

/**
 * Reads and checks the header in `head` (the first bytes of a file of `fileSize` bytes). Throws
 * BAD_IMAGE for a damaged header and UNSUPPORTED for features Ferry does not read.
 */
export function parseQcow2Header(head: Buffer, fileSize: number, where: string): Qcow2Header {
  const bad = (message: string): FerryError =>
    new FerryError('BAD_IMAGE', message, {
      where: `${where}: qcow2 header`,
      hint: 'the image is damaged; `qemu-img check` may say more',
    });
  if (head.length < V2_HEADER_LENGTH || head.readUInt32BE(0) !== QCOW2_MAGIC) {
    throw bad('not a qcow2 header');
  }
  const version = head.readUInt32BE(4);
  if (version !== 2 && version !== 3) {
    throw new FerryError('UNSUPPORTED', `qcow2 version ${version} is not supported`, {
      where: `${where}: qcow2 header`,
      hint: 'Ferry reads qcow2 versions 2 and 3; `qemu-img amend -o compat=1.1` converts others',
    });
  }
  const u64 = (at: number, name: string): number => {
    const value = head.readBigUInt64BE(at);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`${name} ${value} is out of range`);
    return Number(value);
  };
  const clusterBits = head.readUInt32BE(20);
  if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
    throw bad(`cluster_bits ${clusterBits} is outside ${MIN_CLUSTER_BITS}..${MAX_CLUSTER_BITS}`);
  }
  const header: Qcow2Header = {
    version,
    clusterBits,
    size: u64(24, 'virtual size'),
    backingFileOffset: u64(8, 'backing file offset'),
    cryptMethod: head.readUInt32BE(32),
    l1Size: head.readUInt32BE(36),
    l1TableOffset: u64(40, 'L1 table offset'),
    refcountTableOffset: u64(48, 'refcount table offset'),
    refcountTableClusters: head.readUInt32BE(56),
    incompatibleFeatures: 0n,
    compressionType: 0,
  };
  if (version === 3) {
    if (head.length < V3_MIN_HEADER_LENGTH) throw bad('the version 3 header is cut short');
    const headerLength = head.readUInt32BE(100);
    if (headerLength < V3_MIN_HEADER_LENGTH || headerLength > 2 ** clusterBits) {
      throw bad(`header_length ${headerLength} is out of range`);
    }
    header.incompatibleFeatures = head.readBigUInt64BE(72);
    if (headerLength > V3_MIN_HEADER_LENGTH && head.length > V3_MIN_HEADER_LENGTH) {
      header.compressionType = head.readUInt8(V3_MIN_HEADER_LENGTH);
    }
  }
  const clusterSize = 2 ** clusterBits;
  if (header.l1TableOffset % clusterSize !== 0) {
    throw bad(`L1 table offset ${header.l1TableOffset} is not cluster-aligned`);
  }
  if (header.l1TableOffset + header.l1Size * 8 > fileSize) {
    throw bad(
      `the L1 table (${header.l1Size} entries at ${header.l1TableOffset}) lies beyond the end of the file`,
    );
  }
  return header;
}

/** Throws UNSUPPORTED for what a standalone reader cannot honour: backing files, encryption, .... */
export function refuseUnsupportedFeatures(header: Qcow2Header, where: string): void {
  const refuse = (what: string, hint: string): never => {
    throw new FerryError('UNSUPPORTED', `the qcow2 image ${what}`, {
      where: `${where}: qcow2 header`,
      hint,
    });
  };
  if (header.backingFileOffset !== 0) {
    refuse(
      'has a backing file',
      'flatten it first: `qemu-img convert -O qcow2 overlay.qcow2 flat.qcow2`',
    );
  }
  if (header.cryptMethod !== 0) {
    refuse('is encrypted', 'decrypt it first with `qemu-img convert` and its key');
  }
  const features = header.incompatibleFeatures;
  if (features & INCOMPATIBLE.externalDataFile) {
    refuse(
      'keeps its data in an external data file',
      'convert it to a self-contained image first: `qemu-img convert -O qcow2`',
    );
  }
  if (features & INCOMPATIBLE.extendedL2) {
    refuse(
      'uses extended L2 entries (subclusters)',
      'convert it first: `qemu-img convert -O qcow2`',
    );
  }
  if (header.compressionType !== 0) {
    refuse(
      `uses compression type ${header.compressionType} (zstd)`,
      'recompress it with zlib: `qemu-img convert -c -o compression_type=zlib -O qcow2`',
    );
  }
  const known =
    INCOMPATIBLE.dirty |
    INCOMPATIBLE.corrupt |
    INCOMPATIBLE.externalDataFile |
    INCOMPATIBLE.compressionType |
    INCOMPATIBLE.extendedL2;
  if (features & ~known) {
    refuse(
      `needs incompatible features 0x${(features & ~known).toString(16)}`,
      'a newer QEMU made it; convert it with that `qemu-img convert -O qcow2 -o compat=1.1`',
    );
  }
}
