/**
 * qcow2 L1 and L2 table entries (64-bit big-endian). Entries are read as two 32-bit halves so
 * that scanning a table never creates a BigInt per entry.
 */

/** Bit 63: the cluster's refcount is exactly one (it may be written in place). */
export const COPIED = 1n << 63n;
/** Bit 62 of an L2 entry: the cluster is stored compressed. */
export const COMPRESSED = 1n << 62n;
/** Compressed sizes are counted in 512-byte sectors, whatever the cluster size. */
export const COMPRESSED_SECTOR = 512;

/** How one virtual cluster is stored. */
export type ClusterMapping =
  | { kind: 'zero' }
  | { kind: 'data'; host: number }
  | { kind: 'compressed'; host: number; length: number };

const TWO_32 = 2 ** 32;
/** Bits 9..55: a host offset in an L1 entry or a standard L2 entry. */
const OFFSET_HIGH_MASK = 0x00ffffff;
const OFFSET_LOW_MASK = 0xfffffe00;

/** The L2 table offset of an L1 entry, 0 when the table is not allocated. */
export function l1TableOffset(l1: Buffer, index: number): number {
  const high = l1.readUInt32BE(index * 8) & OFFSET_HIGH_MASK;
  const low = (l1.readUInt32BE(index * 8 + 4) & OFFSET_LOW_MASK) >>> 0;
  return high * TWO_32 + low;
}

/**
 * Decodes entry `index` of an L2 table. Offsets are returned as found (up to 2^56 for a
 * standard cluster, so possibly beyond the safe range); the caller checks them against the file.
 */
export function decodeL2Entry(table: Buffer, index: number, clusterBits: number): ClusterMapping {
  const high = table.readUInt32BE(index * 8);
  const low = table.readUInt32BE(index * 8 + 4);
  if (high & 0x40000000) {
    // The host offset takes the low 62 - (cluster_bits - 8) bits, the count of additional
    // sectors the bits above it; both boundaries lie in the high word for every cluster size.
    const shift = 62 - (clusterBits - 8) - 32;
    const host = (high & ((1 << shift) - 1)) * TWO_32 + low;
    const sectors = ((high >>> shift) & ((1 << (clusterBits - 8)) - 1)) + 1;
    return {
      kind: 'compressed',
      host,
      length: sectors * COMPRESSED_SECTOR - (host % COMPRESSED_SECTOR),
    };
  }
  // Bit 0 marks a cluster that reads as zeros (v3), whether or not it keeps a host cluster.
  if (low & 1) return { kind: 'zero' };
  const host = (high & OFFSET_HIGH_MASK) * TWO_32 + ((low & OFFSET_LOW_MASK) >>> 0);
  return host === 0 ? { kind: 'zero' } : { kind: 'data', host };
}

/** The entry of a standard cluster (or L2 table) at `host` with a refcount of one. */
export function standardEntry(host: number): bigint {
  return COPIED | BigInt(host);
}

/** The L2 entry of `length` compressed bytes at `host`. */
export function compressedEntry(host: number, length: number, clusterBits: number): bigint {
  const additionalSectors =
    Math.floor((host + length - 1) / COMPRESSED_SECTOR) - Math.floor(host / COMPRESSED_SECTOR);
  const shift = BigInt(62 - (clusterBits - 8));
  return COMPRESSED | (BigInt(additionalSectors) << shift) | BigInt(host);
}
