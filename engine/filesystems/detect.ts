import { FerryError } from '../../shared/errors.js';
import type { FilesystemReport } from '../../shared/layout.js';
import type { BlockSource } from '../io/source.js';
import { totalLength, type ByteRange } from '../ranges.js';
import { apfsDriver } from './apfs.js';
import { btrfsDriver } from './btrfs.js';
import type { FilesystemDriver } from './driver.js';
import { exfatDriver } from './exfat.js';
import { extDriver } from './ext.js';
import { fatDriver } from './fat.js';
import { hfsplusDriver } from './hfsplus.js';
import { iso9660Driver } from './iso9660.js';
import { luksDriver } from './luks.js';
import { lvm2Driver } from './lvm2.js';
import { ntfsDriver } from './ntfs.js';
import { swapDriver } from './swap.js';
import { xfsDriver } from './xfs.js';
import type { DetectedFilesystem } from './types.js';

/**
 * Probe order matters where signatures can coexist: containers (LUKS, LVM) first, since what
 * they wrap is not readable as a filesystem; NTFS and exFAT before FAT, whose looser boot-sector
 * check they would also pass; swap last, as its signature sits at the end of the first page where
 * a stale one survives many mkfs runs.
 */
const DRIVERS: readonly FilesystemDriver[] = [
  luksDriver,
  lvm2Driver,
  ntfsDriver,
  exfatDriver,
  fatDriver,
  extDriver,
  xfsDriver,
  btrfsDriver,
  hfsplusDriver,
  apfsDriver,
  iso9660Driver,
  swapDriver,
];

export interface Detection {
  filesystem: DetectedFilesystem;
  driver: FilesystemDriver;
}

/** Finds the filesystem on a volume, or null when no known signature is there. */
export async function detectFilesystem(volume: BlockSource): Promise<Detection | null> {
  for (const driver of DRIVERS) {
    const filesystem = await driver.probe(volume);
    if (filesystem) return { filesystem, driver };
  }
  return null;
}

export interface DescribedFilesystem {
  report: FilesystemReport;
  /** Bytes in use relative to the volume's start, or null where Ferry cannot map them. */
  used: ByteRange[] | null;
}

/**
 * Detects a volume's filesystem and, where Ferry can map it, which bytes it uses.
 * A damaged filesystem is reported through `warn` and as unknown usage rather than failing the
 * whole disk: the rest of it is still worth reading, and an unmapped volume is copied whole.
 */
export async function describeFilesystem(
  volume: BlockSource,
  warn: (message: string) => void,
): Promise<DescribedFilesystem | null> {
  let detection: Detection | null;
  try {
    detection = await detectFilesystem(volume);
  } catch (error) {
    if (error instanceof FerryError && error.code === 'BAD_FILESYSTEM') {
      warn(error.toLine());
      return null;
    }
    throw error;
  }
  if (!detection) return null;
  const { filesystem, driver } = detection;
  let used: ByteRange[] | null = null;
  if (driver.usedRanges) {
    try {
      used = await driver.usedRanges(volume, filesystem);
    } catch (error) {
      if (!(error instanceof FerryError && error.code === 'BAD_FILESYSTEM')) throw error;
      warn(error.toLine());
    }
  }
  return { report: { ...filesystem, usedBytes: used && totalLength(used) }, used };
}
