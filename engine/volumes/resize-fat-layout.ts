/**
 * The arithmetic of a FAT volume at a new size: how many clusters it gets, whether its FATs still
 * map them all or must grow, and the smallest size its data still fits. Cluster numbers never
 * change, so no directory entry or chain is rewritten: the data area only moves when the FATs
 * before it grow, and then it moves whole.
 */
import type { FatGeometry, FatType } from '../filesystems/fat-boot.js';

/**
 * The cluster counts each type must keep: its FAT entries are read by the count (FAT12 below
 * 4085, FAT16 below 65525), and Windows and mtools take a FAT32 BPB with fewer than 65525 clusters
 * for damage.
 */
export const CLUSTER_LIMITS: Record<FatType, { min: number; max: number }> = {
  fat12: { min: 1, max: 4084 },
  fat16: { min: 4085, max: 65524 },
  fat32: { min: 65525, max: 0x0ffffff5 },
};

export interface FatLayout {
  /** For the BPB. */
  totalSectors: number;
  sectorsPerFat: number;
  clusterCount: number;
  /** Byte offsets of the first FAT (unchanged), the FAT12/16 root directory and cluster 2. */
  fatStart: number;
  rootStart: number;
  dataStart: number;
  /** Bytes: the filesystem's own size, which the type's cluster limit may keep below the partition's. */
  filesystemSize: number;
  /** The type's cluster limit kept the filesystem below `newSize`. */
  capped: boolean;
}

/** The old volume's layout in sectors, which a new size keeps except for the FAT size. */
interface Frame {
  bytesPerSector: number;
  sectorsPerCluster: number;
  reservedSectors: number;
  fatCount: number;
  rootSectors: number;
  sectorsPerFat: number;
  entryBits: number;
  limits: { min: number; max: number };
}

function frameOf(geometry: FatGeometry): Frame {
  const bps = geometry.bytesPerSector;
  const fatsEnd = geometry.fatStart + geometry.fatCount * geometry.fatSize;
  return {
    bytesPerSector: bps,
    sectorsPerCluster: geometry.clusterSize / bps,
    reservedSectors: geometry.fatStart / bps,
    fatCount: geometry.fatCount,
    rootSectors: (geometry.dataStart - fatsEnd) / bps,
    sectorsPerFat: geometry.fatSize / bps,
    entryBits: geometry.type === 'fat12' ? 12 : geometry.type === 'fat16' ? 16 : 32,
    limits: { min: typeMinimum(geometry), max: CLUSTER_LIMITS[geometry.type].max },
  };
}

/**
 * The fewest clusters the volume may keep: its type's minimum, or what it has when a tool made it
 * with fewer (mkfs.fat makes small FAT32 volumes when asked, and Linux reads them).
 */
export function typeMinimum(geometry: FatGeometry): number {
  return Math.min(CLUSTER_LIMITS[geometry.type].min, geometry.clusterCount);
}

/**
 * The layout of the volume in a partition of `newSize` bytes. The FATs keep their size when it
 * maps every cluster (always so when shrinking, so nothing but the BPB changes); otherwise they
 * grow by a multiple that keeps the data area's alignment to clusters. Returns null when fewer
 * clusters fit than the type allows.
 */
export function fatLayout(geometry: FatGeometry, newSize: number): FatLayout | null {
  const frame = frameOf(geometry);
  const total = Math.floor(newSize / frame.bytesPerSector);
  const clustersWith = (fatSectors: number): number =>
    Math.min(clustersFitting(frame, total, fatSectors), frame.limits.max);
  const maps = (fatSectors: number): boolean =>
    fatSectorsFor(frame, clustersWith(fatSectors)) <= fatSectors;

  let sectorsPerFat = frame.sectorsPerFat;
  if (!maps(sectorsPerFat)) {
    // Larger FATs leave fewer clusters, so the sizes that map them all are those above one bound.
    let low = sectorsPerFat;
    let high = Math.max(low + 1, fatSectorsFor(frame, clustersWith(0)));
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (maps(middle)) high = middle;
      else low = middle;
    }
    const step = frame.sectorsPerCluster / gcd(frame.fatCount, frame.sectorsPerCluster);
    sectorsPerFat += Math.ceil((high - sectorsPerFat) / step) * step;
  }
  const fitting = clustersFitting(frame, total, sectorsPerFat);
  const clusterCount = Math.min(fitting, frame.limits.max);
  if (clusterCount < frame.limits.min) return null;

  const dataSector = metadataSectors(frame, sectorsPerFat);
  const capped = fitting > clusterCount;
  const totalSectors = capped ? dataSector + clusterCount * frame.sectorsPerCluster : total;
  const bps = frame.bytesPerSector;
  return {
    totalSectors,
    sectorsPerFat,
    clusterCount,
    fatStart: geometry.fatStart,
    rootStart: geometry.type === 'fat32' ? 0 : (dataSector - frame.rootSectors) * bps,
    dataStart: dataSector * bps,
    filesystemSize: totalSectors * bps,
    capped,
  };
}

/**
 * The smallest partition the volume shrinks into with its FATs kept: every cluster up to the
 * highest one in use, and at least as many as its type needs.
 */
export function fatMinimumSize(geometry: FatGeometry, highestUsedCluster: number): number {
  const clusters = Math.max(highestUsedCluster - 1, typeMinimum(geometry));
  return geometry.dataStart + clusters * geometry.clusterSize;
}

function metadataSectors(frame: Frame, sectorsPerFat: number): number {
  return frame.reservedSectors + frame.fatCount * sectorsPerFat + frame.rootSectors;
}

function clustersFitting(frame: Frame, totalSectors: number, sectorsPerFat: number): number {
  const dataSectors = totalSectors - metadataSectors(frame, sectorsPerFat);
  return Math.max(0, Math.floor(dataSectors / frame.sectorsPerCluster));
}

/** Sectors of one FAT mapping `clusters` clusters plus the two reserved entries. */
function fatSectorsFor(frame: Frame, clusters: number): number {
  return Math.ceil(Math.ceil(((clusters + 2) * frame.entryBits) / 8) / frame.bytesPerSector);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
