/**
 * A partition whose size changes while its filesystem keeps its own: grown where no tool can
 * follow, or shrunk no further than the filesystem's end. No copy is made; the source's bytes are
 * seen through a window of the new size, zeros past the old end.
 */
import type { FilesystemType } from '../../shared/layout.js';
import { formatSize } from '../../shared/units.js';
import { checkReadRange } from '../io/file-source.js';
import { sliceSource } from '../io/slice.js';
import type { BlockSource } from '../io/source.js';
import type { ByteRange } from '../ranges.js';
import type { ResizedFilesystem, ResizeInput } from './resize-types.js';

/** How the guest extends each filesystem into a larger partition. */
const GUEST_EXTEND: Partial<Record<FilesystemType, string>> = {
  ext2: 'run `resize2fs` on the partition',
  ext3: 'run `resize2fs` on the partition',
  ext4: 'run `resize2fs` on the partition',
  ntfs: 'use Disk Management > Extend Volume (or `diskpart` > `extend`)',
  xfs: 'run `xfs_growfs` on its mount point',
  btrfs: 'run `btrfs filesystem resize max` on its mount point',
  lvm2: 'run `pvresize` on the partition, then extend the logical volumes',
  luks: 'run `cryptsetup resize` on the opened volume, then grow what it holds',
  swap: 'run `swapoff`, `mkswap -U <its UUID>` and `swapon` on the partition',
};

/** The warning for a partition larger than its filesystem, which stays as it is. */
export function growWarning(input: ResizeInput, filesystemSize: number, why: string): string {
  const { type } = input.filesystem;
  const extend = GUEST_EXTEND[type] ?? 'use its own tools';
  return `${input.volume.path}: ${why}, so its ${type} filesystem keeps its ${formatSize(filesystemSize)} in the ${formatSize(input.newSize)} partition; to use the rest, inside the guest ${extend}`;
}

export function unchangedFilesystem(
  input: ResizeInput,
  filesystemSize: number,
  warnings: string[],
): ResizedFilesystem {
  return {
    volume: resizedWindow(input.volume, input.newSize),
    used: clipRanges(input.used, input.newSize),
    filesystemSize,
    tempBytes: 0,
    warnings,
    dispose: async () => {},
  };
}

/** The volume's first `size` bytes, or all of them followed by zeros up to `size`. */
function resizedWindow(volume: BlockSource, size: number): BlockSource {
  if (size <= volume.size) return sliceSource(volume, 0, size, volume.path);
  return {
    path: volume.path,
    format: volume.format,
    size,
    sectorSize: volume.sectorSize,
    async read(offset: number, length: number): Promise<Buffer> {
      checkReadRange(offset, length, size, volume.path);
      const inside = Math.max(0, Math.min(length, volume.size - offset));
      const data = Buffer.alloc(length);
      if (inside > 0) (await volume.read(offset, inside)).copy(data);
      return data;
    },
    async close(): Promise<void> {
      // The source belongs to the caller.
    },
  };
}

function clipRanges(ranges: readonly ByteRange[], size: number): ByteRange[] {
  return ranges
    .filter((range) => range.start < size)
    .map((range) => ({
      start: range.start,
      length: Math.min(range.length, size - range.start),
    }));
}
