/**
 * Cuts an extent stream into whole blocks (VHD's 2 MiB, VHDX's 1 to 256 MiB) without copying a
 * byte: a block is the list of its parts, views of the extents that cover it and shared zeros
 * for the gaps, which a vectored write stores as one run. Copying 1 MiB extents into 32 MiB
 * blocks instead would cost a fresh block-sized buffer per block and halve the throughput.
 */
import type { Extent } from './types.js';

const ZEROS = Buffer.alloc(2 ** 20);

/** Receives block `index` (its bytes start at index * block size) as parts that add up to it. */
export type EmitBlock = (index: number, parts: Buffer[]) => Promise<void>;

export class BlockGatherer {
  private index = -1;
  private parts: Buffer[] = [];
  /** Bytes of the current block, from its start, the parts cover so far. */
  private filled = 0;
  /** End of the last extent added: extents must come in increasing order. */
  private written = 0;

  constructor(
    private readonly blockSize: number,
    /** Size of the virtual disk: no extent may pass it. */
    private readonly diskSize: number,
    private readonly emit: EmitBlock,
  ) {}

  async add({ offset, data }: Extent): Promise<void> {
    if (offset < this.written || offset + data.length > this.diskSize) {
      throw new RangeError(
        `extent of ${data.length} bytes at ${offset} is out of order or beyond the disk (${this.diskSize} bytes)`,
      );
    }
    this.written = offset + data.length;
    let done = 0;
    while (done < data.length) {
      const position = offset + done;
      const index = Math.floor(position / this.blockSize);
      const within = position - index * this.blockSize;
      if (index !== this.index) {
        await this.flush();
        this.index = index;
      }
      this.pushZeros(within - this.filled);
      const length = Math.min(this.blockSize - within, data.length - done);
      this.parts.push(data.subarray(done, done + length));
      this.filled += length;
      done += length;
      if (this.filled === this.blockSize) await this.flush();
    }
  }

  /** Passes on the block being gathered, if any, padded with zeros. Call once more at the end. */
  async flush(): Promise<void> {
    if (this.index < 0) return;
    this.pushZeros(this.blockSize - this.filled);
    const { index, parts } = this;
    this.index = -1;
    this.parts = [];
    this.filled = 0;
    await this.emit(index, parts);
  }

  private pushZeros(length: number): void {
    for (let left = length; left > 0; left -= ZEROS.length) {
      this.parts.push(ZEROS.subarray(0, Math.min(left, ZEROS.length)));
    }
    this.filled += Math.max(0, length);
  }
}

/** Whether every part holds only zeros. */
export function allZeros(parts: readonly Buffer[]): boolean {
  return parts.every((part) => part.buffer === ZEROS.buffer || isZero(part));
}

function isZero(data: Buffer): boolean {
  for (let at = 0; at < data.length; at += ZEROS.length) {
    const length = Math.min(ZEROS.length, data.length - at);
    if (!data.subarray(at, at + length).equals(ZEROS.subarray(0, length))) return false;
  }
  return true;
}
