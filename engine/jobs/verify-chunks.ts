/**
 * Verification as etcher-sdk does it: a checksum of every chunk as it was read, then the written
 * image read back through its own format's reader and every chunk checked against it. Checksums
 * rather than a second read of the source, because a running machine's disk changes under a hot
 * copy, and rather than whole-image hashes, so a mismatch names its place.
 */
import { crc32 } from 'node:zlib';
import { FerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';
import type { BlockSource } from '../io/source.js';
import type { ByteRange } from '../ranges.js';
import { readExtents } from './read-extents.js';

/** CRC-32 of each chunk read, in reading order, four bytes each: 8 MiB for a 2 TiB disk. */
export class ChunkDigests {
  private table = Buffer.alloc(4096);
  private count = 0;

  add(bytes: Buffer): void {
    if ((this.count + 1) * 4 > this.table.length) {
      const grown = Buffer.alloc(this.table.length * 2);
      this.table.copy(grown);
      this.table = grown;
    }
    this.table.writeUInt32LE(crc32(bytes), this.count * 4);
    this.count++;
  }

  /** Whether `bytes` are what chunk `index` held when it was read. */
  matches(index: number, bytes: Buffer): boolean {
    return index < this.count && this.table.readUInt32LE(index * 4) === crc32(bytes);
  }
}

export interface ChunkPassOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the bytes of `ranges` read so far. */
  onRead?: (bytes: number) => void;
  /** What to do about a mismatch, when the caller knows better than "the copy is damaged". */
  hint?: string;
}

/** Reads `ranges` of `source` and returns the checksum of each chunk. */
export async function digestChunks(
  source: BlockSource,
  ranges: readonly ByteRange[],
  options: ChunkPassOptions = {},
): Promise<ChunkDigests> {
  const digests = new ChunkDigests();
  await drain(source, ranges, (_, bytes) => digests.add(bytes), options);
  return digests;
}

/**
 * Reads `ranges` of `image` back, chunk by chunk as they were read from the source, and throws
 * VERIFY_MISMATCH at the first chunk whose bytes are not the ones `digests` recorded.
 */
export async function checkChunks(
  image: BlockSource,
  ranges: readonly ByteRange[],
  digests: ChunkDigests,
  options: ChunkPassOptions = {},
): Promise<void> {
  let index = 0;
  await drain(
    image,
    ranges,
    (start, bytes) => {
      if (digests.matches(index++, bytes)) return;
      throw new FerryError(
        'VERIFY_MISMATCH',
        `differs from what was read in bytes ${start}-${start + bytes.length - 1} (${formatSize(bytes.length)})`,
        {
          where: image.path,
          hint:
            options.hint ??
            'the copy is damaged: check the destination disk (and its cable), then convert again',
        },
      );
    },
    options,
  );
}

/** Reads `ranges` through the extent stream, which brings read-ahead, pooling and cancel. */
async function drain(
  source: BlockSource,
  ranges: readonly ByteRange[],
  onChunk: (start: number, bytes: Buffer) => void,
  options: ChunkPassOptions,
): Promise<void> {
  const { signal, onRead } = options;
  const reading = { ...(signal && { signal }), ...(onRead && { onRead }), onChunk };
  for await (const extent of readExtents(source, ranges, reading)) {
    extent.release?.();
  }
}
