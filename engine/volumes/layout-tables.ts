import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { readGuid } from '../partitions/guid.js';
import { buildGpt, gptGeometry } from '../partitions/write-gpt.js';
import { buildMbr, type TableBytes } from '../partitions/write-mbr.js';
import type { ByteRange } from '../ranges.js';
import { readGptEntries } from './layout-gpt-entries.js';
import type { LayoutPlan, PlannedPartition } from './types.js';

/**
 * The destination's partition table: where its sectors lie (known from the plan alone) and their
 * bytes (which need the source: its boot code, its disk GUID, its GPT entries' attributes).
 */

/** Boot code, disk signature and the two bytes after it: sector 0 up to the partition slots. */
const BOOT_CODE_BYTES = 446;

/** The byte ranges the new table occupies, in disk order. */
export function tableRanges(plan: LayoutPlan): ByteRange[] {
  const { sectorSize } = plan;
  if (plan.table === 'mbr') {
    const ebrs = plan.partitions.flatMap((p) => (p.ebr === null ? [] : [p.ebr]));
    return [0, ...ebrs].map((start) => ({ start, length: sectorSize }));
  }
  const geometry = gptGeometry(sectorSize, plan.diskSize, plan.gptEntries);
  const arrayBytes = geometry.arraySectors * sectorSize;
  return [
    { start: 0, length: 2 * sectorSize + arrayBytes },
    {
      start: (geometry.lastLba - geometry.arraySectors) * sectorSize,
      length: arrayBytes + sectorSize,
    },
  ];
}

/**
 * The new table's bytes as a source addressed like the disk, for the ranges of `tableRanges`.
 * They are built on the first read, so that planning a conversion reads nothing.
 */
export function tableSource(
  source: BlockSource,
  plan: LayoutPlan,
  diskGuid: string | null,
  path: string,
): BlockSource {
  let built: Promise<TableBytes[]> | undefined;
  return {
    path: `${path}: partition table`,
    format: 'layout',
    size: plan.diskSize,
    sectorSize: plan.sectorSize,
    async read(offset: number, length: number): Promise<Buffer> {
      built ??= buildTables(source, plan, diskGuid);
      const piece = (await built).find(
        (t) => t.offset <= offset && offset + length <= t.offset + t.data.length,
      );
      if (!piece) throw planBug(`no table sector was built at byte ${offset}`);
      const at = offset - piece.offset;
      return Buffer.from(piece.data.subarray(at, at + length));
    },
    async close(): Promise<void> {},
  };
}

/** The new table's sectors; `diskGuid` is the source's (GPT only). */
async function buildTables(
  source: BlockSource,
  plan: LayoutPlan,
  diskGuid: string | null,
): Promise<TableBytes[]> {
  const bootCode = await source.read(0, BOOT_CODE_BYTES);
  if (plan.table === 'mbr') {
    return buildMbr({
      sectorSize: plan.sectorSize,
      bootCode,
      primaries: plan.partitions
        .filter((p) => p.kind !== 'logical')
        .map((p) => ({ slot: p.number, ...mbrFields(p) })),
      logicals: plan.partitions
        .filter((p) => p.kind === 'logical')
        .map((p) => ({ ebr: ebrOf(p), ...mbrFields(p) })),
    });
  }
  if (diskGuid === null) {
    throw new FerryError('BAD_PARTITION_TABLE', 'the GPT has no disk GUID', {
      where: `${source.path}: GPT`,
      hint: 'inspect the source again',
    });
  }
  const raw = await readGptEntries(source, plan.sectorSize);
  return buildGpt({
    sectorSize: plan.sectorSize,
    diskSize: plan.diskSize,
    diskGuid,
    entryCount: plan.gptEntries,
    bootCode,
    entries: plan.partitions.map((p) => ({
      number: p.number,
      raw: sourceEntry(raw, p, source.path),
      start: p.start,
      size: p.size,
    })),
  });
}

function mbrFields(p: PlannedPartition): {
  typeId: number;
  bootable: boolean;
  start: number;
  size: number;
} {
  return {
    typeId: Number.parseInt(p.type, 16),
    bootable: p.bootable,
    start: p.start,
    size: p.size,
  };
}

function ebrOf(p: PlannedPartition): number {
  if (p.ebr === null) throw planBug(`logical partition ${p.number} has no EBR`);
  return p.ebr;
}

function planBug(message: string): FerryError {
  return new FerryError('LAYOUT_REFUSED', message, {
    where: 'layout plan',
    hint: 'this is a bug in the layout plan; please report it',
  });
}

/** The source entry of `p`, which must still be the one the plan was made from. */
function sourceEntry(raw: ReadonlyMap<number, Buffer>, p: PlannedPartition, path: string): Buffer {
  const entry = raw.get(p.sourceNumber);
  if (!entry || readGuid(entry, 0) !== p.type) {
    throw new FerryError(
      'BAD_PARTITION_TABLE',
      `GPT entry ${p.sourceNumber} is not the partition that was planned`,
      {
        where: `${path}: GPT`,
        hint: 'the source changed after it was inspected; inspect it again',
      },
    );
  }
  return entry;
}
