/**
 * Cuts an extent stream into whole grains of a fixed size: the unit a format allocates (qcow2
 * clusters, VMDK grains, VDI, VHD and VHDX blocks). Nothing is copied: a grain is the list of
 * its parts, views of the extents that cover it and shared zeros for the gaps, which a vectored
 * write stores as one run. Copying 1 MiB extents into 32 MiB blocks would cost a fresh
 * block-sized buffer per block and halve the throughput.
 *
 * An extent's memory goes back to its producer once every grain holding a view of it has been
 * released, so a writer releases each grain exactly once, when it no longer needs its parts.
 */
import { alignedBuffers } from '../io/aligned-memory.js';
import { SharedRelease } from './shared-release.js';
import type { Extent } from './types.js';

/** Aligned, so zeros that fill a thick disk or pad a grain are written past the page cache too. */
const ZEROS = alignedBuffers(1, 2 ** 20)?.[0] ?? Buffer.alloc(2 ** 20);

export interface Grain {
  /** The grain's bytes start at index * grain size. */
  index: number;
  /** Views that add up to exactly one grain; unchanged until `release`. */
  parts: Buffer[];
  release(): void;
}

class CutGrain implements Grain {
  constructor(
    readonly index: number,
    readonly parts: Buffer[],
    /** One per extent the parts view; each does nothing when called again. */
    private readonly releases: (() => void)[],
  ) {}

  release(): void {
    for (const release of this.releases) release();
  }
}

export class GrainCutter {
  private index = -1;
  private parts: Buffer[] = [];
  private releases: (() => void)[] = [];
  /** Bytes of the current grain, from its start, the parts cover so far. */
  private filled = 0;
  /** End of the last extent added: extents must come in increasing order. */
  private written = 0;

  constructor(
    private readonly grainSize: number,
    /** Size of the virtual disk: no extent may pass it. */
    private readonly diskSize: number,
  ) {}

  /** The grains `extent` completes. The grain it ends inside waits for the next extents. */
  *add(extent: Extent): Generator<Grain> {
    const { offset, data } = extent;
    this.written = checkExtentPlace(extent, this.written, this.diskSize);
    const share = extent.release ? new SharedRelease(extent.release) : undefined;
    try {
      let done = 0;
      while (done < data.length) {
        const position = offset + done;
        const index = Math.floor(position / this.grainSize);
        const within = position - index * this.grainSize;
        if (index !== this.index) {
          yield* this.finish();
          this.index = index;
        }
        this.pushZeros(within - this.filled);
        const length = Math.min(this.grainSize - within, data.length - done);
        this.parts.push(data.subarray(done, done + length));
        if (share) this.releases.push(share.hold());
        this.filled += length;
        done += length;
        if (this.filled === this.grainSize) yield* this.finish();
      }
    } finally {
      share?.drop();
    }
  }

  /** The grain being gathered, if any, padded with zeros. Call once more after the last extent. */
  *finish(): Generator<Grain> {
    if (this.index < 0) return;
    this.pushZeros(this.grainSize - this.filled);
    const grain = new CutGrain(this.index, this.parts, this.releases);
    this.index = -1;
    this.parts = [];
    this.releases = [];
    this.filled = 0;
    yield grain;
  }

  private pushZeros(length: number): void {
    if (length <= 0) return;
    this.parts.push(...zeroParts(length));
    this.filled += length;
  }
}

/**
 * Throws RangeError unless `extent` starts at or after `written` (the end of the previous one)
 * and ends inside a disk of `diskSize` bytes; returns its end. Writers rely on that order.
 */
export function checkExtentPlace(extent: Extent, written: number, diskSize: number): number {
  const { offset, data } = extent;
  if (!Number.isSafeInteger(offset) || offset < written || offset + data.length > diskSize) {
    throw new RangeError(
      `extent of ${data.length} bytes at ${offset} is out of order or beyond the disk (${diskSize} bytes)`,
    );
  }
  return offset + data.length;
}

/** `length` zero bytes as views of one shared buffer, which `isZeros` recognises at once. */
export function zeroParts(length: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let left = length; left > 0; left -= ZEROS.length) {
    parts.push(ZEROS.subarray(0, Math.min(left, ZEROS.length)));
  }
  return parts;
}

/** Whether every byte of every part is zero (memcmp against zeros, no per-byte loop). */
export function isZeros(parts: readonly Buffer[]): boolean {
  return parts.every((part) => part.buffer === ZEROS.buffer || isZeroBuffer(part));
}

function isZeroBuffer(data: Buffer): boolean {
  for (let at = 0; at < data.length; at += ZEROS.length) {
    const length = Math.min(ZEROS.length, data.length - at);
    if (!data.subarray(at, at + length).equals(ZEROS.subarray(0, length))) return false;
  }
  return true;
}

/** The grain's bytes in one buffer, as a compressor wants them: a view when one part holds them. */
export function joined(grain: Grain): Buffer {
  return grain.parts.length === 1 ? grain.parts[0]! : Buffer.concat(grain.parts);
}
