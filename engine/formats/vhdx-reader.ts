/**
 * Reads VHDX files (Hyper-V, QEMU), fixed and dynamic, any block size and either sector size.
 * Refused: differencing disks (alone they do not hold the disk), files whose log must be
 * replayed first, and blocks in the PARTIALLY_PRESENT state, which MS-VHDX allows only in
 * differencing disks.
 */
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { blockImageReader, openImageFile } from './image-reader.js';
import type { FormatReaderDriver, ImageReader } from './types.js';
import {
  BAT_ENTRY_SIZE,
  PAYLOAD_STATE,
  batGeometry,
  readBatEntry,
  type BatGeometry,
} from './vhdx-bat.js';
import {
  VHDX_HEADER_OFFSETS,
  VHDX_HEADER_SECTION_SIZE,
  VHDX_HEADER_SIZE,
  VHDX_REGION,
  VHDX_REGION_TABLE_OFFSETS,
  VHDX_REGION_TABLE_SIZE,
  checkRegionTable,
  checkVhdxHeader,
  hasVhdxSignature,
  type VhdxHeader,
  type VhdxRegion,
} from './vhdx-header.js';
import { refuseUnreplayedLog } from './vhdx-log.js';
import { readVhdxMetadata } from './vhdx-metadata.js';

const MiB = 2 ** 20;
/** Keeps the block offsets in memory within 128 MiB (a 32 TiB disk of 1 MiB blocks). */
const MAX_BLOCKS = 2 ** 25;
const BAT_READ_BYTES = MiB;
const HINT = 'the VHDX is damaged or was cut short; `qemu-img check -f vhdx` may say more';

export const vhdxReader: FormatReaderDriver = {
  name: 'vhdx',
  detect: ({ head }) => hasVhdxSignature(head),
  open: (path) => openImageFile(path, openVhdxImage),
};

/** Opens the VHDX whose file bytes `file` holds; closing the image closes `file`. */
export async function openVhdxImage(file: BlockSource): Promise<ImageReader> {
  if (file.size < VHDX_REGION_TABLE_OFFSETS[1] + VHDX_REGION_TABLE_SIZE) {
    throw new FerryError('BAD_IMAGE', `${file.size} bytes are too few for a VHDX header section`, {
      where: file.path,
      hint: 'the file is not a VHDX or was cut short',
    });
  }
  if (!hasVhdxSignature(await file.read(0, 8))) {
    throw new FerryError('BAD_IMAGE', 'no "vhdxfile" signature at offset 0', {
      where: file.path,
      hint: 'the file is not a VHDX',
    });
  }
  const header = await currentHeader(file);
  await refuseUnreplayedLog(file, header);
  const { bat, metadata } = await regions(file);
  const {
    virtualDiskSize: size,
    blockSize,
    logicalSectorSize,
    virtualDiskId,
  } = await readVhdxMetadata(file, metadata.offset, metadata.length);
  const geometry = batGeometry(size, blockSize, logicalSectorSize);
  if (geometry.blocks > MAX_BLOCKS) {
    throw new FerryError(
      'UNSUPPORTED',
      `${geometry.blocks} blocks of ${blockSize} bytes are too many`,
      {
        where: `${file.path}: VHDX metadata`,
        hint: 'convert the disk to larger blocks first (qemu-img convert -O vhdx -o block_size=32M)',
      },
    );
  }
  if (geometry.entries * BAT_ENTRY_SIZE > bat.length) {
    throw new FerryError(
      'BAD_IMAGE',
      `the BAT region (${bat.length} bytes) is too short for ${geometry.entries} entries`,
      {
        where: `${file.path}: VHDX BAT`,
        hint: HINT,
      },
    );
  }
  const offsetsMiB = await loadBat(file, bat.offset, geometry, size);
  const reader = blockImageReader({
    file,
    format: 'vhdx',
    size,
    sectorSize: logicalSectorSize,
    blockSize,
    blocks: geometry.blocks,
    locate: (block) => {
      const stored = offsetsMiB[block] ?? 0;
      return stored === 0 ? -1 : stored * MiB;
    },
  });
  return { ...reader, uuid: virtualDiskId };
}

/** The valid header with the higher sequence number (MS-VHDX 2.2.2.1). */
async function currentHeader(file: BlockSource): Promise<VhdxHeader> {
  const problems: string[] = [];
  let current: VhdxHeader | undefined;
  for (const offset of VHDX_HEADER_OFFSETS) {
    const checked = checkVhdxHeader(await file.read(offset, VHDX_HEADER_SIZE));
    if (!checked.ok) problems.push(`header at ${offset}: ${checked.problem}`);
    else if (!current || checked.value.sequenceNumber > current.sequenceNumber)
      current = checked.value;
  }
  if (!current) {
    throw new FerryError('BAD_IMAGE', `no valid header (${problems.join('; ')})`, {
      where: `${file.path}: VHDX headers`,
      hint: HINT,
    });
  }
  if (current.version !== 1) {
    throw new FerryError('UNSUPPORTED', `VHDX version ${current.version} is not 1`, {
      where: `${file.path}: VHDX header`,
      hint: 'convert the disk with the Hyper-V that made it (Convert-VHD) first',
    });
  }
  return current;
}

interface Placement {
  offset: number;
  length: number;
}

/** The BAT and metadata regions from the first valid region table copy. */
async function regions(file: BlockSource): Promise<{ bat: Placement; metadata: Placement }> {
  const where = `${file.path}: VHDX region table`;
  const problems: string[] = [];
  let entries: VhdxRegion[] | undefined;
  for (const offset of VHDX_REGION_TABLE_OFFSETS) {
    const checked = checkRegionTable(await file.read(offset, VHDX_REGION_TABLE_SIZE));
    if (checked.ok) {
      entries = checked.value;
      break;
    }
    problems.push(`copy at ${offset}: ${checked.problem}`);
  }
  if (!entries) {
    throw new FerryError('BAD_IMAGE', `no valid region table (${problems.join('; ')})`, {
      where,
      hint: HINT,
    });
  }
  const found = new Map<string, Placement>();
  for (const region of entries) {
    if (region.guid !== VHDX_REGION.bat && region.guid !== VHDX_REGION.metadata) {
      if (!region.required) continue;
      throw new FerryError(
        'UNSUPPORTED',
        `the VHDX requires region ${region.guid}, unknown to Ferry`,
        {
          where,
          hint: 'convert the disk with Hyper-V (Convert-VHD) to a plain dynamic or fixed VHDX first',
        },
      );
    }
    const end = region.fileOffset + BigInt(region.length);
    if (region.fileOffset < BigInt(VHDX_HEADER_SECTION_SIZE) || end > BigInt(file.size)) {
      throw new FerryError(
        'BAD_IMAGE',
        `region ${region.guid} (${region.length} bytes at ${region.fileOffset}) lies outside the file's ${file.size} bytes after the header section`,
        { where, hint: HINT },
      );
    }
    found.set(region.guid, { offset: Number(region.fileOffset), length: region.length });
  }
  const bat = found.get(VHDX_REGION.bat);
  const metadata = found.get(VHDX_REGION.metadata);
  if (!bat || !metadata) {
    throw new FerryError(
      'BAD_IMAGE',
      `the region table names no ${bat ? 'metadata region' : 'BAT'}`,
      {
        where,
        hint: HINT,
      },
    );
  }
  return { bat, metadata };
}

/** File offset in MiB of each payload block, 0 for one that reads as zeros; checked against the file. */
async function loadBat(
  file: BlockSource,
  batOffset: number,
  geometry: BatGeometry,
  size: number,
): Promise<Uint32Array> {
  const { blockSize, chunkRatio, blocks, entries } = geometry;
  const offsetsMiB = new Uint32Array(blocks);
  const stride = chunkRatio + 1;
  const perRead = BAT_READ_BYTES / BAT_ENTRY_SIZE;
  for (let first = 0; first < entries; first += perRead) {
    const count = Math.min(perRead, entries - first);
    const piece = await file.read(batOffset + first * BAT_ENTRY_SIZE, count * BAT_ENTRY_SIZE);
    for (let index = first; index < first + count; index++) {
      if (index % stride === chunkRatio) continue;
      const block = index - Math.floor(index / stride);
      const { state, offsetMiB } = readBatEntry(piece, (index - first) * BAT_ENTRY_SIZE);
      if (state <= PAYLOAD_STATE.unmapped) continue;
      const where = `${file.path}: VHDX BAT entry ${index} (block ${block})`;
      if (state === PAYLOAD_STATE.partiallyPresent) {
        throw new FerryError(
          'BAD_IMAGE',
          'a block is PARTIALLY_PRESENT, which only a differencing disk may be',
          {
            where,
            hint: 'the VHDX is damaged or is a differencing disk in disguise; merge it in Hyper-V first',
          },
        );
      }
      if (state !== PAYLOAD_STATE.fullyPresent) {
        throw new FerryError('BAD_IMAGE', `block state ${state} is reserved`, {
          where,
          hint: HINT,
        });
      }
      const needed = Math.min(blockSize, size - block * blockSize);
      if (offsetMiB * MiB < VHDX_HEADER_SECTION_SIZE || offsetMiB * MiB + needed > file.size) {
        throw new FerryError(
          'BAD_IMAGE',
          `the block is stored at ${offsetMiB} MiB, outside the file's ${file.size} bytes after the header section`,
          { where, hint: HINT },
        );
      }
      offsetsMiB[block] = offsetMiB;
    }
  }
  return offsetsMiB;
}
