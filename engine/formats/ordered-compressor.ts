/**
 * Compression on every core, results in order. Each block is one asynchronous zlib call, which
 * runs on libuv's thread pool (bin/ferry.js sizes it to the machine); keeping several in flight
 * keeps every pool thread busy. At most `depth` blocks are held, so memory stays a few MiB
 * whatever the disk size.
 */
import { availableParallelism } from 'node:os';
import { FerryError } from '../../shared/errors.js';

/** Compresses one block; null means "store it as it is" (it would not shrink). */
export type Compress = (data: Buffer) => Promise<Buffer | null>;

/** Receives a block pushed and its compressed form (null: store it as it is). */
export type PlaceCompressed<Block> = (block: Block, compressed: Buffer | null) => Promise<void>;

interface Job<Block> {
  block: Block;
  compressed: Promise<Buffer | null>;
}

export class OrderedCompressor<Block extends { index: number }> {
  private readonly jobs: Job<Block>[] = [];

  constructor(
    private readonly compress: Compress,
    private readonly place: PlaceCompressed<Block>,
    private readonly depth = Math.max(4, 2 * availableParallelism()),
  ) {}

  /** Starts compressing `data`, the bytes of `block`, which must stay unchanged until placed. */
  async push(block: Block, data: Buffer): Promise<void> {
    const compressed = this.compress(data);
    // Handled here so that a failure while an earlier job is awaited is not "unhandled"; it is
    // rethrown when this job's turn comes.
    compressed.catch(() => {});
    this.jobs.push({ block, compressed });
    while (this.jobs.length > this.depth) await this.placeFirst();
  }

  /** Places every job still in flight. */
  async drain(): Promise<void> {
    while (this.jobs.length > 0) await this.placeFirst();
  }

  /** Waits for every compression in flight, ignoring results: the output is being discarded. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.jobs.map((job) => job.compressed));
    this.jobs.length = 0;
  }

  private async placeFirst(): Promise<void> {
    const job = this.jobs.shift()!;
    let compressed: Buffer | null;
    try {
      compressed = await job.compressed;
    } catch (error) {
      throw new FerryError(
        'IO',
        `compressing block ${job.block.index} failed: ${(error as Error).message}`,
        {
          hint: 'the machine may be out of memory; close other programs and try again',
          cause: error,
        },
      );
    }
    await this.place(job.block, compressed);
  }
}
