/**
 * Reads VirtualBox VDI images, dynamic and fixed, with any power-of-two block size and the
 * per-block extra data VirtualBox allows. Differencing images are refused: alone, they do not
 * hold the disk.
 */
import { FerryError } from '../../shared/errors.js';
import { checkReadRange, openFileSource } from '../io/file-source.js';
import type { BlockSource } from '../io/source.js';
import { RangeBuilder, type ByteRange } from '../ranges.js';
import type { FormatReaderDriver, ImageReader } from './types.js';
import {
  VDI_BLOCK_ZERO,
  VDI_HEADER_BYTES,
  VDI_SIGNATURE,
  VDI_SIGNATURE_OFFSET,
  parseVdiHeader,
} from './vdi-header.js';

export const vdiReader: FormatReaderDriver = {
  name: 'vdi',
  detect: ({ head }) =>
    head.length >= VDI_SIGNATURE_OFFSET + 4 &&
    head.readUInt32LE(VDI_SIGNATURE_OFFSET) === VDI_SIGNATURE,
  async open(path: string): Promise<ImageReader> {
    const file = await openFileSource(path);
    try {
      return await openVdiImage(file);
    } catch (error) {
      await file.close();
      throw error;
    }
  },
};

/** Opens the VDI image whose file bytes `file` holds; closing the image closes `file`. */
export async function openVdiImage(file: BlockSource): Promise<ImageReader> {
  const head = await file.read(0, Math.min(file.size, VDI_HEADER_BYTES));
  const header = parseVdiHeader(head, file.size, file.path);
  const { blockSize, diskSize: size } = header;
  const stride = header.blockExtra + blockSize;
  // The header check put the whole map inside the file, so this read is bounded by it.
  const map = await file.read(header.blocksOffset, header.blocks * 4);
  /** File offset of each virtual block's data, -1 for a block that reads as zeros. */
  const usedBlocks = Math.min(header.blocks, Math.ceil(size / blockSize));
  const locations = new Float64Array(usedBlocks);
  for (let block = 0; block < usedBlocks; block++) {
    const entry = map.readUInt32LE(block * 4);
    if (entry >= VDI_BLOCK_ZERO) {
      locations[block] = -1;
      continue;
    }
    const location = header.dataOffset + entry * stride + header.blockExtra;
    if (location >= file.size) {
      throw new FerryError(
        'BAD_IMAGE',
        `block ${block} is mapped to block ${entry}, beyond the end of the file`,
        {
          where: `${file.path}: VDI block map`,
          hint: 'the image is damaged or was cut short; `qemu-img check` may say more',
        },
      );
    }
    locations[block] = location;
  }

  return {
    path: file.path,
    format: 'vdi',
    size,
    sectorSize: 512,
    async read(offset: number, length: number): Promise<Buffer> {
      checkReadRange(offset, length, size, file.path);
      const out = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const position = offset + done;
        const block = Math.floor(position / blockSize);
        const within = position - block * blockSize;
        const location = locations[block]!;
        let take = Math.min(blockSize - within, length - done);
        if (location >= 0) {
          // Blocks stored one after another in the file are read together.
          let next = block + 1;
          while (
            done + take < length &&
            locations[next] === location + (next - block) * stride &&
            stride === blockSize
          ) {
            take += Math.min(blockSize, length - done - take);
            next++;
          }
          // What lies past the end of the file reads as zeros, as in QEMU.
          const available = Math.max(0, Math.min(take, file.size - location - within));
          if (available > 0) (await file.read(location + within, available)).copy(out, done);
        }
        done += take;
      }
      return out;
    },
    async allocated(): Promise<ByteRange[]> {
      const ranges = new RangeBuilder();
      for (let block = 0; block < usedBlocks; block++) {
        if (locations[block]! < 0) continue;
        const start = block * blockSize;
        ranges.add(start, Math.min(blockSize, size - start));
      }
      return ranges.build();
    },
    close: () => file.close(),
  };
}
