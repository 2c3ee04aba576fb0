/**
 * Writes fixed VHDs: the disk's bytes as they are, then the footer. There is no header at
 * offset 0, which is why QEMU must be told `-f vpc`. Thin (the default), what is never written
 * stays a hole in the file; thick, every byte is written, as a preallocated disk must be.
 */
import { diskUuid } from './disk-uuid.js';
import { FlatDiskWriter } from './flat-disk.js';
import { PartialFile } from './partial-file.js';
import type { ImageWriter, WriterOptions } from './types.js';
import { VHD_DISK_TYPE, VHD_FOOTER_SIZE, buildVhdFooter } from './vhd-footer.js';
import { vhdDiskSize } from './vhd-geometry.js';

export async function createFixedVhdWriter(
  target: string,
  options: WriterOptions,
): Promise<ImageWriter> {
  const uuid = diskUuid(options.uuid);
  const size = vhdDiskSize(options.size, 'fixed');
  const file = await PartialFile.create(target);
  const disk = new FlatDiskWriter(file, size, options.thick);
  return {
    write: (extent) => disk.write(extent),
    async finish(): Promise<string[]> {
      await disk.finish(buildVhdFooter(VHD_DISK_TYPE.fixed, size, undefined, uuid));
      return [await file.commit(size + VHD_FOOTER_SIZE)];
    },
    async abort(): Promise<void> {
      await disk.abandon();
      await file.discard();
    },
  };
}
