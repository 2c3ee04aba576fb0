import { FerryError } from '../../shared/errors.js';
import { checkReadRange } from '../io/file-source.js';
import type { BlockSource } from '../io/source.js';
import type { DestinationSegment } from './types.js';

/**
 * A read-only disk assembled from segments, each a run of another source's bytes; bytes no
 * segment covers read as zeros. A read that spans segments asks each source once for its piece,
 * all at once, straight into the caller's buffer where the source allows it.
 */
export function segmentedSource(
  path: string,
  size: number,
  sectorSize: number,
  unordered: readonly DestinationSegment[],
): BlockSource {
  const segments = [...unordered].filter((s) => s.length > 0).sort((a, b) => a.start - b.start);
  checkSegments(segments, size, path);

  async function readInto(offset: number, target: Buffer): Promise<void> {
    checkReadRange(offset, target.length, size, path);
    const end = offset + target.length;
    const reads: Promise<void>[] = [];
    let cursor = offset;
    for (let index = firstEndingAfter(segments, offset); index < segments.length; index++) {
      const segment = segments[index] as DestinationSegment;
      if (segment.start >= end) break;
      const from = Math.max(segment.start, offset);
      const to = Math.min(segment.start + segment.length, end);
      target.fill(0, cursor - offset, from - offset);
      reads.push(readPiece(segment, from, target.subarray(from - offset, to - offset)));
      cursor = to;
    }
    target.fill(0, cursor - offset);
    // Every piece lands before this returns, so a failed read leaves nothing writing into a
    // buffer its caller has already reused.
    const failed = (await Promise.allSettled(reads)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  return {
    path,
    format: 'layout',
    size,
    sectorSize,
    async read(offset: number, length: number): Promise<Buffer> {
      checkReadRange(offset, length, size, path);
      const buffer = Buffer.allocUnsafe(length);
      await readInto(offset, buffer);
      return buffer;
    },
    readInto,
    async close(): Promise<void> {
      // The segments' sources belong to whoever made them.
    },
  };
}

async function readPiece(segment: DestinationSegment, from: number, piece: Buffer): Promise<void> {
  const at = segment.sourceOffset + (from - segment.start);
  const source = segment.from;
  if (source.readInto) {
    await source.readInto(at, piece);
  } else {
    (await source.read(at, piece.length)).copy(piece);
  }
}

/** Index of the first segment that ends after `offset` (segments are sorted and disjoint). */
function firstEndingAfter(segments: readonly DestinationSegment[], offset: number): number {
  let low = 0;
  let high = segments.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const s = segments[middle] as DestinationSegment;
    if (s.start + s.length <= offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

function checkSegments(segments: readonly DestinationSegment[], size: number, path: string): void {
  let previousEnd = 0;
  for (const s of segments) {
    const end = s.start + s.length;
    if (!Number.isSafeInteger(s.start) || s.start < previousEnd || end > size) {
      throw new FerryError(
        'LAYOUT_REFUSED',
        `bytes ${s.start}-${end} overlap another part of the disk or lie beyond its ${size} bytes`,
        { where: path, hint: 'this is a bug in the layout plan; please report it' },
      );
    }
    previousEnd = end;
  }
}
