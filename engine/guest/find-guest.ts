import { isFerryError } from '../../shared/errors.js';
import type { InspectReport } from '../../shared/layout.js';
import { openFileTree } from '../files/open-file-tree.js';
import { sliceSource } from '../io/slice.js';
import type { BlockSource } from '../io/source.js';
import { detectGuest, type GuestDetection, type GuestFilesystem } from './detect-guest.js';

/**
 * Looks for an installed system in every filesystem of the disk `report` describes whose files
 * Ferry can read (ext, FAT, NTFS). A filesystem whose files cannot be opened is passed over with
 * a warning: what the guest is helps with defaults and never stops a conversion.
 */
export async function findGuest(
  source: BlockSource,
  report: Pick<InspectReport, 'table' | 'filesystem'>,
): Promise<GuestDetection> {
  const warnings: string[] = [];
  const filesystems: GuestFilesystem[] = [];
  const open = async (volume: BlockSource, partition: number | null): Promise<void> => {
    const filesystem = partition === null ? report.filesystem : partitionFilesystem(partition);
    if (!filesystem) return;
    try {
      const tree = await openFileTree(volume, filesystem);
      if (tree) filesystems.push({ partition, tree });
    } catch (error) {
      if (!isFerryError(error)) throw error;
      warnings.push(`${partition === null ? 'disk' : `partition ${partition}`}: ${error.toLine()}`);
    }
  };
  const partitionFilesystem = (number: number) =>
    report.table.partitions.find((p) => p.number === number)?.filesystem ?? null;

  if (report.table.type === 'none') await open(source, null);
  for (const p of report.table.partitions) {
    if (p.filesystem) await open(sliceSource(source, p.start, p.size), p.number);
  }
  const detection = await detectGuest(filesystems);
  return { guest: detection.guest, warnings: [...warnings, ...detection.warnings] };
}
