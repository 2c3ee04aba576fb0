/**
 * The disk's bytes as they are, each at its own offset: a raw image, a fixed VHD before its
 * footer, a VMDK flat extent. Thin, what is never written stays a hole in the file; thick, every
 * byte is written, as a preallocated disk must be.
 */
import { checkExtentPlace, zeroParts } from './grains.js';
import type { PartialFile } from './partial-file.js';
import type { Extent } from './types.js';
import { WriteBatch } from './write-batch.js';

/** Zeros are queued this much at a time, so a thick disk of any size costs no memory. */
const ZERO_STEP = 8 * 2 ** 20;

export class FlatDiskWriter {
  private readonly batch: WriteBatch;
  /** End of the last extent written (or zero-filled). */
  private written = 0;

  constructor(
    file: PartialFile,
    private readonly size: number,
    private readonly thick: boolean,
  ) {
    // Thin, the file keeps the disk's holes; thick, every byte is written front to back.
    this.batch = new WriteBatch(file);
  }

  async write(extent: Extent): Promise<void> {
    const end = checkExtentPlace(extent, this.written, this.size);
    if (this.thick) await this.fillZerosUpTo(extent.offset);
    this.batch.put(extent.offset, extent.data);
    if (extent.release) this.batch.onWritten(extent.release);
    this.written = end;
    await this.batch.settle();
  }

  /** Writes the rest of a thick disk, then `trailer` right after the disk, and waits for all. */
  async finish(trailer?: Buffer): Promise<void> {
    if (this.thick) await this.fillZerosUpTo(this.size);
    if (trailer) this.batch.put(this.size, trailer);
    await this.batch.flush();
  }

  /** Waits for the write in flight: the file is being thrown away. */
  abandon(): Promise<void> {
    return this.batch.abandon();
  }

  private async fillZerosUpTo(end: number): Promise<void> {
    while (this.written < end) {
      const length = Math.min(ZERO_STEP, end - this.written);
      this.written = this.batch.putAll(this.written, zeroParts(length));
      await this.batch.settle();
    }
  }
}
