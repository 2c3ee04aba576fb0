/**
 * ext4 inline_data: a small file or directory kept inside its inode, first in i_block and then
 * in the value of the "system.data" extended attribute stored after the inode's extra fields.
 */
import type { ExtInode } from './ext-inode.js';
import type { ExtVolume } from './ext-volume.js';

const GOOD_OLD_INODE_SIZE = 128;
const XATTR_MAGIC = 0xea020000;
const XATTR_ENTRY_SIZE = 16;
/** EXT4_XATTR_INDEX_SYSTEM: the "system." prefix, stored as a number. */
const SYSTEM_INDEX = 7;
const DATA_NAME = Buffer.from('data');

/** The two parts of an inode's inline data: i_block, then the attribute's value (maybe empty). */
export interface InlineParts {
  head: Buffer;
  tail: Buffer;
}

export function inlineParts(ext: ExtVolume, inode: ExtInode, what: string): InlineParts {
  return { head: inode.block, tail: systemData(ext, inode.raw, what) };
}

/** The file's bytes: i_block, continued by the attribute, cut to the inode's size. */
export function inlineContent(ext: ExtVolume, inode: ExtInode, what: string): Buffer {
  const { head, tail } = inlineParts(ext, inode, what);
  if (inode.size > head.length + tail.length) {
    throw ext.damaged(
      `inline data holds fewer than the ${inode.size} bytes the inode claims`,
      what,
    );
  }
  return Buffer.concat([head, tail]).subarray(0, inode.size);
}

/** The value of system.data among the attributes kept inside the inode; empty when it has none. */
function systemData(ext: ExtVolume, raw: Buffer, what: string): Buffer {
  if (raw.length <= GOOD_OLD_INODE_SIZE) return Buffer.alloc(0);
  const extraSize = raw.readUInt16LE(GOOD_OLD_INODE_SIZE);
  const header = GOOD_OLD_INODE_SIZE + extraSize;
  if (extraSize % 4 !== 0 || header + 4 > raw.length) {
    throw ext.damaged('the inode has more extra fields than room for them', what);
  }
  if (raw.readUInt32LE(header) !== XATTR_MAGIC) return Buffer.alloc(0);
  // Value offsets count from the first entry, right after the magic.
  const region = raw.subarray(header + 4);
  for (let at = 0; at + 4 <= region.length && region.readUInt32LE(at) !== 0;) {
    if (at + XATTR_ENTRY_SIZE > region.length) break;
    const nameLength = region[at]!;
    const nameEnd = at + XATTR_ENTRY_SIZE + nameLength;
    if (nameEnd > region.length) break;
    const name = region.subarray(at + XATTR_ENTRY_SIZE, nameEnd);
    if (region[at + 1] === SYSTEM_INDEX && name.equals(DATA_NAME)) {
      const offset = region.readUInt16LE(at + 2);
      const size = region.readUInt32LE(at + 8);
      if (region.readUInt32LE(at + 4) !== 0 || offset + size > region.length) {
        throw ext.damaged('the inline data attribute points outside its inode', what);
      }
      return region.subarray(offset, offset + size);
    }
    at = (nameEnd + 3) & ~3;
  }
  return Buffer.alloc(0);
}
