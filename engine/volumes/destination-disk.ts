import { FerryError } from '../../shared/errors.js';
import type { DiskLayout } from '../inspect.js';
import type { BlockSource } from '../io/source.js';
import { normalizeRanges, shiftRanges, type ByteRange } from '../ranges.js';
import { segmentedSource } from './layout-segments.js';
import { tableRanges, tableSource } from './layout-tables.js';
import type { DestinationSegment, LayoutPlan, PlannedPartition } from './types.js';

/** A partition's bytes from somewhere else than the source: a resized temporary copy. */
export interface ReplacedVolume {
  /** The partition's new content, at most its planned size; what it lacks reads as zeros. */
  volume: BlockSource;
  /** The byte ranges of `volume` in use, relative to the volume. */
  used: ByteRange[];
}

export interface DestinationDisk {
  /** The new disk, read-only. Closing it closes nothing: its sources belong to the caller. */
  disk: BlockSource;
  /** The ranges of `disk` worth reading: tables, boot code before the first partition, used data. */
  copy: ByteRange[];
}

/**
 * The disk `plan` describes, as a source to convert from: the new table's sectors (built on the
 * first read that needs them), each partition's bytes from the source at its old offset or from
 * `replaced` (keyed by the partition's destination number), the source's boot code area before the
 * first partition at the same offset (GRUB's core.img records its own sectors), and zeros
 * everywhere else.
 */
export function destinationDisk(
  source: BlockSource,
  layout: DiskLayout,
  plan: LayoutPlan,
  replaced: ReadonlyMap<number, ReplacedVolume>,
): DestinationDisk {
  const path = `${source.path} (new layout)`;
  const tables = tableRanges(plan);
  const tableBytes = tableSource(source, plan, layout.report.table.id, path);
  const segments: DestinationSegment[] = tables.map((r) => ({
    ...r,
    from: tableBytes,
    sourceOffset: r.start,
  }));
  const copy: ByteRange[] = [...tables];

  for (const p of plan.partitions) {
    if (p.action === 'container') continue;
    const part = partitionContent(source, layout, p, replaced.get(p.number));
    segments.push(part.segment);
    copy.push(...clip(part.used, part.segment));
  }

  const gap = bootCodeGap(source, layout, segments, tables[0] as ByteRange);
  if (gap) {
    segments.push({ ...gap, from: source, sourceOffset: gap.start });
    copy.push(gap);
  }
  return {
    disk: segmentedSource(path, plan.diskSize, plan.sectorSize, segments),
    copy: normalizeRanges(copy),
  };
}

function partitionContent(
  source: BlockSource,
  layout: DiskLayout,
  p: PlannedPartition,
  replacement: ReplacedVolume | undefined,
): { segment: DestinationSegment; used: ByteRange[] } {
  const where = `${source.path} partition ${p.sourceNumber}`;
  if (replacement) {
    const { volume } = replacement;
    if (volume.size > p.size) {
      throw refused(
        `its new content holds ${volume.size} bytes, more than the planned ${p.size}`,
        where,
      );
    }
    const segment = { start: p.start, length: volume.size, from: volume, sourceOffset: 0 };
    return { segment, used: shiftRanges(replacement.used, p.start) };
  }
  if (p.action === 'resize') {
    throw refused('the partition is planned to be resized, but no resized copy was given', where);
  }
  const length = Math.min(p.sourceSize, p.size);
  const segment = { start: p.start, length, from: source, sourceOffset: p.sourceStart };
  const used = layout.used.get(p.sourceNumber);
  return {
    segment,
    used: used ? shiftRanges(used, p.start - p.sourceStart) : [{ start: p.start, length }],
  };
}

/**
 * The source's bytes between its table and its first partition (boot loaders live there), kept at
 * the same offset as far as the destination leaves that space free.
 */
function bootCodeGap(
  source: BlockSource,
  layout: DiskLayout,
  segments: readonly DestinationSegment[],
  headTable: ByteRange,
): ByteRange | null {
  const start = headTable.start + headTable.length;
  const ends = [
    source.size,
    ...layout.report.table.partitions.map((p) => p.start),
    ...segments.filter((s) => s.start >= start).map((s) => s.start),
  ];
  const end = Math.min(...ends);
  return end > start ? { start, length: end - start } : null;
}

/** The parts of `ranges` inside `window`. */
function clip(ranges: readonly ByteRange[], window: ByteRange): ByteRange[] {
  const windowEnd = window.start + window.length;
  return ranges.flatMap((r) => {
    const start = Math.max(r.start, window.start);
    const end = Math.min(r.start + r.length, windowEnd);
    return end > start ? [{ start, length: end - start }] : [];
  });
}

function refused(message: string, where: string): FerryError {
  return new FerryError('LAYOUT_REFUSED', message, {
    where,
    hint: 'this is a bug in how the conversion was put together; please report it',
  });
}
