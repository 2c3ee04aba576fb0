/**
 * ext2, ext3 and ext4: recognised by the superblock at byte 1024, mapped by the block bitmaps
 * of their block groups.
 */
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { normalizeRanges, RangeBuilder, type ByteRange } from '../ranges.js';
import { ClusterRuns } from './cluster-runs.js';
import type { FilesystemDriver } from './driver.js';
import {
  groupBaseMetadata,
  groupBlockCount,
  groupDescriptorWindows,
  groupFirstBlock,
  type GroupWindow,
} from './ext-groups.js';
import { extGeometry, identifyExt, readExtSuperblock, type ExtGeometry } from './ext-superblock.js';

const MAX_BITMAP_READ = 1 << 20;
/** Bitmap reads kept in flight while earlier ones are scanned. */
const READ_AHEAD = 4;

export const extDriver: FilesystemDriver = {
  async probe(volume) {
    const superblock = await readExtSuperblock(volume);
    return superblock && identifyExt(superblock, `${volume.path}: ext superblock`);
  },

  async usedRanges(volume) {
    const where = `${volume.path}: ext superblock`;
    const superblock = await readExtSuperblock(volume);
    if (!superblock) {
      throw new FerryError('BAD_FILESYSTEM', 'the ext superblock is gone', {
        where,
        hint: 'the volume changed while it was read; inspect it again',
      });
    }
    const geometry = extGeometry(superblock, volume.size, where);
    const metadata = new GroupMetadata(geometry);
    // The boot block and the primary superblock, which no bitmap covers with 1 KiB blocks.
    metadata.add(0, geometry.firstDataBlock + 1);
    if (geometry.mmpBlock !== null) metadata.add(geometry.mmpBlock, 1);
    const allocated = new RangeBuilder();
    for await (const window of groupDescriptorWindows(volume, geometry)) {
      for (let i = 0; i < window.count; i++) {
        metadata.add(window.blockBitmap[i]!, 1);
        metadata.add(window.inodeBitmap[i]!, 1);
        metadata.add(window.inodeTable[i]!, geometry.inodeTableBlocks);
      }
      await markAllocated(volume, geometry, window, allocated);
    }
    const ranges = normalizeRanges([...allocated.build(), ...metadata.ranges]);
    return clipTo(ranges, geometry.blocksCount * geometry.blockSize);
  },
};

/**
 * Every group's bitmaps and inode table, wherever its descriptor places them (with flex_bg, in
 * another group, whose bitmap may never have been written). Consecutive groups usually place
 * them next to each other, so touching extents merge as they arrive.
 */
class GroupMetadata {
  readonly ranges: ByteRange[] = [];

  constructor(private readonly geometry: ExtGeometry) {}

  add(block: number, blocks: number): void {
    const { start, length } = clusterSpan(this.geometry, block, blocks);
    const last = this.ranges[this.ranges.length - 1];
    if (last && start >= last.start && start <= last.start + last.length) {
      last.length = Math.max(last.length, start + length - last.start);
    } else {
      this.ranges.push({ start, length });
    }
  }
}

/** The bytes of whole clusters (blocks, without bigalloc) holding `blocks` blocks from `block`. */
function clusterSpan(geometry: ExtGeometry, block: number, blocks: number): ByteRange {
  const { blockSize, clusterSize } = geometry;
  const start = Math.floor((block * blockSize) / clusterSize) * clusterSize;
  const end = Math.ceil(((block + blocks) * blockSize) / clusterSize) * clusterSize;
  return { start, length: blocks > 0 ? end - start : 0 };
}

/** Consecutive groups whose bitmap blocks are read together; no read for a lone BLOCK_UNINIT. */
interface Step {
  group: number;
  count: number;
  data: Promise<Buffer> | null;
}

/**
 * Adds the allocated clusters of the window's groups, in group order: from the block bitmaps,
 * or for a BLOCK_UNINIT group from the fixed layout at its start.
 */
async function markAllocated(
  volume: BlockSource,
  geometry: ExtGeometry,
  window: GroupWindow,
  allocated: RangeBuilder,
): Promise<void> {
  const finish = async (step: Step): Promise<void> => {
    const data = step.data && (await step.data);
    for (let k = 0; k < step.count; k++) {
      const group = step.group + k;
      if (data && !window.blockUninit[group - window.firstGroup]) {
        markFromBitmap(geometry, group, data, k * geometry.blockSize, allocated);
      } else {
        const { start, count } = groupBaseMetadata(geometry, group);
        const span = clusterSpan(geometry, start, count);
        allocated.add(span.start, span.length);
      }
    }
  };
  const pending: Step[] = [];
  for (const step of planBitmapReads(volume, geometry, window)) {
    pending.push(step);
    if (pending.length >= READ_AHEAD) await finish(pending.shift()!);
  }
  for (const step of pending) await finish(step);
}

/**
 * Groups the bitmap reads: with flex_bg the bitmaps of a flex group lie side by side, so one read
 * takes them all, BLOCK_UNINIT groups between written ones included (a few spare blocks cost
 * less than another read).
 */
function* planBitmapReads(
  volume: BlockSource,
  geometry: ExtGeometry,
  window: GroupWindow,
): Generator<Step> {
  const { blockSize } = geometry;
  const maxBlocks = Math.max(1, Math.floor(MAX_BITMAP_READ / blockSize));
  const { blockBitmap, blockUninit } = window;
  let i = 0;
  while (i < window.count) {
    if (blockUninit[i]) {
      yield { group: window.firstGroup + i, count: 1, data: null };
      i++;
      continue;
    }
    const first = blockBitmap[i]!;
    let end = i + 1;
    for (let j = i + 1; j < window.count && j - i < maxBlocks; j++) {
      if (blockBitmap[j] !== first + (j - i)) break;
      if (!blockUninit[j]) end = j + 1;
    }
    const data = volume.read(first * blockSize, (end - i) * blockSize);
    // Awaited in order later; a failure must not surface first as an unhandled rejection.
    data.catch(() => {});
    yield { group: window.firstGroup + i, count: end - i, data };
    i = end;
  }
}

function markFromBitmap(
  geometry: ExtGeometry,
  group: number,
  data: Buffer,
  offset: number,
  allocated: RangeBuilder,
): void {
  const { blockSize, clusterSize } = geometry;
  const clusters = Math.ceil((groupBlockCount(geometry, group) * blockSize) / clusterSize);
  const runs = new ClusterRuns(
    allocated,
    groupFirstBlock(geometry, group) * blockSize,
    clusterSize,
  );
  runs.pushBits(data.subarray(offset, offset + blockSize), clusters);
  runs.finish();
}

/** Cuts off what a partial last cluster (bigalloc) reaches beyond the filesystem's end. */
function clipTo(ranges: ByteRange[], end: number): ByteRange[] {
  while (ranges.length > 0) {
    const last = ranges[ranges.length - 1]!;
    if (last.start + last.length <= end) break;
    if (last.start < end) {
      last.length = end - last.start;
      break;
    }
    ranges.pop();
  }
  return ranges;
}
