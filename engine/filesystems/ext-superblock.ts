/**
 * The ext2/3/4 superblock: the 1 KiB record at byte 1024 of the volume that says which ext it
 * is, what it is called, and how its block groups are laid out.
 */
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { orNull, uuidText } from './identity.js';
import type { DetectedFilesystem } from './types.js';

const SUPERBLOCK_OFFSET = 1024;
const SUPERBLOCK_SIZE = 1024;
const EXT_MAGIC = 0xef53;

const COMPAT_HAS_JOURNAL = 0x4;
const COMPAT_SPARSE_SUPER2 = 0x200;

const INCOMPAT_FILETYPE = 0x2;
const INCOMPAT_RECOVER = 0x4;
const INCOMPAT_JOURNAL_DEV = 0x8;
const INCOMPAT_META_BG = 0x10;
const INCOMPAT_64BIT = 0x80;
const INCOMPAT_MMP = 0x100;

const RO_COMPAT_SPARSE_SUPER = 0x1;
const RO_COMPAT_LARGE_FILE = 0x2;
const RO_COMPAT_BTREE_DIR = 0x4;
const RO_COMPAT_GDT_CSUM = 0x10;
const RO_COMPAT_BIGALLOC = 0x200;
const RO_COMPAT_METADATA_CSUM = 0x400;

/** What ext3 understands; a feature outside these makes it ext4, as libblkid decides. */
const EXT3_INCOMPAT = INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_META_BG;
const EXT3_RO_COMPAT = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_BTREE_DIR;

const MAX_LOG_BLOCK_SIZE = 6; // 1 KiB << 6 = 64 KiB
const MAX_LOG_CLUSTER_SIZE = 20; // 1 KiB << 20 = 1 GiB, the kernel's limit
/**
 * mke2fs refuses fewer; the kernel would take as few as 8, but a layout that small only comes
 * from damage, and it would cost one bitmap read per few KiB of disk.
 */
const MIN_BLOCKS_PER_GROUP = 256;
const GOOD_OLD_INODE_SIZE = 128;
const DESC_SIZE = 32;
const DESC_SIZE_64BIT_MIN = 64;
const DESC_SIZE_MAX = 1024;

export const EXT_DAMAGED_HINT =
  'run e2fsck on a copy of the filesystem, or convert with --all-blocks to copy every block';

/** The superblock fields that place every block group's structures. Counts are in blocks. */
export interface ExtGeometry {
  blockSize: number;
  /** Bytes per allocation bit: the block size, or the cluster size with bigalloc. */
  clusterSize: number;
  blocksCount: number;
  firstDataBlock: number;
  blocksPerGroup: number;
  groupCount: number;
  inodesPerGroup: number;
  /** Bytes of one inode record in the inode table. */
  inodeSize: number;
  /** Blocks of one group's inode table. */
  inodeTableBlocks: number;
  descSize: number;
  descPerBlock: number;
  /** Blocks of the whole group descriptor table (one copy). */
  descBlocks: number;
  reservedGdtBlocks: number;
  metaBg: boolean;
  firstMetaBg: number;
  /** Which groups hold superblock backups: every group, the sparse set, or two chosen ones. */
  backups: 'all' | 'sparse' | { groups: [number, number] };
  /** BLOCK_UNINIT flags are only meaningful when descriptors carry checksums. */
  uninitFlags: boolean;
  /** The multi-mount protection block, which no group bitmap need mention. */
  mmpBlock: number | null;
}

/** Reads the superblock, or returns null when the volume holds no ext magic. */
export async function readExtSuperblock(volume: BlockSource): Promise<Buffer | null> {
  if (volume.size < SUPERBLOCK_OFFSET + SUPERBLOCK_SIZE) return null;
  const superblock = await volume.read(SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE);
  return superblock.readUInt16LE(0x38) === EXT_MAGIC ? superblock : null;
}

/** Type, label, UUID and size as `blkid -p` reports them; null for an external journal device. */
export function identifyExt(superblock: Buffer, where: string): DetectedFilesystem | null {
  const incompat = superblock.readUInt32LE(0x60);
  if (incompat & INCOMPAT_JOURNAL_DEV) return null;
  const { blockSize, blocksCount } = blockCounts(superblock, where);
  return {
    type: extType(superblock),
    label: extLabel(superblock),
    uuid: uuidText(superblock.subarray(0x68, 0x78)),
    size: blocksCount * blockSize,
  };
}

function extType(superblock: Buffer): 'ext2' | 'ext3' | 'ext4' {
  const compat = superblock.readUInt32LE(0x5c);
  const incompat = superblock.readUInt32LE(0x60);
  const roCompat = superblock.readUInt32LE(0x64);
  if (incompat & ~EXT3_INCOMPAT || roCompat & ~EXT3_RO_COMPAT) return 'ext4';
  return compat & COMPAT_HAS_JOURNAL ? 'ext3' : 'ext2';
}

/** s_volume_name up to its first NUL, trailing blanks dropped as blkid drops them. */
function extLabel(superblock: Buffer): string | null {
  const raw = superblock.subarray(0x78, 0x88);
  const end = raw.indexOf(0);
  return orNull(
    raw
      .subarray(0, end < 0 ? raw.length : end)
      .toString('utf8')
      .trimEnd(),
  );
}

function damaged(where: string, message: string): FerryError {
  return new FerryError('BAD_FILESYSTEM', message, { where, hint: EXT_DAMAGED_HINT });
}

function blockCounts(
  superblock: Buffer,
  where: string,
): { blockSize: number; blocksCount: number } {
  const logBlockSize = superblock.readUInt32LE(0x18);
  if (logBlockSize > MAX_LOG_BLOCK_SIZE) {
    throw damaged(where, `block size 1024 << ${logBlockSize} is outside 1 KiB to 64 KiB`);
  }
  const blockSize = 1024 << logBlockSize;
  let blocksCount = BigInt(superblock.readUInt32LE(0x04));
  if (superblock.readUInt32LE(0x60) & INCOMPAT_64BIT) {
    blocksCount |= BigInt(superblock.readUInt32LE(0x150)) << 32n;
  }
  const bytes = blocksCount * BigInt(blockSize);
  if (blocksCount === 0n || bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw damaged(where, `block count ${blocksCount} is not a possible filesystem size`);
  }
  return { blockSize, blocksCount: Number(blocksCount) };
}

/**
 * Checks every field the block-group layout depends on against the others and against the
 * volume, so that nothing later reads outside it or allocates by a number an attacker chose.
 */
export function extGeometry(superblock: Buffer, volumeSize: number, where: string): ExtGeometry {
  const { blockSize, blocksCount } = blockCounts(superblock, where);
  if (blocksCount * blockSize > volumeSize) {
    throw new FerryError(
      'BAD_FILESYSTEM',
      `the filesystem claims ${blocksCount * blockSize} bytes but its volume holds ${volumeSize}`,
      {
        where,
        hint: 'the image or partition is cut short; copy it whole, or convert with --all-blocks',
      },
    );
  }
  const compat = superblock.readUInt32LE(0x5c);
  const incompat = superblock.readUInt32LE(0x60);
  const roCompat = superblock.readUInt32LE(0x64);
  const bigalloc = (roCompat & RO_COMPAT_BIGALLOC) !== 0;

  const firstDataBlock = superblock.readUInt32LE(0x14);
  const expectedFirstDataBlock = blockSize === 1024 && !bigalloc ? 1 : 0;
  if (firstDataBlock !== expectedFirstDataBlock) {
    throw damaged(where, `first data block ${firstDataBlock} does not fit block size ${blockSize}`);
  }
  if (firstDataBlock >= blocksCount) throw damaged(where, 'the filesystem has no data blocks');

  const bitsPerBitmap = blockSize * 8;
  const blocksPerGroup = superblock.readUInt32LE(0x20);
  let clusterRatio = 1;
  if (bigalloc) {
    const logBlockSize = superblock.readUInt32LE(0x18);
    const logClusterSize = superblock.readUInt32LE(0x1c);
    if (logClusterSize < logBlockSize || logClusterSize > MAX_LOG_CLUSTER_SIZE) {
      throw damaged(where, `cluster size 1024 << ${logClusterSize} does not fit the block size`);
    }
    clusterRatio = 2 ** (logClusterSize - logBlockSize);
    const clustersPerGroup = superblock.readUInt32LE(0x24);
    if (
      clustersPerGroup === 0 ||
      clustersPerGroup % 8 !== 0 ||
      blocksPerGroup < MIN_BLOCKS_PER_GROUP ||
      clustersPerGroup > bitsPerBitmap ||
      blocksPerGroup !== clustersPerGroup * clusterRatio
    ) {
      throw damaged(where, `${clustersPerGroup} clusters per group is not a possible layout`);
    }
  } else if (
    blocksPerGroup < MIN_BLOCKS_PER_GROUP ||
    blocksPerGroup % 8 !== 0 ||
    blocksPerGroup > bitsPerBitmap
  ) {
    throw damaged(where, `${blocksPerGroup} blocks per group is not a possible layout`);
  }
  const groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);

  const inodesPerGroup = superblock.readUInt32LE(0x28);
  if (inodesPerGroup === 0 || inodesPerGroup > bitsPerBitmap) {
    throw damaged(where, `${inodesPerGroup} inodes per group is not a possible layout`);
  }
  const inodesCount = superblock.readUInt32LE(0x00);
  if (inodesCount !== inodesPerGroup * groupCount) {
    throw damaged(
      where,
      `${inodesCount} inodes do not match ${groupCount} groups of ${inodesPerGroup}`,
    );
  }
  const inodeSize =
    superblock.readUInt32LE(0x4c) === 0 ? GOOD_OLD_INODE_SIZE : superblock.readUInt16LE(0x58);
  if (!isPowerOfTwo(inodeSize) || inodeSize < GOOD_OLD_INODE_SIZE || inodeSize > blockSize) {
    throw damaged(where, `inode size ${inodeSize} is not a possible size`);
  }

  let descSize = DESC_SIZE;
  if (incompat & INCOMPAT_64BIT) {
    descSize = superblock.readUInt16LE(0xfe);
    if (!isPowerOfTwo(descSize) || descSize < DESC_SIZE_64BIT_MIN || descSize > DESC_SIZE_MAX) {
      throw damaged(where, `group descriptor size ${descSize} is not a possible size`);
    }
  }
  const descPerBlock = blockSize / descSize;
  const descBlocks = Math.ceil(groupCount / descPerBlock);

  const reservedGdtBlocks = superblock.readUInt16LE(0xce);
  if (reservedGdtBlocks > blockSize / 4) {
    throw damaged(where, `${reservedGdtBlocks} reserved descriptor blocks are too many`);
  }
  const metaBg = (incompat & INCOMPAT_META_BG) !== 0;
  const firstMetaBg = metaBg ? superblock.readUInt32LE(0x104) : descBlocks;
  if (firstMetaBg > descBlocks) {
    throw damaged(where, `first meta block group ${firstMetaBg} lies beyond ${descBlocks}`);
  }

  return {
    blockSize,
    clusterSize: blockSize * clusterRatio,
    blocksCount,
    firstDataBlock,
    blocksPerGroup,
    groupCount,
    inodesPerGroup,
    inodeSize,
    inodeTableBlocks: Math.ceil((inodesPerGroup * inodeSize) / blockSize),
    descSize,
    descPerBlock,
    descBlocks,
    reservedGdtBlocks,
    metaBg,
    firstMetaBg,
    backups: backupRule(superblock, compat, roCompat),
    uninitFlags: (roCompat & (RO_COMPAT_GDT_CSUM | RO_COMPAT_METADATA_CSUM)) !== 0,
    mmpBlock: mmpBlock(superblock, incompat, blocksCount),
  };
}

function backupRule(superblock: Buffer, compat: number, roCompat: number): ExtGeometry['backups'] {
  if (compat & COMPAT_SPARSE_SUPER2) {
    return { groups: [superblock.readUInt32LE(0x24c), superblock.readUInt32LE(0x250)] };
  }
  return roCompat & RO_COMPAT_SPARSE_SUPER ? 'sparse' : 'all';
}

function mmpBlock(superblock: Buffer, incompat: number, blocksCount: number): number | null {
  if (!(incompat & INCOMPAT_MMP)) return null;
  const block = superblock.readBigUInt64LE(0x168);
  return block > 0n && block < BigInt(blocksCount) ? Number(block) : null;
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}
