import { FerryError } from '../shared/errors.js';
import type { InspectReport, PartitionReport } from '../shared/layout.js';
import { describeFilesystem, detectFilesystem } from './filesystems/detect.js';
import { findGuest } from './guest/find-guest.js';
import { sliceSource } from './io/slice.js';
import type { BlockSource } from './io/source.js';
import { readPartitionTable } from './partitions/read-table.js';
import type { PartitionEntry, PartitionTable } from './partitions/types.js';
import { shiftRanges, totalLength, type ByteRange } from './ranges.js';
import type { ImageReader } from './formats/types.js';

/** What a conversion is planned from: the report, plus the bytes each filesystem uses. */
export interface DiskLayout {
  report: InspectReport;
  /** Used byte ranges, relative to the disk, per partition number; absent where unmapped. */
  used: Map<number, ByteRange[]>;
  /** Used byte ranges of a filesystem on the whole disk (no table), or null. */
  wholeDiskUsed: ByteRange[] | null;
}

/** What `ferry inspect` prints. */
export async function inspectSource(source: BlockSource): Promise<InspectReport> {
  return (await readLayout(source)).report;
}

/**
 * Reads a source's layout: its partition table, the filesystem in each partition, and which
 * bytes of each filesystem are in use.
 */
export async function readLayout(source: BlockSource): Promise<DiskLayout> {
  const warnings: string[] = [];
  const warn = (message: string): void => void warnings.push(message);
  const table = await readTableWithSectorSize(source);
  warnings.push(...table.warnings);
  refuseTruncation(source, table);

  const partitions: PartitionReport[] = [];
  const used = new Map<number, ByteRange[]>();
  for (const entry of table.partitions) {
    const volume = sliceSource(source, entry.start, entry.size, partitionName(source, entry));
    const described = entry.kind === 'extended' ? null : await describeFilesystem(volume, warn);
    partitions.push({ ...entry, filesystem: described?.report ?? null });
    if (described?.used) used.set(entry.number, shiftRanges(described.used, entry.start));
  }
  const wholeDisk = table.type === 'none' ? await describeFilesystem(source, warn) : null;
  const tableReport = { type: table.type, id: table.id, hybrid: table.hybrid, partitions };
  const found = await findGuest(source, {
    table: tableReport,
    filesystem: wholeDisk?.report ?? null,
  });
  warnings.push(...found.warnings);

  const report: InspectReport = {
    source: source.path,
    format: source.format,
    size: source.size,
    storedBytes: isImageReader(source) ? totalLength(await source.allocated()) : null,
    sectorSize: table.sectorSize,
    table: tableReport,
    filesystem: wholeDisk?.report ?? null,
    guest: found.guest,
    warnings,
  };
  return { report, used, wholeDiskUsed: wholeDisk?.used ?? null };
}

function partitionName(source: BlockSource, entry: PartitionEntry): string {
  return `${source.path} partition ${entry.number}`;
}

/**
 * An image file does not say its sector size. GPT says it by where its header sits; an MBR
 * does not, so when the source is an image and no partition holds a filesystem at 512-byte
 * sectors, the 4096-byte reading is tried and kept if it finds filesystems where 512 found none.
 */
async function readTableWithSectorSize(source: BlockSource): Promise<PartitionTable> {
  const table = await readPartitionTable(source);
  if (table.type !== 'mbr' || source.format === 'device' || table.sectorSize !== 512) return table;
  if ((await countFilesystems(source, table)) > 0) return table;
  const wide = await readPartitionTable(source, { sectorSize: 4096 });
  return (await countFilesystems(source, wide)) > 0 ? wide : table;
}

async function countFilesystems(source: BlockSource, table: PartitionTable): Promise<number> {
  let found = 0;
  for (const entry of table.partitions) {
    if (entry.kind === 'extended' || entry.start + entry.size > source.size) continue;
    try {
      if (await detectFilesystem(sliceSource(source, entry.start, entry.size))) found++;
    } catch (error) {
      if (!(error instanceof FerryError)) throw error;
    }
  }
  return found;
}

/** A partition that runs past the end of the source means the image was cut short. */
function refuseTruncation(source: BlockSource, table: PartitionTable): void {
  const end = Math.max(0, ...table.partitions.map((p) => p.start + p.size));
  if (end > source.size) {
    throw new FerryError(
      'SOURCE_TRUNCATED',
      `the partition table describes ${end} bytes but the source holds only ${source.size}`,
      {
        where: source.path,
        hint: 'the image is truncated or the table is damaged; copy the whole disk again',
      },
    );
  }
}

function isImageReader(source: BlockSource): source is ImageReader {
  return typeof (source as Partial<ImageReader>).allocated === 'function';
}
