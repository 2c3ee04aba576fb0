/**
 * ext block groups: where each group starts, which groups carry superblock and descriptor
 * backups, and the group descriptors themselves, read a window at a time so memory stays bounded
 * however many groups there are.
 */
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { EXT_DAMAGED_HINT, type ExtGeometry } from './ext-superblock.js';

const BG_BLOCK_UNINIT = 0x2;
const MAX_DESCRIPTOR_READ = 1 << 20;

/** The descriptors of consecutive groups `firstGroup .. firstGroup + count - 1`. */
export interface GroupWindow {
  firstGroup: number;
  count: number;
  blockBitmap: Float64Array;
  inodeBitmap: Float64Array;
  inodeTable: Float64Array;
  /** 1 where the group's block bitmap was never written (its flag is trusted). */
  blockUninit: Uint8Array;
}

export function groupFirstBlock(geometry: ExtGeometry, group: number): number {
  return geometry.firstDataBlock + group * geometry.blocksPerGroup;
}

/** Blocks in `group`; the last group may be partial. */
export function groupBlockCount(geometry: ExtGeometry, group: number): number {
  return Math.min(geometry.blocksPerGroup, geometry.blocksCount - groupFirstBlock(geometry, group));
}

/** sparse_super keeps backups in groups 0, 1 and the powers of 3, 5 and 7. */
export function hasSuperblockBackup(geometry: ExtGeometry, group: number): boolean {
  if (group === 0) return true;
  const { backups } = geometry;
  if (backups === 'all') return true;
  if (backups !== 'sparse') return group === backups.groups[0] || group === backups.groups[1];
  if (group === 1) return true;
  if (group % 2 === 0) return false;
  return isPowerOf(group, 3) || isPowerOf(group, 5) || isPowerOf(group, 7);
}

function isPowerOf(value: number, base: number): boolean {
  let power = base;
  while (power < value) power *= base;
  return power === value;
}

/**
 * The blocks at the start of `group` holding the superblock copy, the descriptor table copy and
 * the blocks reserved for its growth (or, with meta_bg, the group's descriptor block), as
 * libext2fs reserves them for a group whose bitmap was never written.
 */
export function groupBaseMetadata(
  geometry: ExtGeometry,
  group: number,
): { start: number; count: number } {
  const start = metadataStart(geometry, group);
  const hasSuper = hasSuperblockBackup(geometry, group);
  let count = hasSuper ? 1 : 0;
  const metaGroup = Math.floor(group / geometry.descPerBlock);
  if (!geometry.metaBg || metaGroup < geometry.firstMetaBg) {
    if (hasSuper) {
      count += geometry.metaBg
        ? geometry.firstMetaBg
        : geometry.descBlocks + geometry.reservedGdtBlocks;
    }
  } else {
    const index = group % geometry.descPerBlock;
    if (index === 0 || index === 1 || index === geometry.descPerBlock - 1) count++;
  }
  const groupEnd = groupFirstBlock(geometry, group) + groupBlockCount(geometry, group);
  return { start, count: Math.max(0, Math.min(count, groupEnd - start)) };
}

/** With 1 KiB blocks and bigalloc, group 0 starts at block 0 but its superblock is block 1. */
function metadataStart(geometry: ExtGeometry, group: number): number {
  const first = groupFirstBlock(geometry, group);
  return first === 0 && geometry.blockSize === 1024 ? 1 : first;
}

/** Where descriptor block `index` of the primary table lies. */
export function descriptorBlock(geometry: ExtGeometry, index: number): number {
  const superblockBlock = geometry.blockSize === 1024 ? 1 : 0;
  if (!geometry.metaBg || index < geometry.firstMetaBg) return superblockBlock + 1 + index;
  const group = index * geometry.descPerBlock;
  return metadataStart(geometry, group) + (hasSuperblockBackup(geometry, group) ? 1 : 0);
}

/**
 * Yields the group descriptors in group order, one window per read of contiguous descriptor
 * blocks, each location checked against the filesystem's bounds.
 */
export async function* groupDescriptorWindows(
  volume: BlockSource,
  geometry: ExtGeometry,
): AsyncGenerator<GroupWindow> {
  const { blockSize, descBlocks } = geometry;
  const maxBlocksPerRead = Math.max(1, Math.floor(MAX_DESCRIPTOR_READ / blockSize));
  let index = 0;
  while (index < descBlocks) {
    const first = descriptorBlock(geometry, index);
    let count = 1;
    while (
      index + count < descBlocks &&
      count < maxBlocksPerRead &&
      descriptorBlock(geometry, index + count) === first + count
    ) {
      count++;
    }
    if (first + count > geometry.blocksCount) {
      throw new FerryError(
        'BAD_FILESYSTEM',
        `group descriptor block ${first} lies outside the filesystem`,
        { where: `${volume.path}: ext group descriptors`, hint: EXT_DAMAGED_HINT },
      );
    }
    const data = await volume.read(first * blockSize, count * blockSize);
    const firstGroup = index * geometry.descPerBlock;
    const groups = Math.min(count * geometry.descPerBlock, geometry.groupCount - firstGroup);
    yield parseDescriptors(volume.path, geometry, data, firstGroup, groups);
    index += count;
  }
}

function parseDescriptors(
  path: string,
  geometry: ExtGeometry,
  data: Buffer,
  firstGroup: number,
  count: number,
): GroupWindow {
  const window: GroupWindow = {
    firstGroup,
    count,
    blockBitmap: new Float64Array(count),
    inodeBitmap: new Float64Array(count),
    inodeTable: new Float64Array(count),
    blockUninit: new Uint8Array(count),
  };
  const wide = geometry.descSize >= 64;
  // A bitmap or table may not overlap the boot block or the primary superblock.
  const lowest = (geometry.blockSize === 1024 ? 1 : 0) + 1;
  for (let i = 0; i < count; i++) {
    const at = i * geometry.descSize;
    const location = (low: number, high: number): number =>
      data.readUInt32LE(at + low) + (wide ? data.readUInt32LE(at + high) * 2 ** 32 : 0);
    const group = firstGroup + i;
    const blockBitmap = location(0x00, 0x20);
    const inodeBitmap = location(0x04, 0x24);
    const inodeTable = location(0x08, 0x28);
    const inside = (block: number, blocks: number): boolean =>
      block >= lowest && block + blocks <= geometry.blocksCount;
    if (
      !inside(blockBitmap, 1) ||
      !inside(inodeBitmap, 1) ||
      !inside(inodeTable, geometry.inodeTableBlocks)
    ) {
      throw new FerryError(
        'BAD_FILESYSTEM',
        `group ${group} places its bitmaps or inode table outside the filesystem`,
        { where: `${path}: ext group descriptor ${group}`, hint: EXT_DAMAGED_HINT },
      );
    }
    window.blockBitmap[i] = blockBitmap;
    window.inodeBitmap[i] = inodeBitmap;
    window.inodeTable[i] = inodeTable;
    const flags = data.readUInt16LE(at + 0x12);
    window.blockUninit[i] = geometry.uninitFlags && flags & BG_BLOCK_UNINIT ? 1 : 0;
  }
  return window;
}
