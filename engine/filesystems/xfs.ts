/**
 * XFS: the primary superblock at byte 0, big-endian, "XFSB". Recognised only when its geometry
 * passes the same sanity checks blkid applies, so a stray magic is not taken for a filesystem.
 */
import { FerryError } from '../../shared/errors.js';
import type { FilesystemDriver } from './driver.js';
import { cString, orNull, uuidText } from './identity.js';

const SUPERBLOCK_LENGTH = 512;
const MAGIC = 'XFSB';

const BLOCK_SIZE = 4;
const DATA_BLOCKS = 8;
const UUID = 32;
const REALTIME_EXTENT_SIZE = 80;
const AG_BLOCKS = 84;
const AG_COUNT = 88;
const SECTOR_SIZE = 102;
const INODE_SIZE = 104;
const NAME = 108;
const NAME_LENGTH = 12;
const BLOCK_LOG = 120;
const SECTOR_LOG = 121;
const INODE_LOG = 122;
const INODES_PER_BLOCK_LOG = 123;
const INODE_MAX_PERCENT = 127;

/** An allocation group holds at least this many blocks (XFS_MIN_AG_BLOCKS). */
const MIN_AG_BLOCKS = 64n;

const isPowerOfTwo = (value: number, log: number, minLog: number, maxLog: number): boolean =>
  log >= minLog && log <= maxLog && value === 2 ** log;

/** Why the geometry cannot be an XFS filesystem, or null when it can (xfs_verify_sb in blkid). */
function geometryFault(sb: Buffer): string | null {
  const blockSize = sb.readUInt32BE(BLOCK_SIZE);
  const sectorSize = sb.readUInt16BE(SECTOR_SIZE);
  const inodeSize = sb.readUInt16BE(INODE_SIZE);
  const blockLog = sb.readUInt8(BLOCK_LOG);
  const inodeLog = sb.readUInt8(INODE_LOG);
  const agCount = BigInt(sb.readUInt32BE(AG_COUNT));
  const agBlocks = BigInt(sb.readUInt32BE(AG_BLOCKS));
  const dataBlocks = sb.readBigUInt64BE(DATA_BLOCKS);
  const realtimeExtent = sb.readUInt32BE(REALTIME_EXTENT_SIZE) * blockSize;
  if (agCount === 0n) return 'it has no allocation groups';
  if (!isPowerOfTwo(sectorSize, sb.readUInt8(SECTOR_LOG), 9, 15)) {
    return `sector size ${sectorSize} is not a power of two from 512 to 32768`;
  }
  if (!isPowerOfTwo(blockSize, blockLog, 9, 16)) {
    return `block size ${blockSize} is not a power of two from 512 to 65536`;
  }
  if (!isPowerOfTwo(inodeSize, inodeLog, 8, 11)) {
    return `inode size ${inodeSize} is not a power of two from 256 to 2048`;
  }
  if (blockLog - inodeLog !== sb.readUInt8(INODES_PER_BLOCK_LOG)) {
    return 'inodes per block do not match the block and inode sizes';
  }
  if (realtimeExtent < 4096 || realtimeExtent > 2 ** 30) {
    return `realtime extent of ${realtimeExtent} bytes is outside 4 KiB to 1 GiB`;
  }
  if (sb.readUInt8(INODE_MAX_PERCENT) > 100) return 'inode space exceeds 100%';
  if (
    dataBlocks === 0n ||
    dataBlocks > agCount * agBlocks ||
    dataBlocks < (agCount - 1n) * agBlocks + MIN_AG_BLOCKS
  ) {
    return `${dataBlocks} data blocks do not fit ${agCount} groups of ${agBlocks} blocks`;
  }
  return null;
}

export const xfsDriver: FilesystemDriver = {
  async probe(volume) {
    if (volume.size < SUPERBLOCK_LENGTH) return null;
    const sb = await volume.read(0, SUPERBLOCK_LENGTH);
    if (sb.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
    const fault = geometryFault(sb);
    const size = Number(sb.readBigUInt64BE(DATA_BLOCKS)) * sb.readUInt32BE(BLOCK_SIZE);
    if (fault !== null || !Number.isSafeInteger(size)) {
      throw new FerryError(
        'BAD_FILESYSTEM',
        `the XFS superblock is damaged: ${fault ?? `it claims ${size} bytes`}`,
        {
          where: `${volume.path}: XFS superblock`,
          hint: 'run xfs_repair on the volume, or copy it with --all-blocks',
        },
      );
    }
    return {
      type: 'xfs',
      label: orNull(cString(sb.subarray(NAME, NAME + NAME_LENGTH))),
      uuid: uuidText(sb.subarray(UUID, UUID + 16)),
      // The data section: the whole filesystem when the log is internal, as it nearly always is.
      size,
    };
  },
};
