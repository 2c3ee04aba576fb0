import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { findGptSectorSize, readGpt, type GptTable } from './gpt.js';
import {
  hasProtectiveEntry,
  MBR_SIZE,
  parseMbrSector,
  PROTECTIVE_TYPE,
  readMbrTable,
  usedSlots,
  type MbrSector,
} from './mbr.js';
import type { PartitionEntry, PartitionTable } from './types.js';

export interface ReadTableOptions {
  /**
   * Sector size for MBR LBAs, instead of the source's own. Calling again with another size is how
   * an image from a 4 KiB-sector disk is re-read, since an MBR does not record its sector size.
   * A GPT ignores it: where its header sits decides.
   */
  sectorSize?: number;
}

/** Sector sizes an MBR can be read with: what disks, CDs and 4Kn drives report. */
const SECTOR_SIZES: readonly number[] = [512, 1024, 2048, 4096];

/**
 * Reads a source's partition table: GPT when sector 0 is a protective MBR, MBR (with its logical
 * partitions) otherwise, 'none' when there is neither. Damage that leaves the table readable
 * becomes a warning; damage that leaves nothing trustworthy is a FerryError.
 */
export async function readPartitionTable(
  source: BlockSource,
  options: ReadTableOptions = {},
): Promise<PartitionTable> {
  const sectorSize = options.sectorSize ?? source.sectorSize;
  if (!SECTOR_SIZES.includes(sectorSize)) {
    throw new FerryError('UNSUPPORTED', `a sector size of ${sectorSize} bytes is not supported`, {
      where: source.path,
      hint: `partition tables are read with ${SECTOR_SIZES.join(', ')}-byte sectors`,
    });
  }
  const table = await readTable(source, sectorSize);
  return {
    ...table,
    warnings: [...table.warnings, ...layoutWarnings(table.partitions, source.size)],
  };
}

async function readTable(source: BlockSource, sectorSize: number): Promise<PartitionTable> {
  const mbr = source.size < MBR_SIZE ? null : parseMbrSector(await source.read(0, MBR_SIZE));
  if (mbr && hasProtectiveEntry(mbr)) {
    return gptTable(await readGpt(source, sectorSize), isHybrid(mbr), []);
  }
  const table = await readMbrTable(source, sectorSize);
  if (table.type !== 'none' || (await findGptSectorSize(source)) === null) return table;
  // The specification wants a protective MBR, but a GPT whose sector 0 was wiped is still a GPT.
  // Without one, though, the disk does not claim to be GPT, so a damaged GPT is only a warning.
  try {
    const warning = 'sector 0 holds no protective MBR; the GPT was read without it';
    return gptTable(await readGpt(source, sectorSize), false, [warning]);
  } catch (error) {
    if (!(error instanceof FerryError) || error.code !== 'BAD_PARTITION_TABLE') throw error;
    return {
      ...table,
      warnings: [
        ...table.warnings,
        `a damaged GPT without a protective MBR was ignored: ${error.message}`,
      ],
    };
  }
}

/** A hybrid MBR mirrors GPT partitions into its own slots beside the protective entry. */
function isHybrid(mbr: MbrSector): boolean {
  return usedSlots(mbr).some((s) => s.typeId !== PROTECTIVE_TYPE);
}

function gptTable(gpt: GptTable, hybrid: boolean, warnings: string[]): PartitionTable {
  return {
    type: 'gpt',
    sectorSize: gpt.sectorSize,
    id: gpt.diskGuid,
    hybrid,
    partitions: gpt.partitions,
    warnings: [...warnings, ...gpt.warnings],
  };
}

/**
 * Entries that run past the end of the source (a truncated image, or a table from a larger disk)
 * and entries that overlap. Logical partitions lie inside their extended container by design,
 * so that pair is not an overlap.
 */
function layoutWarnings(partitions: readonly PartitionEntry[], sourceSize: number): string[] {
  const warnings: string[] = [];
  for (const p of partitions) {
    if (p.start + p.size > sourceSize) {
      warnings.push(
        `partition ${p.number} ends at byte ${p.start + p.size}, beyond the end of the source (${sourceSize} bytes)`,
      );
    }
  }
  // One sweep in start order: each entry is compared with the furthest-reaching entry before it
  // that it may not overlap, which finds every entry that overlaps something.
  let reachOfNonLogical: PartitionEntry | undefined;
  let reachOfNonExtended: PartitionEntry | undefined;
  const end = (p: PartitionEntry | undefined): number => (p ? p.start + p.size : -1);
  for (const p of [...partitions].sort((a, b) => a.start - b.start)) {
    const rivals = [
      p.kind !== 'logical' ? reachOfNonLogical : undefined,
      p.kind !== 'extended' ? reachOfNonExtended : undefined,
    ];
    const rival = rivals.reduce((a, b) => (end(b) > end(a) ? b : a), undefined);
    if (rival && end(rival) > p.start) {
      warnings.push(`partition ${p.number} overlaps partition ${rival.number}`);
    }
    if (p.kind !== 'logical' && end(p) > end(reachOfNonLogical)) reachOfNonLogical = p;
    if (p.kind !== 'extended' && end(p) > end(reachOfNonExtended)) reachOfNonExtended = p;
  }
  return warnings;
}
