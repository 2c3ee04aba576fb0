/**
 * The data area of formats that keep the disk in whole blocks behind a table (VDI, VHDX).
 * Dynamic: blocks holding data are appended in the order they arrive, all-zero blocks are not
 * stored. Fixed: every block is stored at its own index, the unwritten ones as zeros.
 */
import { GrainCutter, isZeros, zeroParts, type Grain } from './grains.js';
import type { Extent } from './types.js';
import type { WriteBatch } from './write-batch.js';

export interface BlockAreaLayout {
  /** File offset of the first block. */
  dataOffset: number;
  blockSize: number;
  diskSize: number;
  fixed: boolean;
}

/** Tells the format's table that virtual block `index` is stored as block `stored` of the area. */
export type RecordBlock = (index: number, stored: number) => void;

export class BlockArea {
  private readonly cutter: GrainCutter;
  /** Blocks stored so far; the file's data ends after them. */
  private count = 0;

  constructor(
    private readonly batch: WriteBatch,
    private readonly layout: BlockAreaLayout,
    private readonly record: RecordBlock,
  ) {
    this.cutter = new GrainCutter(layout.blockSize, layout.diskSize);
  }

  get stored(): number {
    return this.count;
  }

  /** Where the area, and so the file, ends. */
  get end(): number {
    return this.layout.dataOffset + this.count * this.layout.blockSize;
  }

  async write(extent: Extent): Promise<void> {
    for (const block of this.cutter.add(extent)) await this.block(block);
    await this.batch.settle();
  }

  /** Stores the last block, and for a fixed disk the zeros of every block up to `blocks`. */
  async finish(blocks: number): Promise<void> {
    for (const block of this.cutter.finish()) await this.block(block);
    if (this.layout.fixed) await this.storeZerosUpTo(blocks);
  }

  private async block(block: Grain): Promise<void> {
    if (this.layout.fixed) {
      await this.storeZerosUpTo(block.index);
    } else if (isZeros(block.parts)) {
      block.release();
      return;
    }
    this.store(block.index, block.parts);
    this.batch.onWritten(() => block.release());
  }

  private store(index: number, parts: readonly Buffer[]): void {
    this.batch.putAll(this.end, parts);
    this.record(index, this.count++);
  }

  private async storeZerosUpTo(end: number): Promise<void> {
    const zeros = zeroParts(this.layout.blockSize);
    while (this.count < end) {
      this.store(this.count, zeros);
      await this.batch.settle();
    }
  }
}
