/**
 * What every image reader shares: opening the image file (and closing it again when the image
 * turns out unreadable), the range check and `read` around a format's own fill, and the reads of
 * formats that store the disk in fixed-size blocks found through a table (VDI, VHD, VHDX).
 */
import { checkReadRange, openFileSource } from '../io/file-source.js';
import type { BlockSource } from '../io/source.js';
import { RangeBuilder, type ByteRange } from '../ranges.js';
import type { ImageReader } from './types.js';

/** Opens the image file at `path` read-only and hands it to `openImage`, which owns it from then on. */
export async function openImageFile(
  path: string,
  openImage: (file: BlockSource) => Promise<ImageReader>,
): Promise<ImageReader> {
  const file = await openFileSource(path);
  try {
    return await openImage(file);
  } catch (error) {
    await file.close();
    throw error;
  }
}

export interface ImageFill extends Omit<ImageReader, 'read' | 'readInto'> {
  /** Fills all of `target` from `offset` on; the range is checked before. */
  fill(offset: number, target: Buffer): Promise<void>;
}

/** An ImageReader whose reads check their range, then fill a caller's or a fresh buffer. */
export function imageReader({ fill, ...image }: ImageFill): ImageReader {
  const readInto = async (offset: number, target: Buffer): Promise<void> => {
    checkReadRange(offset, target.length, image.size, image.path);
    if (target.length > 0) await fill(offset, target);
  };
  return {
    ...image,
    readInto,
    async read(offset: number, length: number): Promise<Buffer> {
      checkReadRange(offset, length, image.size, image.path);
      const out = Buffer.allocUnsafe(length);
      await readInto(offset, out);
      return out;
    },
  };
}

export interface BlockImage {
  /** The image file, closed with the image. */
  file: BlockSource;
  format: string;
  size: number;
  sectorSize: number;
  blockSize: number;
  /** Blocks covering the disk. */
  blocks: number;
  /** File offset of block `b`'s bytes, or -1 for a block that reads as zeros. */
  locate: (block: number) => number;
}

/**
 * The reader of a disk stored in fixed-size blocks found through a table. Blocks stored one
 * after another in the file are read together; what lies past the end of the file reads as
 * zeros, as in QEMU.
 */
export function blockImageReader(image: BlockImage): ImageReader {
  const { file, size, blockSize, blocks, locate } = image;
  return imageReader({
    path: file.path,
    format: image.format,
    size,
    sectorSize: image.sectorSize,
    fill: (offset, target) => fillFromBlocks(file, blockSize, locate, offset, target),
    async allocated(): Promise<ByteRange[]> {
      const ranges = new RangeBuilder();
      for (let block = 0; block < blocks; block++) {
        if (locate(block) < 0) continue;
        const start = block * blockSize;
        ranges.add(start, Math.min(blockSize, size - start));
      }
      return ranges.build();
    },
    close: () => file.close(),
  });
}

async function fillFromBlocks(
  file: BlockSource,
  blockSize: number,
  locate: (block: number) => number,
  offset: number,
  target: Buffer,
): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const position = offset + done;
    const block = Math.floor(position / blockSize);
    const within = position - block * blockSize;
    const location = locate(block);
    let take = Math.min(blockSize - within, target.length - done);
    if (location < 0) {
      target.fill(0, done, done + take);
    } else {
      let next = block + 1;
      while (
        done + take < target.length &&
        locate(next) === location + (next - block) * blockSize
      ) {
        take += Math.min(blockSize, target.length - done - take);
        next++;
      }
      const available = Math.max(0, Math.min(take, file.size - location - within));
      if (available > 0) (await file.read(location + within, available)).copy(target, done);
      target.fill(0, done + available, done + take);
    }
    done += take;
  }
}
