/**
 * Reads VMDKs: a hosted sparse extent on its own (monolithicSparse, streamOptimized), or a text
 * descriptor whose extents (FLAT, VMFS, SPARSE, ZERO) lie beside it: monolithicFlat,
 * twoGbMaxExtentFlat, twoGbMaxExtentSparse, ESXi's vmfs.
 */
import { dirname, join } from 'node:path';
import { FerryError, isFerryError } from '../../shared/errors.js';
import { RangeBuilder, type ByteRange } from '../ranges.js';
import { imageReader } from './image-reader.js';
import type { FileProbe, FormatReaderDriver, ImageReader } from './types.js';
import {
  parseDescriptor,
  type DescriptorExtent,
  type ParsedDescriptor,
} from './vmdk-descriptor.js';
import { ExtentFile, FlatExtent, ZeroExtent, type ExtentReader } from './vmdk-extent-file.js';
import { SparseExtent } from './vmdk-sparse-extent.js';
import { SECTOR, SPARSE_MAGIC } from './vmdk-sparse.js';

/** Descriptor files are a few KiB; one listing 100000 extents stays under 4 MiB. */
const MAX_DESCRIPTOR_FILE_BYTES = 4 << 20;
const DESCRIPTOR_START = /^(?:\xef\xbb\xbf)?\s*# Disk DescriptorFile/;

function isSparseExtent(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === SPARSE_MAGIC;
}

function isDescriptor(head: Buffer): boolean {
  return DESCRIPTOR_START.test(head.subarray(0, 64).toString('latin1'));
}

export const vmdkReader: FormatReaderDriver = {
  name: 'vmdk',
  detect: ({ head }: FileProbe) => isSparseExtent(head) || isDescriptor(head),
  async open(path: string): Promise<ImageReader> {
    const main = await ExtentFile.open(path);
    const files = [main];
    try {
      const head = await main.read(0, Math.min(main.size, SECTOR));
      if (isSparseExtent(head)) {
        const { extent, descriptor } = await SparseExtent.open(main);
        const embedded =
          descriptor === null ? null : parseDescriptor(descriptor, `${path} (embedded descriptor)`);
        if (embedded !== null) refuseDelta(embedded, path);
        return compositeReader(path, [extent], files, embedded?.imageUuid ?? null);
      }
      if (!isDescriptor(head)) {
        throw new FerryError('BAD_IMAGE', 'neither a sparse extent nor a VMDK descriptor', {
          where: path,
          hint: 'give the .vmdk that VMware or qemu-img made (the small descriptor, not a -flat file)',
        });
      }
      const parsed = parseDescriptor(await descriptorText(main), path);
      refuseDelta(parsed, path);
      // The descriptor is read; from here on, only the extent files stay open.
      files.length = 0;
      await main.close();
      const extents: ExtentReader[] = [];
      for (const line of parsed.extents) extents.push(await openExtent(line, path, files));
      return compositeReader(path, extents, files, parsed.imageUuid);
    } catch (error) {
      await Promise.all(files.map((file) => file.close().catch(() => {})));
      throw error;
    }
  },
};

async function descriptorText(file: ExtentFile): Promise<string> {
  if (file.size > MAX_DESCRIPTOR_FILE_BYTES) {
    throw new FerryError(
      'BAD_IMAGE',
      `a ${file.size}-byte VMDK descriptor is too large to be real`,
      {
        where: file.path,
        hint: 'the file starts like a descriptor but is not one',
      },
    );
  }
  const text = (await file.read(0, file.size)).toString('utf8');
  const nul = text.indexOf('\0');
  return nul === -1 ? text : text.slice(0, nul);
}

function refuseDelta(descriptor: ParsedDescriptor, path: string): void {
  if (descriptor.parentCid === null) return;
  throw new FerryError(
    'UNSUPPORTED',
    'this VMDK is a snapshot (delta) disk: its data depends on a parent disk',
    {
      where: path,
      hint: 'delete or consolidate the snapshots in VMware first, or convert the base disk',
    },
  );
}

async function openExtent(
  line: DescriptorExtent,
  descriptorPath: string,
  files: ExtentFile[],
): Promise<ExtentReader> {
  const size = line.sectors * SECTOR;
  if (line.type === 'ZERO' || line.file === null) return new ZeroExtent(size);
  const file = await openBeside(descriptorPath, line.file);
  files.push(file);
  if (line.type === 'SPARSE') return (await SparseExtent.open(file, size)).extent;
  return new FlatExtent(file, line.offset * SECTOR, size);
}

/** Opens an extent file named by the descriptor, which must lie in the descriptor's folder. */
async function openBeside(descriptorPath: string, name: string): Promise<ExtentFile> {
  if (/[/\\]/.test(name) || name === '.' || name === '..') {
    throw new FerryError('UNSUPPORTED', `extent "${name}" is not a file beside the descriptor`, {
      where: descriptorPath,
      hint: "put the extent files in the descriptor's folder and name them without a path",
    });
  }
  const path = join(dirname(descriptorPath), name);
  try {
    return await ExtentFile.open(path);
  } catch (error) {
    if (isFerryError(error) && error.code === 'SOURCE_NOT_FOUND') {
      throw new FerryError(
        'SOURCE_NOT_FOUND',
        `extent file "${name}" named by the descriptor is missing`,
        {
          where: path,
          hint: "copy the VMDK's extent files (…-flat.vmdk, …-s001.vmdk) along with its descriptor",
          cause: error,
        },
      );
    }
    throw error;
  }
}

/** The disk the extents make end to end, known to VirtualBox as `uuid`. */
function compositeReader(
  path: string,
  extents: ExtentReader[],
  files: ExtentFile[],
  uuid: string | null,
): ImageReader {
  const starts: number[] = [];
  let size = 0;
  for (const extent of extents) {
    starts.push(size);
    size += extent.size;
  }
  return imageReader({
    path,
    format: 'vmdk',
    size,
    sectorSize: SECTOR,
    uuid,
    async fill(offset: number, out: Buffer): Promise<void> {
      const end = offset + out.length;
      let position = offset;
      for (let index = lastStartAtOrBefore(starts, offset); position < end; index++) {
        const extent = extents[index]!;
        const within = position - starts[index]!;
        const count = Math.min(extent.size - within, end - position);
        await extent.readInto(within, count, out, position - offset);
        position += count;
      }
    },
    async allocated(): Promise<ByteRange[]> {
      const ranges = new RangeBuilder();
      for (const [index, extent] of extents.entries())
        await extent.allocated(starts[index]!, ranges);
      return ranges.build();
    },
    async close(): Promise<void> {
      await Promise.all(files.map((file) => file.close()));
    },
  });
}

/** The index of the last extent starting at or before `offset` (binary search; extents may be many). */
function lastStartAtOrBefore(starts: number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}
