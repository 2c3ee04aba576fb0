/**
 * ext inodes: found through their group's descriptor (32- or 64-bit) and inode table, and the
 * fields a file reader needs from them.
 */
import { descriptorBlock } from '../filesystems/ext-groups.js';
import type { ExtVolume } from './ext-volume.js';

export const ROOT_INODE = 2;
/** i_block: a block map, an extent tree root, a fast symlink's target or inline data. */
export const I_BLOCK_SIZE = 60;
const I_BLOCK_OFFSET = 0x28;
/** The kernel stores sizes up to 2^64; beyond 2^53 no real file exists and JS cannot count. */
const MAX_SIZE_HIGH = 2 ** 21;

export const INODE_FLAGS = {
  encrypted: 0x800,
  extents: 0x80000,
  inlineData: 0x10000000,
} as const;

export type ExtFileKind = 'file' | 'directory' | 'symlink' | 'other';

export interface ExtInode {
  number: number;
  kind: ExtFileKind;
  flags: number;
  size: number;
  block: Buffer;
  /** The whole on-disk record, for the extended attributes kept after its base fields. */
  raw: Buffer;
}

export async function readInode(ext: ExtVolume, number: number): Promise<ExtInode> {
  const { geometry } = ext;
  const what = `inode ${number}`;
  if (!Number.isSafeInteger(number) || number < 1) {
    throw ext.damaged(`inode number ${number} does not exist`, what);
  }
  const group = Math.floor((number - 1) / geometry.inodesPerGroup);
  if (group >= geometry.groupCount) {
    throw ext.damaged(`inode ${number} lies beyond the last block group`, what);
  }
  const table = await inodeTable(ext, group);
  const index = (number - 1) % geometry.inodesPerGroup;
  const at = table * geometry.blockSize + index * geometry.inodeSize;
  const raw = await ext.volume.read(at, geometry.inodeSize);

  const mode = raw.readUInt16LE(0x00);
  if (mode === 0) throw ext.damaged(`a directory names inode ${number}, which is free`, what);
  const sizeHigh = raw.readUInt32LE(0x6c);
  if (sizeHigh >= MAX_SIZE_HIGH)
    throw ext.damaged(`inode ${number} claims an impossible size`, what);
  return {
    number,
    kind: kindOf(mode),
    flags: raw.readUInt32LE(0x20),
    size: sizeHigh * 2 ** 32 + raw.readUInt32LE(0x04),
    block: raw.subarray(I_BLOCK_OFFSET, I_BLOCK_OFFSET + I_BLOCK_SIZE),
    raw,
  };
}

/** The first block of `group`'s inode table, from its descriptor alone. */
async function inodeTable(ext: ExtVolume, group: number): Promise<number> {
  const { geometry } = ext;
  const what = `group descriptor ${group}`;
  const block = descriptorBlock(geometry, Math.floor(group / geometry.descPerBlock));
  const descriptors = await ext.readBlocks(block, 1, what);
  const at = (group % geometry.descPerBlock) * geometry.descSize;
  const high = geometry.descSize >= 64 ? descriptors.readUInt32LE(at + 0x28) : 0;
  const table = high * 2 ** 32 + descriptors.readUInt32LE(at + 0x08);
  ext.checkBlocks(table, geometry.inodeTableBlocks, what);
  return table;
}

function kindOf(mode: number): ExtFileKind {
  switch (mode & 0xf000) {
    case 0x8000:
      return 'file';
    case 0x4000:
      return 'directory';
    case 0xa000:
      return 'symlink';
    default:
      return 'other';
  }
}
