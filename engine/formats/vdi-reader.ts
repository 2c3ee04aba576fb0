/**
 * Reads VirtualBox VDI images, dynamic and fixed, with any power-of-two block size and the
 * per-block extra data VirtualBox allows. Differencing images are refused: alone, they do not
 * hold the disk.
 */
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { blockImageReader, openImageFile } from './image-reader.js';
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
  open: (path) => openImageFile(path, openVdiImage),
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

  const reader = blockImageReader({
    file,
    format: 'vdi',
    size,
    sectorSize: 512,
    blockSize,
    blocks: usedBlocks,
    locate: (block) => locations[block] ?? -1,
  });
  return { ...reader, uuid: header.uuid };
}
