import { FlatDiskWriter } from './flat-disk.js';
import { PartialFile } from './partial-file.js';
import type { FormatWriterDriver, ImageWriter, WriterOptions } from './types.js';

/**
 * A raw disk image. Thin: what is never written stays a hole, so the file takes only the space
 * of the data. Thick: every byte is written, as a preallocated disk must be.
 */
export const rawWriter: FormatWriterDriver = {
  name: 'raw',
  outputFiles: (target) => [target],
  async create(target: string, options: WriterOptions): Promise<ImageWriter> {
    const file = await PartialFile.create(target);
    const disk = new FlatDiskWriter(file, options.size, options.thick);
    return {
      write: (extent) => disk.write(extent),
      async finish(): Promise<string[]> {
        await disk.finish();
        return [await file.commit(options.size)];
      },
      async abort(): Promise<void> {
        await disk.abandon();
        await file.discard();
      },
    };
  },
};
