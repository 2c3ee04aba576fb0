/**
 * Files by path inside ext2, ext3 and ext4. Paths are walked through the directories' own "."
 * and ".." entries, as the kernel walks them, so symbolic links resolve the way they would on
 * the running system with this filesystem as its root: an absolute target starts again at the
 * root, and ".." at the root stays there.
 */
import { FerryError } from '../../shared/errors.js';
import { extGeometry, readExtSuperblock } from '../filesystems/ext-superblock.js';
import type { DetectedFilesystem } from '../filesystems/types.js';
import type { BlockSource } from '../io/source.js';
import { readContent, readContentHead, readLinkTarget } from './ext-content.js';
import { directoryEntries } from './ext-directory.js';
import { readInode, ROOT_INODE, type ExtInode } from './ext-inode.js';
import { ExtVolume } from './ext-volume.js';
import { DEFAULT_MAX_FILE_BYTES, type FileTree } from './types.js';

/** Linux's MAXSYMLINKS: more links than this on one path is a loop, and reads as missing. */
const MAX_LINK_HOPS = 40;
const SLASH = 0x2f;

export async function openExtTree(
  volume: BlockSource,
  _filesystem: DetectedFilesystem,
): Promise<FileTree> {
  const where = `${volume.path}: ext superblock`;
  const superblock = await readExtSuperblock(volume);
  if (!superblock) {
    throw new FerryError('BAD_FILESYSTEM', 'the ext superblock is gone', {
      where,
      hint: 'the volume changed while it was read; inspect it again',
    });
  }
  return new ExtTree(new ExtVolume(volume, extGeometry(superblock, volume.size, where)));
}

class ExtTree implements FileTree {
  constructor(private readonly ext: ExtVolume) {}

  async readFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<Buffer | null> {
    const inode = await this.regularFile(path);
    return inode && readContent(this.ext, inode, maxBytes, path);
  }

  async readHead(path: string, length: number): Promise<Buffer | null> {
    const inode = await this.regularFile(path);
    return inode && readContentHead(this.ext, inode, length, path);
  }

  async list(path: string): Promise<string[] | null> {
    const inode = await this.resolve(path);
    if (inode?.kind !== 'directory') return null;
    const names: string[] = [];
    for await (const batch of directoryEntries(this.ext, inode, path)) {
      for (const { name } of batch) {
        const text = name.toString('utf8');
        if (text !== '.' && text !== '..') names.push(text);
      }
    }
    return names;
  }

  private async regularFile(path: string): Promise<ExtInode | null> {
    const inode = await this.resolve(path);
    return inode?.kind === 'file' ? inode : null;
  }

  /** The inode at `path`, following every symbolic link on the way and at the end. */
  private async resolve(path: string): Promise<ExtInode | null> {
    const root = await readInode(this.ext, ROOT_INODE);
    // Components still to walk, the next one last.
    const pending = components(Buffer.from(path, 'utf8')).reverse();
    let current = root;
    let hops = 0;
    for (let name = pending.pop(); name; name = pending.pop()) {
      if (current.kind !== 'directory') return null;
      const number = await this.lookup(current, name, path);
      if (number === null) return null;
      const found = await readInode(this.ext, number);
      if (found.kind !== 'symlink') {
        current = found;
        continue;
      }
      if (++hops > MAX_LINK_HOPS) return null;
      const target = await readLinkTarget(this.ext, found, path);
      if (target.length === 0) return null;
      // A relative target continues from the directory holding the link.
      if (target[0] === SLASH) current = root;
      pending.push(...components(target).reverse());
    }
    return current;
  }

  private async lookup(directory: ExtInode, name: Buffer, path: string): Promise<number | null> {
    for await (const batch of directoryEntries(this.ext, directory, path)) {
      const entry = batch.find(
        (candidate) => candidate.name.length === name.length && candidate.name.equals(name),
      );
      if (entry) return entry.inode;
    }
    return null;
  }
}

/** The non-empty components of a path, "." dropped; ".." is kept for the directory to answer. */
function components(path: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && path[i] !== SLASH) continue;
    const part = path.subarray(start, i);
    if (part.length > 0 && !(part.length === 1 && part[0] === 0x2e)) parts.push(part);
    start = i + 1;
  }
  return parts;
}
