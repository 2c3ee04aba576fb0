/**
 * ext2/3/4 through e2fsprogs: e2fsck makes the copy clean (resize2fs refuses anything else, and a
 * disk read while mounted has a journal to replay), `resize2fs -P` says how small it can get, and
 * resize2fs does the work.
 */
import { FerryError } from '../../shared/errors.js';
import { identifyExt, readExtSuperblock } from '../filesystems/ext-superblock.js';
import type { BlockSource } from '../io/source.js';
import { refuseBelowMinimum, roundUpToMib } from './resize-refusal.js';
import { runResizeTool } from './resize-tool.js';
import type { FilesystemResizer, ResizeInput, ResizeOutcome } from './resize-types.js';
import { TemporaryCopy } from './temporary-copy.js';

const E2FSPROGS = 'e2fsprogs';
/** e2fsck: 1 errors corrected, 2 corrected and the system should reboot (a mounted root). */
const E2FSCK_CORRECTED = [1, 2];
/**
 * `resize2fs -P` adds room for the inode tables and flex_bg metadata of the groups it keeps and
 * a safety margin: 15% above the used blocks on a 40 GiB filesystem with 10 GiB used, 14% on the
 * small ones of resize-filesystem.test.ts. A fifth more (and 8 MiB) keeps the estimate above it.
 */
const ESTIMATE_MARGIN = 1 / 5;
const ESTIMATE_SLACK = 8 * 1024 * 1024;

export const extResizer: FilesystemResizer = {
  name: 'resize2fs',
  tool: { program: 'resize2fs', packageName: E2FSPROGS },

  occupiedBytes: (filesystem, volume) => filesystem.size ?? volume.size,

  estimateMinimum: (_filesystem, usedBytes) =>
    roundUpToMib(usedBytes * (1 + ESTIMATE_MARGIN) + ESTIMATE_SLACK),

  async resize(input: ResizeInput): Promise<ResizeOutcome> {
    const where = input.volume.path;
    return TemporaryCopy.use(
      {
        ...input,
        size: Math.max(input.volume.size, input.newSize),
      },
      async (copy) => {
        const warnings = await check(copy, input);
        const before = await copy.withView((view) => extBlocks(view, where));
        const newBlocks = Math.floor(input.newSize / before.blockSize);
        if (newBlocks < before.blocksCount) {
          const minimumBlocks = await minimumBlocksOf(copy, input);
          if (newBlocks < minimumBlocks) {
            refuseBelowMinimum({
              where,
              what: `its ${input.filesystem.type} filesystem`,
              newSize: input.newSize,
              minimum: minimumBlocks * before.blockSize,
              source: 'resize2fs -P',
            });
          }
        }
        if (newBlocks !== before.blocksCount) {
          await runResizeTool({
            name: 'resize2fs',
            args: [copy.path, String(newBlocks)],
            packageName: E2FSPROGS,
            where,
            signal: input.signal,
          });
        }
        await copy.truncate(input.newSize);
        const after = await copy.withView((view) => extBlocks(view, where));
        return { copy, filesystemSize: after.blocksCount * after.blockSize, warnings };
      },
    );
  },
};

/** e2fsck -f -y on the copy; what it had to correct is reported, as the source still has it. */
async function check(copy: TemporaryCopy, input: ResizeInput): Promise<string[]> {
  const output = await runResizeTool({
    name: 'e2fsck',
    args: ['-f', '-y', copy.path],
    packageName: E2FSPROGS,
    where: input.volume.path,
    accepts: [0, ...E2FSCK_CORRECTED],
    signal: input.signal,
  });
  if (!E2FSCK_CORRECTED.includes(output.exitCode)) return [];
  return [
    `${input.volume.path}: e2fsck corrected the ${input.filesystem.type} filesystem before resizing it (a journal replayed, or errors fixed); the source was left as it is`,
  ];
}

async function minimumBlocksOf(copy: TemporaryCopy, input: ResizeInput): Promise<number> {
  const output = await runResizeTool({
    name: 'resize2fs',
    args: ['-P', copy.path],
    packageName: E2FSPROGS,
    where: input.volume.path,
    signal: input.signal,
  });
  const match = /minimum size of the filesystem:\s*(\d+)/i.exec(output.stdout);
  const blocks = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(blocks) || blocks <= 0) {
    throw new FerryError('TOOL_OUTPUT', 'resize2fs -P did not print a minimum size', {
      where: input.volume.path,
      hint: `check that ${E2FSPROGS} is installed properly, or keep the partition's size`,
    });
  }
  return blocks;
}

async function extBlocks(
  view: BlockSource,
  where: string,
): Promise<{ blockSize: number; blocksCount: number }> {
  const superblock = await readExtSuperblock(view);
  const identity = superblock && identifyExt(superblock, where);
  if (!superblock || !identity?.size) {
    throw new FerryError('TOOL_OUTPUT', 'the resized copy no longer holds an ext filesystem', {
      where,
      hint: "the source is untouched; check it with e2fsck -fn, or keep the partition's size",
    });
  }
  const blockSize = 1024 << superblock.readUInt32LE(0x18);
  return { blockSize, blocksCount: identity.size / blockSize };
}
