/**
 * Writes fixed VHDs: the disk's bytes as they are, then the footer. There is no header at
 * offset 0, which is why QEMU must be told `-f vpc`. Thin (the default), what is never written
 * stays a hole in the file; thick, every byte is written, as a preallocated disk must be.
 */
import { PartialFile } from './partial-file.js';
import { WriteBatch } from './qcow2-write-batch.js';
import type { Extent, ImageWriter, WriterOptions } from './types.js';
import { VHD_DISK_TYPE, VHD_FOOTER_SIZE, buildVhdFooter } from './vhd-footer.js';
import { vhdDiskSize } from './vhd-geometry.js';

const ZEROS = Buffer.alloc(2 ** 20);

export async function createFixedVhdWriter(
  target: string,
  options: WriterOptions,
): Promise<ImageWriter> {
  const size = vhdDiskSize(options.size, 'fixed');
  return new FixedVhdWriter(await PartialFile.create(target), size, options.thick);
}

class FixedVhdWriter implements ImageWriter {
  private readonly batch: WriteBatch;
  /** End of the last extent written (or zero-filled). */
  private written = 0;

  constructor(
    private readonly file: PartialFile,
    private readonly size: number,
    private readonly thick: boolean,
  ) {
    this.batch = new WriteBatch(file);
  }

  async write({ offset, data }: Extent): Promise<void> {
    if (offset < this.written || offset + data.length > this.size) {
      throw new RangeError(
        `extent of ${data.length} bytes at ${offset} is out of order or beyond the disk (${this.size} bytes)`,
      );
    }
    if (this.thick) await this.fillZerosUpTo(offset);
    this.batch.put(offset, data);
    this.written = offset + data.length;
    await this.batch.settle();
  }

  async finish(): Promise<string[]> {
    if (this.thick) await this.fillZerosUpTo(this.size);
    this.batch.put(this.size, buildVhdFooter(VHD_DISK_TYPE.fixed, this.size, undefined));
    await this.batch.flush();
    await this.file.handle.truncate(this.size + VHD_FOOTER_SIZE);
    return [await this.file.commit()];
  }

  async abort(): Promise<void> {
    await this.batch.abandon();
    await this.file.discard();
  }

  private async fillZerosUpTo(end: number): Promise<void> {
    while (this.written < end) {
      const length = Math.min(ZEROS.length, end - this.written);
      this.batch.put(this.written, ZEROS.subarray(0, length));
      this.written += length;
      await this.batch.settle();
    }
  }
}
