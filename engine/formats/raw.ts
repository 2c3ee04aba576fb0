import type { Extent, FormatWriterDriver, ImageWriter, WriterOptions } from './types.js';
import { PartialFile } from './partial-file.js';

const ZEROS = Buffer.alloc(1 << 20);

/**
 * A raw disk image. Thin: what is never written stays a hole, so the file takes only the space
 * of the data. Thick: every byte is written, as a preallocated disk must be.
 */
export const rawWriter: FormatWriterDriver = {
  name: 'raw',
  outputFiles: (target) => [target],
  async create(target: string, options: WriterOptions): Promise<ImageWriter> {
    const file = await PartialFile.create(target);
    let written = 0;
    const fillZeros = async (until: number): Promise<void> => {
      while (written < until) {
        const length = Math.min(ZEROS.length, until - written);
        await file.writeAt(ZEROS.subarray(0, length), written);
        written += length;
      }
    };
    return {
      async write({ offset, data }: Extent): Promise<void> {
        if (options.thick) await fillZeros(offset);
        await file.writeAt(data, offset);
        written = offset + data.length;
      },
      async finish(): Promise<string[]> {
        if (options.thick) await fillZeros(options.size);
        await file.truncate(options.size);
        return [await file.commit()];
      },
      abort: () => file.discard(),
    };
  },
};
