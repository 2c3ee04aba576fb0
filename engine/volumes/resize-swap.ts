/**
 * Linux swap through util-linux's mkswap. What a swap area holds is memory paged out by a system
 * that is no longer running, so a swap area of the new size is made afresh, with the UUID and
 * label fstab and `resume=` name it by, and the page size it had. A hibernated system's image
 * carries another signature, is not detected as swap, and is never resized.
 */
import { runResizeTool } from './resize-tool.js';
import type { FilesystemResizer, ResizeInput, ResizeOutcome } from './resize-types.js';
import { TemporaryCopy } from './temporary-copy.js';

const MIB = 1024 * 1024;
/** The header page, as the swap driver reports it used; 4 KiB where nothing says otherwise. */
const DEFAULT_PAGE_SIZE = 4096;

export const swapResizer: FilesystemResizer = {
  name: 'mkswap',
  tool: { program: 'mkswap', packageName: 'util-linux' },

  occupiedBytes: (filesystem, volume) => filesystem.size ?? volume.size,

  // mkswap needs ten pages; partitions come in whole MiB.
  estimateMinimum: () => MIB,

  async resize(input: ResizeInput): Promise<ResizeOutcome> {
    const pageSize = input.used[0]?.length ?? DEFAULT_PAGE_SIZE;
    const { label, uuid } = input.filesystem;
    // Nothing of the old area is copied: the new one is a header page and zeros.
    return TemporaryCopy.use({ ...input, used: [], size: input.newSize }, async (copy) => {
      await runResizeTool({
        name: 'mkswap',
        args: [
          '--pagesize',
          String(pageSize),
          ...(uuid ? ['--uuid', uuid] : []),
          ...(label ? ['--label', label] : []),
          copy.path,
        ],
        packageName: 'util-linux',
        where: input.volume.path,
        signal: input.signal,
      });
      return {
        copy,
        filesystemSize: Math.floor(input.newSize / pageSize) * pageSize,
        warnings: [],
      };
    });
  },
};
