/**
 * The VHDX block allocation table (MS-VHDX 2.5): one 64-bit entry per payload block (state in
 * bits 0-2, file offset in MiB in bits 20-63), with a sector bitmap entry after every
 * chunk-ratio payload entries. The chunk ratio is how many payload blocks 2^23 sectors span.
 */

export const PAYLOAD_STATE = {
  notPresent: 0,
  undefined: 1,
  zero: 2,
  unmapped: 3,
  fullyPresent: 6,
  partiallyPresent: 7,
} as const;

export const BAT_ENTRY_SIZE = 8;
const MiB = 2 ** 20;

export interface BatGeometry {
  blockSize: number;
  /** Payload blocks per sector bitmap block. */
  chunkRatio: number;
  /** Payload blocks covering the disk. */
  blocks: number;
  /** Entries of a fixed or dynamic disk's BAT, the last one the last payload block's. */
  entries: number;
}

export function batGeometry(
  diskSize: number,
  blockSize: number,
  logicalSectorSize: number,
): BatGeometry {
  const chunkRatio = (2 ** 23 * logicalSectorSize) / blockSize;
  const blocks = Math.ceil(diskSize / blockSize);
  const entries = blocks === 0 ? 0 : blocks + Math.floor((blocks - 1) / chunkRatio);
  return { blockSize, chunkRatio, blocks, entries };
}

/** The BAT index of payload block `block`: the sector bitmap entries before it are skipped. */
export function batIndex(block: number, chunkRatio: number): number {
  return block + Math.floor(block / chunkRatio);
}

export function readBatEntry(bat: Buffer, at: number): { state: number; offsetMiB: number } {
  const low = bat.readUInt32LE(at);
  const high = bat.readUInt32LE(at + 4);
  return { state: low & 7, offsetMiB: high * 4096 + (low >>> 20) };
}

export function writeBatEntry(bat: Buffer, at: number, state: number, offsetMiB: number): void {
  bat.writeUInt32LE((((offsetMiB % 4096) << 20) | state) >>> 0, at);
  bat.writeUInt32LE(Math.floor(offsetMiB / 4096), at + 4);
}

/**
 * The BAT of a disk whose payload block `i` lies at `offsetsMiB[i]` MiB, or nowhere when that is
 * 0 (such blocks get `absentState`, and offset 0, which Hyper-V insists on), in pieces of at
 * most 1 MiB: [byte offset in the BAT, piece].
 */
export function* batPieces(
  offsetsMiB: Uint32Array,
  geometry: BatGeometry,
  absentState: number,
): Generator<[number, Buffer]> {
  const perPiece = MiB / BAT_ENTRY_SIZE;
  const stride = geometry.chunkRatio + 1;
  for (let first = 0; first < geometry.entries; first += perPiece) {
    const count = Math.min(perPiece, geometry.entries - first);
    // Zero-filled: sector bitmap entries stay SB_BLOCK_NOT_PRESENT at offset 0.
    const piece = Buffer.alloc(count * BAT_ENTRY_SIZE);
    for (let index = first; index < first + count; index++) {
      if (index % stride === geometry.chunkRatio) continue;
      const offset = offsetsMiB[index - Math.floor(index / stride)]!;
      const at = (index - first) * BAT_ENTRY_SIZE;
      if (offset === 0) writeBatEntry(piece, at, absentState, 0);
      else writeBatEntry(piece, at, PAYLOAD_STATE.fullyPresent, offset);
    }
    yield [first * BAT_ENTRY_SIZE, piece];
  }
}
