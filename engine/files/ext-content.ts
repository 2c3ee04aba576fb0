/**
 * The bytes an ext inode holds, wherever it keeps them: blocks reached by an extent tree or a
 * block map (holes read as zeros), inline data, or a fast symlink's i_block.
 */
import { FerryError } from '../../shared/errors.js';
import { blockMapRuns } from './ext-block-map.js';
import { extentRuns } from './ext-extents.js';
import { inlineContent } from './ext-inline.js';
import { I_BLOCK_SIZE, INODE_FLAGS, type ExtInode } from './ext-inode.js';
import type { BlockRun, ExtVolume } from './ext-volume.js';

/** PATH_MAX: the kernel refuses to create a longer link. */
const MAX_LINK_TARGET = 4096;

/** The mapped blocks among the inode's logical blocks 0 .. limit - 1, in logical order. */
export function dataRuns(
  ext: ExtVolume,
  inode: ExtInode,
  limit: number,
  what: string,
): Promise<BlockRun[]> {
  return inode.flags & INODE_FLAGS.extents
    ? extentRuns(ext, inode.block, limit, what)
    : blockMapRuns(ext, inode.block, limit, what);
}

/**
 * The whole content of a regular file or a slow symlink. The size is checked against `maxBytes`
 * before anything is allocated.
 */
export async function readContent(
  ext: ExtVolume,
  inode: ExtInode,
  maxBytes: number,
  what: string,
): Promise<Buffer> {
  checkReadable(ext, inode, what);
  if (inode.size > maxBytes) {
    throw new FerryError(
      'UNSUPPORTED',
      `the file holds ${inode.size} bytes, more than the ${maxBytes} Ferry reads`,
      {
        where: `${ext.volume.path}: ext ${what}`,
        hint: 'Ferry reads only small system files to identify a disk; this one is not',
      },
    );
  }
  return mappedHead(ext, inode, inode.size, what);
}

/** The first `min(length, size)` bytes of a regular file, whatever its size. */
export async function readContentHead(
  ext: ExtVolume,
  inode: ExtInode,
  length: number,
  what: string,
): Promise<Buffer> {
  checkReadable(ext, inode, what);
  return mappedHead(ext, inode, Math.min(length, inode.size), what);
}

/** The first `size` bytes (at most the file's size), reading only the blocks that hold them. */
async function mappedHead(
  ext: ExtVolume,
  inode: ExtInode,
  size: number,
  what: string,
): Promise<Buffer> {
  if (inode.flags & INODE_FLAGS.inlineData)
    return inlineContent(ext, inode, what).subarray(0, size);
  const content = Buffer.alloc(size);
  const limit = Math.ceil(size / ext.geometry.blockSize);
  await ext.readRuns(await dataRuns(ext, inode, limit, what), content, what);
  return content;
}

function checkReadable(ext: ExtVolume, inode: ExtInode, what: string): void {
  if (inode.flags & INODE_FLAGS.encrypted) {
    throw new FerryError('UNSUPPORTED', 'the file is encrypted (ext4 fscrypt)', {
      where: `${ext.volume.path}: ext ${what}`,
      hint: 'Ferry cannot read encrypted files; the system they belong to is still converted',
    });
  }
}

/** Where a symbolic link points, as the bytes it stores. */
export async function readLinkTarget(
  ext: ExtVolume,
  link: ExtInode,
  what: string,
): Promise<Buffer> {
  // e2fsprogs' rule (ext2fs_is_fast_symlink): a target shorter than i_block lives in it.
  const fast =
    !(link.flags & (INODE_FLAGS.inlineData | INODE_FLAGS.encrypted)) &&
    link.size > 0 &&
    link.size < I_BLOCK_SIZE;
  if (fast) return link.block.subarray(0, link.size);
  if (link.size > MAX_LINK_TARGET) {
    throw ext.damaged(`a symbolic link claims a ${link.size}-byte target`, what);
  }
  return readContent(ext, link, MAX_LINK_TARGET, what);
}
