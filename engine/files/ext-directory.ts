/**
 * ext directories read as linear lists of entries. An htree directory reads the same way: its
 * root and index blocks hide their index behind entries for inode 0 or a ".." entry that spans
 * the block, and its leaves are ordinary entry blocks. An inline directory keeps its parent's
 * inode number and its entries in the inode itself.
 */
import { dataRuns } from './ext-content.js';
import { inlineParts } from './ext-inline.js';
import { INODE_FLAGS, type ExtInode } from './ext-inode.js';
import type { ExtVolume } from './ext-volume.js';

export interface ExtDirent {
  inode: number;
  /** The name as stored: bytes, compared byte for byte. */
  name: Buffer;
}

const DIRENT_HEADER = 8;
/** Blocks read at once while scanning a directory. */
const BLOCKS_PER_READ = 64;
const DOT = Buffer.from('.');
const DOT_DOT = Buffer.from('..');

/**
 * Every entry of the directory, "." and ".." included, in the order they are stored; a batch per
 * read, so a caller that stops at the entry it wants reads no further.
 */
export async function* directoryEntries(
  ext: ExtVolume,
  directory: ExtInode,
  what: string,
): AsyncGenerator<ExtDirent[]> {
  if (directory.flags & INODE_FLAGS.inlineData) {
    const { head, tail } = inlineParts(ext, directory, what);
    yield [
      { inode: directory.number, name: DOT },
      { inode: head.readUInt32LE(0), name: DOT_DOT },
      ...entriesIn(ext, head.subarray(4), what),
      ...entriesIn(ext, tail, what),
    ];
    return;
  }
  if (directory.size > ext.volume.size) {
    throw ext.damaged(`a directory claims ${directory.size} bytes, more than its volume`, what);
  }
  const { blockSize } = ext.geometry;
  const limit = Math.ceil(directory.size / blockSize);
  for (const run of await dataRuns(ext, directory, limit, what)) {
    for (let done = 0; done < run.count; done += BLOCKS_PER_READ) {
      const count = Math.min(BLOCKS_PER_READ, run.count - done);
      const blocks = await ext.readBlocks(run.physical + done, count, what);
      const batch: ExtDirent[] = [];
      for (let at = 0; at < blocks.length; at += blockSize) {
        batch.push(...entriesIn(ext, blocks.subarray(at, at + blockSize), what));
      }
      yield batch;
    }
  }
}

/** The entries of one directory block (or inline region), whose records must tile it exactly. */
function entriesIn(ext: ExtVolume, region: Buffer, what: string): ExtDirent[] {
  const entries: ExtDirent[] = [];
  for (let at = 0; at < region.length;) {
    if (at + DIRENT_HEADER > region.length) throw ext.damaged('a directory entry is cut off', what);
    const inode = region.readUInt32LE(at);
    const nameLength = region[at + 6]!;
    let recordLength = region.readUInt16LE(at + 4);
    // With 64 KiB blocks a record spanning the whole block cannot say so in 16 bits.
    if (ext.geometry.blockSize === 65536 && (recordLength === 0 || recordLength === 0xffff)) {
      recordLength = 65536;
    }
    if (
      recordLength < DIRENT_HEADER ||
      recordLength % 4 !== 0 ||
      at + recordLength > region.length ||
      DIRENT_HEADER + nameLength > recordLength
    ) {
      throw ext.damaged('a directory entry has an impossible length', what);
    }
    if (inode !== 0) {
      entries.push({
        inode,
        name: region.subarray(at + DIRENT_HEADER, at + DIRENT_HEADER + nameLength),
      });
    }
    at += recordLength;
  }
  return entries;
}
