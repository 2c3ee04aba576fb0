/**
 * monolithicFlat: a descriptor `<name>.vmdk` and the disk's bytes, as they are, in
 * `<name>-flat.vmdk`. What is never written stays a hole in the flat file, which still has the
 * disk's full size.
 */
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { diskUuid } from './disk-uuid.js';
import { FlatDiskWriter } from './flat-disk.js';
import { PartialFile } from './partial-file.js';
import type { FormatWriterDriver, ImageWriter, WriterOptions } from './types.js';
import { buildDescriptor, type DescriptorOptions } from './vmdk-descriptor.js';
import { SECTOR } from './vmdk-sparse.js';

/** `disk.vmdk` -> `disk-flat.vmdk`, as VMware names the data file beside its descriptor. */
export function flatExtentPath(target: string): string {
  const stem = /\.vmdk$/i.test(target) ? target.slice(0, -'.vmdk'.length) : target;
  return `${stem}-flat.vmdk`;
}

/** A monolithicFlat writer whose descriptor says `descriptor` (adapter, hardware version). */
export function monolithicFlatWriter(descriptor: DescriptorOptions = {}): FormatWriterDriver {
  return {
    name: 'vmdk-flat',
    outputFiles: (target) => [target, flatExtentPath(target)],
    async create(target: string, options: WriterOptions): Promise<ImageWriter> {
      const capacity = Math.ceil(options.size / SECTOR);
      const flatPath = flatExtentPath(target);
      const text = buildDescriptor(
        'monolithicFlat',
        { sectors: capacity, type: 'FLAT', file: basename(flatPath) },
        diskUuid(options.uuid),
        descriptor,
      );
      const descriptorFile = await PartialFile.create(target);
      let flat: PartialFile;
      try {
        flat = await PartialFile.create(flatPath);
      } catch (error) {
        await descriptorFile.discard();
        throw error;
      }
      const disk = new FlatDiskWriter(flat, options.size, options.thick);
      return {
        write: (extent) => disk.write(extent),
        async finish(): Promise<string[]> {
          await disk.finish();
          const descriptorBytes = Buffer.from(text, 'utf8');
          await descriptorFile.writeAt(descriptorBytes, 0);
          // The data first: a descriptor must never name a flat file that is not there.
          const flatDone = await flat.commit(capacity * SECTOR);
          try {
            return [await descriptorFile.commit(descriptorBytes.length), flatDone];
          } catch (error) {
            await rm(flatDone, { force: true });
            throw error;
          }
        },
        async abort(): Promise<void> {
          await disk.abandon();
          await Promise.all([flat.discard(), descriptorFile.discard()]);
        },
      };
    },
  };
}

export const vmdkFlatWriter = monolithicFlatWriter();
