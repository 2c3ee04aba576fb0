/**
 * Files by path inside FAT12, FAT16 and FAT32. Names compare case-insensitively, as Windows
 * compares them, against the long name and the 8.3 alias alike; "." and ".." are taken from
 * the path itself, since FAT has no links to follow.
 */
import { FerryError } from '../../shared/errors.js';
import {
  FAT_BOOT_SIZE,
  fatError,
  parseFatBoot,
  type FatGeometry,
} from '../filesystems/fat-boot.js';
import { readInside } from '../filesystems/read-inside.js';
import type { DetectedFilesystem } from '../filesystems/types.js';
import type { BlockSource } from '../io/source.js';
import { FatChains } from './fat-chain.js';
import { parseDirectory, type FatDirent } from './fat-dirents.js';
import { DEFAULT_MAX_FILE_BYTES, type FileTree } from './types.js';

const DIR_ENTRY_SIZE = 32;

/** What a path names: the root directory, or an entry of some directory. */
type Found = { root: true } | { root: false; entry: FatDirent };

export async function openFatTree(
  volume: BlockSource,
  _filesystem: DetectedFilesystem,
): Promise<FileTree> {
  const where = `${volume.path}: FAT boot sector`;
  const geometry =
    volume.size >= FAT_BOOT_SIZE ? parseFatBoot(await volume.read(0, FAT_BOOT_SIZE), where) : null;
  if (!geometry) {
    throw new FerryError('BAD_FILESYSTEM', 'the FAT boot sector is gone', {
      where,
      hint: 'the volume changed while it was read; inspect it again',
    });
  }
  return new FatTree(volume, geometry);
}

class FatTree implements FileTree {
  private readonly chains: FatChains;

  constructor(
    private readonly volume: BlockSource,
    private readonly geometry: FatGeometry,
  ) {
    this.chains = new FatChains(volume, geometry);
  }

  async readFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<Buffer | null> {
    const file = await this.regularFile(path);
    if (!file) return null;
    if (file.size > maxBytes) {
      throw new FerryError(
        'UNSUPPORTED',
        `the file holds ${file.size} bytes, more than the ${maxBytes} Ferry reads`,
        {
          where: `${this.volume.path}: FAT ${path}`,
          hint: 'Ferry reads only small system files to identify a disk; this one is not',
        },
      );
    }
    return this.content(file, file.size, path);
  }

  async readHead(path: string, length: number): Promise<Buffer | null> {
    const file = await this.regularFile(path);
    return file && this.content(file, Math.min(length, file.size), path);
  }

  async list(path: string): Promise<string[] | null> {
    const found = await this.resolve(path);
    if (!found) return null;
    if (found.root) return (await this.rootEntries()).map((entry) => entry.name);
    if (!found.entry.directory) return null;
    return (await this.entriesOf(found.entry, path)).map((entry) => entry.name);
  }

  private async regularFile(path: string): Promise<FatDirent | null> {
    const found = await this.resolve(path);
    return !found || found.root || found.entry.directory ? null : found.entry;
  }

  /** The first `length` bytes of a file, following its chain only as far as they reach. */
  private async content(file: FatDirent, length: number, path: string): Promise<Buffer> {
    const count = Math.ceil(length / this.geometry.clusterSize);
    const clusters = await this.chains.fileClusters(file.firstCluster, count, path);
    return this.chains.read(clusters, length, path);
  }

  private async resolve(path: string): Promise<Found | null> {
    let found: Found = { root: true };
    let walked = '';
    for (const name of components(path)) {
      if (!found.root && !found.entry.directory) return null;
      const entries: FatDirent[] = found.root
        ? await this.rootEntries()
        : await this.entriesOf(found.entry, walked);
      walked += `/${name}`;
      const wanted = foldCase(name);
      const entry = entries.find(
        (candidate) =>
          foldCase(candidate.name) === wanted || foldCase(candidate.shortName) === wanted,
      );
      if (!entry) return null;
      found = { root: false, entry };
    }
    return found;
  }

  private async rootEntries(): Promise<FatDirent[]> {
    const { type, rootStart, rootEntries, rootCluster } = this.geometry;
    if (type === 'fat32') return this.directoryAt(rootCluster, 'root directory');
    const bytes = await readInside(this.volume, rootStart, rootEntries * DIR_ENTRY_SIZE, () =>
      fatError(
        'the root directory lies beyond the end of the volume',
        `${this.volume.path}: FAT root directory`,
      ),
    );
    return parseDirectory(bytes, false);
  }

  private entriesOf(directory: FatDirent, path: string): Promise<FatDirent[]> {
    return this.directoryAt(directory.firstCluster, `directory ${path}`);
  }

  private async directoryAt(firstCluster: number, what: string): Promise<FatDirent[]> {
    const clusters = await this.chains.directoryClusters(firstCluster, what);
    const bytes = await this.chains.read(
      clusters,
      clusters.length * this.geometry.clusterSize,
      what,
    );
    return parseDirectory(bytes, this.geometry.type === 'fat32');
  }
}

/** The components of a path with "." dropped and ".." taking the one before it away. */
function components(path: string): string[] {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return parts;
}

/**
 * Upper case one character at a time, as Windows' up-case table maps them; a character whose
 * upper case is longer ("ß" to "SS") stays itself, as it does there.
 */
function foldCase(name: string): string {
  let folded = '';
  for (const char of name) {
    const upper = char.toUpperCase();
    folded += upper.length === char.length ? upper : char;
  }
  return folded;
}
