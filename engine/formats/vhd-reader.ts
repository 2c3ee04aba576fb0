/**
 * Reads VHDs (Virtual PC, Hyper-V, Azure, QEMU's "vpc"), fixed and dynamic. Differencing disks
 * are refused: alone, they do not hold the disk. The disk's size is the footer's current size,
 * as Hyper-V reads it. Sector bitmaps are not consulted, as in QEMU: every writer sets all
 * bits of a block it allocates, and the data of a dynamic disk's block is what it holds.
 */
import { FerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';
import type { BlockSource } from '../io/source.js';
import { blockImageReader, imageReader, openImageFile } from './image-reader.js';
import type { FormatReaderDriver, ImageReader } from './types.js';
import {
  VHD_DYNAMIC_HEADER_SIZE,
  VHD_UNALLOCATED,
  parseVhdDynamicHeader,
} from './vhd-dynamic-header.js';
import {
  VHD_DISK_TYPE,
  VHD_FOOTER_SIZE,
  hasVhdCookie,
  parseVhdFooter,
  type VhdFooter,
} from './vhd-footer.js';
import { VHD_MAX_DISK_SIZE } from './vhd-geometry.js';

const SECTOR = 512;
/** Keeps the in-memory BAT under 128 MiB; a 2 MiB-block VHD of 2040 GiB needs 4 MiB. */
const MAX_BAT_ENTRIES = 2 ** 25;
const BAT_READ_ENTRIES = 2 ** 18;

export const vhdReader: FormatReaderDriver = {
  name: 'vhd',
  detect: ({ head, tail }) => hasVhdCookie(tail) || hasVhdCookie(head),
  open: (path) => openImageFile(path, openVhdImage),
};

/** Opens the VHD whose file bytes `file` holds; closing the image closes `file`. */
export async function openVhdImage(file: BlockSource): Promise<ImageReader> {
  const footer = await readFooter(file);
  if (footer.currentSize > VHD_MAX_DISK_SIZE) {
    throw new FerryError(
      'BAD_IMAGE',
      `the footer gives a size of ${formatSize(footer.currentSize)}`,
      {
        where: `${file.path}: VHD footer`,
        hint: `a VHD holds at most ${formatSize(VHD_MAX_DISK_SIZE)}; the image is damaged`,
      },
    );
  }
  const image =
    footer.diskType === VHD_DISK_TYPE.fixed
      ? fixedImage(file, footer.currentSize)
      : await dynamicImage(file, footer);
  return { ...image, uuid: footer.uniqueId };
}

/**
 * The footer at the end of the file, or, when that one is damaged, the copy a dynamic disk
 * keeps at offset 0 (the copy alone is how a VHD cut short by a crash still opens).
 */
async function readFooter(file: BlockSource): Promise<VhdFooter> {
  if (file.size < VHD_FOOTER_SIZE) {
    throw new FerryError('BAD_IMAGE', `${file.size} bytes are too few for a VHD footer`, {
      where: file.path,
      hint: 'the file is not a VHD or was cut short',
    });
  }
  const end = file.size - VHD_FOOTER_SIZE;
  try {
    return parseVhdFooter(
      await file.read(end, VHD_FOOTER_SIZE),
      `${file.path}: VHD footer at ${end}`,
    );
  } catch (error) {
    if (!(error instanceof FerryError) || error.code !== 'BAD_IMAGE') throw error;
    const head = await file.read(0, VHD_FOOTER_SIZE);
    if (!hasVhdCookie(head)) throw error;
    const copy = parseVhdFooter(head, `${file.path}: VHD footer copy at 0`);
    if (copy.diskType !== VHD_DISK_TYPE.dynamic) throw error;
    return copy;
  }
}

function fixedImage(file: BlockSource, size: number): ImageReader {
  if (size > file.size - VHD_FOOTER_SIZE) {
    throw new FerryError(
      'BAD_IMAGE',
      `the footer gives a size of ${size} bytes, but only ${file.size - VHD_FOOTER_SIZE} precede it`,
      {
        where: `${file.path}: VHD footer`,
        hint: 'the fixed VHD was cut short; copy it again',
      },
    );
  }
  return imageReader({
    path: file.path,
    format: 'vhd',
    size,
    sectorSize: SECTOR,
    fill: async (offset, target) => {
      (await file.read(offset, target.length)).copy(target);
    },
    allocated: async () => (size > 0 ? [{ start: 0, length: size }] : []),
    close: () => file.close(),
  });
}

async function dynamicImage(file: BlockSource, footer: VhdFooter): Promise<ImageReader> {
  const size = footer.currentSize;
  const headerOffset = footer.dataOffset!;
  const headerWhere = `${file.path}: VHD dynamic header at ${headerOffset}`;
  if (headerOffset + VHD_DYNAMIC_HEADER_SIZE > file.size) {
    throw badBat(
      headerWhere,
      `the dynamic header lies beyond the end of the file (${file.size} bytes)`,
    );
  }
  const header = parseVhdDynamicHeader(
    await file.read(headerOffset, VHD_DYNAMIC_HEADER_SIZE),
    headerWhere,
  );
  const { blockSize, tableOffset } = header;
  const bitmapSize = Math.ceil(blockSize / SECTOR / 8 / SECTOR) * SECTOR;
  const blocks = Math.ceil(size / blockSize);
  if (blocks > header.maxTableEntries) {
    throw badBat(
      headerWhere,
      `the BAT has ${header.maxTableEntries} entries, the disk needs ${blocks}`,
    );
  }
  if (blocks > MAX_BAT_ENTRIES) {
    throw new FerryError('UNSUPPORTED', `${blocks} blocks of ${blockSize} bytes are too many`, {
      where: headerWhere,
      hint: 'convert the disk to 2 MiB blocks first (qemu-img convert -O vpc)',
    });
  }
  if (tableOffset + blocks * 4 > file.size) {
    throw badBat(
      headerWhere,
      `the BAT at ${tableOffset} lies beyond the end of the file (${file.size} bytes)`,
    );
  }

  /** Sector offset of each block's bitmap, or VHD_UNALLOCATED. */
  const bat = new Uint32Array(blocks);
  for (let first = 0; first < blocks; first += BAT_READ_ENTRIES) {
    const count = Math.min(BAT_READ_ENTRIES, blocks - first);
    const entries = await file.read(tableOffset + first * 4, count * 4);
    for (let i = 0; i < count; i++) {
      const block = first + i;
      const entry = entries.readUInt32BE(i * 4);
      bat[block] = entry;
      if (entry === VHD_UNALLOCATED) continue;
      const needed = Math.min(blockSize, size - block * blockSize);
      if (entry * SECTOR + bitmapSize + needed > file.size) {
        throw badBat(
          `${file.path}: VHD BAT entry ${block}`,
          `block ${block} is stored at ${entry * SECTOR}, beyond the end of the file (${file.size} bytes)`,
        );
      }
    }
  }

  return blockImageReader({
    file,
    format: 'vhd',
    size,
    sectorSize: SECTOR,
    blockSize,
    blocks,
    // Each block's data follows its sector bitmap.
    locate: (block) => {
      const entry = bat[block] ?? VHD_UNALLOCATED;
      return entry === VHD_UNALLOCATED ? -1 : entry * SECTOR + bitmapSize;
    },
  });
}

function badBat(where: string, message: string): FerryError {
  return new FerryError('BAD_IMAGE', message, {
    where,
    hint: 'the VHD is damaged or was cut short; `qemu-img info -f vpc` may say more',
  });
}
