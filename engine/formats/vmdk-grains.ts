import type { Extent } from './types.js';

export interface Grain {
  index: number;
  /** Exactly one grain of bytes, never reused by the assembler (compression may hold it). */
  data: Buffer;
}

/**
 * Cuts a stream of extents (increasing, non-overlapping, any alignment) into whole grains. A
 * grain lying wholly inside an extent is a view of it, without copying; bytes of a grain that
 * several extents (or none) fill are gathered in one buffer, the rest of it zeros, and handed
 * out when the stream moves past that grain or at `end`.
 */
export class GrainAssembler {
  private partial: Buffer;
  private partialIndex = -1;
  private written = 0;

  constructor(
    private readonly grainBytes: number,
    private readonly diskBytes: number,
  ) {
    this.partial = Buffer.alloc(grainBytes);
  }

  *add({ offset, data }: Extent): Generator<Grain> {
    const end = offset + data.length;
    if (!Number.isSafeInteger(offset) || offset < this.written || end > this.diskBytes) {
      throw new RangeError(
        `extent at ${offset} (${data.length} bytes) is out of order or beyond the disk (${this.diskBytes} bytes)`,
      );
    }
    this.written = end;
    let position = offset;
    while (position < end) {
      const index = Math.floor(position / this.grainBytes);
      const grainStart = index * this.grainBytes;
      const grainEnd = grainStart + this.grainBytes;
      if (this.partialIndex !== -1 && this.partialIndex !== index) yield* this.end();
      if (this.partialIndex === -1 && position === grainStart && end >= grainEnd) {
        yield { index, data: data.subarray(position - offset, grainEnd - offset) };
        position = grainEnd;
        continue;
      }
      const until = Math.min(end, grainEnd);
      data.copy(this.partial, position - grainStart, position - offset, until - offset);
      this.partialIndex = index;
      position = until;
    }
  }

  /** Hands out the grain being gathered, if any. */
  *end(): Generator<Grain> {
    if (this.partialIndex === -1) return;
    const grain = { index: this.partialIndex, data: this.partial };
    this.partial = Buffer.alloc(this.grainBytes);
    this.partialIndex = -1;
    yield grain;
  }
}

const ZEROS = Buffer.alloc(1 << 20);

/** Whether every byte of `data` is zero (memcmp against a zero buffer, no per-byte loop). */
export function isZeros(data: Buffer): boolean {
  for (let at = 0; at < data.length; at += ZEROS.length) {
    const part = data.subarray(at, at + ZEROS.length);
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}
