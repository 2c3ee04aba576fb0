import type { DetectedFilesystem } from '../filesystems/types.js';
import type { BlockSource } from '../io/source.js';
import { openExtTree } from './ext-tree.js';
import { openFatTree } from './fat-tree.js';
import { openNtfsTree } from './ntfs-tree.js';
import type { FileTree } from './types.js';

/** The filesystems whose files Ferry can read by path, and how each is opened. */
const OPENERS: Partial<
  Record<
    DetectedFilesystem['type'],
    (volume: BlockSource, filesystem: DetectedFilesystem) => Promise<FileTree>
  >
> = {
  ext2: openExtTree,
  ext3: openExtTree,
  ext4: openExtTree,
  fat12: openFatTree,
  fat16: openFatTree,
  fat32: openFatTree,
  ntfs: openNtfsTree,
};

/** Opens the files of `volume` for reading, or null when Ferry cannot read that filesystem's files. */
export async function openFileTree(
  volume: BlockSource,
  filesystem: DetectedFilesystem,
): Promise<FileTree | null> {
  const open = OPENERS[filesystem.type];
  return open ? open(volume, filesystem) : null;
}
