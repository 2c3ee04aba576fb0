/**
 * FAT12/16/32, resized by Ferry itself. fatresize (libparted) was tried: on a partition image it
 * aborts on a libparted assertion, and inside a partitioned image it reports a minimum above the
 * current size and refuses both growing and shrinking. The native resize keeps every cluster's
 * number, so no chain or directory entry changes: the copy gets the new BPB, and when the FATs
 * must map more clusters they grow and the data area is copied further on, whole.
 * Clusters are not relocated: a shrink that would cut off a cluster in use is refused with the
 * size that keeps it.
 */
import { formatSize } from '../../shared/units.js';
import {
  fatError,
  parseFatBoot,
  FAT_BOOT_SIZE,
  type FatGeometry,
} from '../filesystems/fat-boot.js';
import { BAD_CLUSTER, forEachFatEntry } from '../filesystems/fat-table.js';
import type { BlockSource } from '../io/source.js';
import {
  CLUSTER_LIMITS,
  fatLayout,
  fatMinimumSize,
  typeMinimum,
  type FatLayout,
} from './resize-fat-layout.js';
import { clearFatEntriesFrom, patchBootSectors } from './resize-fat-patch.js';
import { refuseBelowMinimum, roundUpToMib } from './resize-refusal.js';
import type { FilesystemResizer, ResizeInput, ResizeOutcome } from './resize-types.js';
import { TemporaryCopy, type Placement } from './temporary-copy.js';

/** The smallest clusters any FAT has: the type's minimum count times these is a floor. */
const SMALLEST_CLUSTER = 512;

export const fatResizer: FilesystemResizer = {
  name: 'native',
  tool: null,

  occupiedBytes: (filesystem, volume) => filesystem.size ?? volume.size,

  estimateMinimum: (filesystem, usedBytes) => {
    const type =
      filesystem.type === 'fat12' || filesystem.type === 'fat16' ? filesystem.type : 'fat32';
    return roundUpToMib(Math.max(usedBytes, CLUSTER_LIMITS[type].min * SMALLEST_CLUSTER));
  },

  async measureMinimum(volume: BlockSource): Promise<number> {
    const geometry = await readGeometry(volume);
    const { highestUsed } = await scanFat(volume, geometry, geometry.clusterCount);
    return fatMinimumSize(geometry, highestUsed);
  },

  async resize(input: ResizeInput): Promise<ResizeOutcome> {
    const { volume, newSize } = input;
    const where = volume.path;
    const geometry = await readGeometry(volume);
    const layout = fatLayout(geometry, newSize);
    const kept = Math.min(geometry.clusterCount, layout?.clusterCount ?? geometry.clusterCount);
    const scan = await scanFat(volume, geometry, kept);
    if (!layout || scan.highestUsed > layout.clusterCount + 1) {
      const fewest = typeMinimum(geometry);
      refuseBelowMinimum({
        where,
        what: `its ${geometry.type} filesystem`,
        newSize,
        minimum: fatMinimumSize(geometry, scan.highestUsed),
        source:
          scan.highestUsed - 1 > fewest
            ? `cluster ${scan.highestUsed} in use, and Ferry does not move clusters`
            : `a ${geometry.type} filesystem keeps at least ${fewest} clusters`,
      });
    }
    const copy = await TemporaryCopy.use(
      { ...input, size: newSize, placements: placements(geometry, layout, kept) },
      async (copy) => {
        await clearFatEntriesFrom(copy, geometry, layout, kept + 2);
        await patchBootSectors(copy, geometry, layout, layout.clusterCount - scan.nonFree);
        return copy;
      },
    );
    const warnings = layout.capped
      ? [
          `${where}: a ${geometry.type} filesystem holds at most ${CLUSTER_LIMITS[geometry.type].max} clusters of ${formatSize(geometry.clusterSize)}, so it grows to ${formatSize(layout.filesystemSize)} and the rest of the partition stays unused`,
        ]
      : [];
    return { copy, filesystemSize: layout.filesystemSize, warnings };
  },
};

async function readGeometry(volume: BlockSource): Promise<FatGeometry> {
  const where = `${volume.path}: FAT boot sector`;
  const geometry =
    volume.size >= FAT_BOOT_SIZE ? parseFatBoot(await volume.read(0, FAT_BOOT_SIZE), where) : null;
  if (!geometry) throw fatError('the FAT boot sector is gone', where);
  if (geometry.dataStart > volume.size) {
    throw fatError('the FATs and root directory run past the end of the volume', where);
  }
  return geometry;
}

interface FatScan {
  /** The highest cluster holding data (1 when none does). */
  highestUsed: number;
  /** Clusters up to `kept` + 1 that are not free (bad ones included). */
  nonFree: number;
}

async function scanFat(volume: BlockSource, geometry: FatGeometry, kept: number): Promise<FatScan> {
  const bad = BAD_CLUSTER[geometry.type];
  let highestUsed = 1;
  let nonFree = 0;
  await forEachFatEntry(volume, geometry, (cluster, value) => {
    if (value === 0) return;
    if (value !== bad) highestUsed = cluster;
    if (cluster <= kept + 1) nonFree++;
  });
  return { highestUsed, nonFree };
}

/**
 * Reserved sectors stay put; each FAT keeps its place in the row of FATs, the FAT12/16 root
 * directory follows them, and the kept clusters follow it.
 */
function placements(geometry: FatGeometry, layout: FatLayout, kept: number): Placement[] {
  const newFatBytes = layout.sectorsPerFat * geometry.bytesPerSector;
  const fatsEnd = geometry.fatStart + geometry.fatCount * geometry.fatSize;
  const result: Placement[] = [{ start: 0, length: geometry.fatStart, to: 0 }];
  for (let fat = 0; fat < geometry.fatCount; fat++) {
    result.push({
      start: geometry.fatStart + fat * geometry.fatSize,
      length: Math.min(geometry.fatSize, newFatBytes),
      to: layout.fatStart + fat * newFatBytes,
    });
  }
  const newFatsEnd = layout.fatStart + geometry.fatCount * newFatBytes;
  result.push({ start: fatsEnd, length: geometry.dataStart - fatsEnd, to: newFatsEnd });
  result.push({
    start: geometry.dataStart,
    length: kept * geometry.clusterSize,
    to: layout.dataStart,
  });
  return result;
}
