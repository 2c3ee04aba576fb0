import type { PartitionReport } from '../../shared/layout.js';
import { formatSize } from '../../shared/units.js';
import type { DiskLayout } from '../inspect.js';
import type { BlockSource } from '../io/source.js';
import { gptEntryCount, gptReservedBytes } from '../partitions/write-gpt.js';
import { MBR_MAX_SECTORS } from '../partitions/write-mbr.js';
import { alignUp, placePartitions, type Placement } from './layout-place.js';
import { MIB, refused, selectPartitions, type KeptPartition } from './layout-select.js';
import { layoutWarnings } from './layout-warnings.js';
import type { LayoutPlan, PlannedPartition, VolumeRequest } from './types.js';

/**
 * Plans the destination disk of `--partitions`, `--resize` and `--disk-size`: which partitions it
 * holds, where, at what size, and how big the disk is. Nothing is read or written; everything the
 * request cannot mean is refused here (FerryError LAYOUT_REFUSED), before a byte is written.
 * Placement follows layout-place.ts. The table stays the kind the source has, counted in the
 * sector size the source's table was read with; the default disk size is the source's, or just
 * enough (to the next MiB) when the partitions grow past its end.
 */
export function planLayout(
  layout: DiskLayout,
  source: Pick<BlockSource, 'size'>,
  request: VolumeRequest,
): LayoutPlan {
  const { fill } = request;
  if (fill === undefined) return planSizedLayout(layout, source, request);
  // `--resize N=max`: lay the disk out with N at its size so far, then give N the room left over.
  // An unknown or left-out N is refused by the first pass, as any --resize of it would be.
  const own =
    request.resize?.get(fill) ??
    layout.report.table.partitions.find((p) => p.number === fill)?.size ??
    MIB;
  const first = planSizedLayout(layout, source, sized(request, fill, own));
  const target = first.diskSize;
  const unsized = { ...request, diskSize: undefined };
  let size = first.partitions.find((p) => p.sourceNumber === fill)!.size;
  size += Math.floor((target - first.minimumDiskSize) / MIB) * MIB;
  // The partitions after N move onto 1 MiB boundaries, which can take a little of the room.
  for (let attempt = 0; attempt < 4 && size > own; attempt++) {
    const excess =
      planSizedLayout(layout, source, sized(unsized, fill, size)).minimumDiskSize - target;
    if (excess <= 0) break;
    size = Math.max(own, size - Math.ceil(excess / MIB) * MIB);
  }
  return planSizedLayout(layout, source, sized(request, fill, size));
}

function sized(request: VolumeRequest, number: number, size: number): VolumeRequest {
  return { ...request, resize: new Map([...(request.resize ?? []), [number, size]]) };
}

function planSizedLayout(
  layout: DiskLayout,
  source: Pick<BlockSource, 'size'>,
  request: VolumeRequest,
): LayoutPlan {
  const { report } = layout;
  const selection = selectPartitions(report, request);
  const table = report.table.type === 'gpt' ? 'gpt' : 'mbr';
  const { sectorSize } = report;
  const kept = [...selection.kept].sort(
    (a, b) => a.entry.start - b.entry.start || a.entry.number - b.entry.number,
  );
  refuseOverlaps(kept, report.source);
  refuseInterleaving(kept, report.source);

  const gptEntries =
    table === 'gpt' ? gptEntryCount(Math.max(...kept.map((k) => k.entry.number)), sectorSize) : 0;
  const reserved =
    table === 'gpt' ? gptReservedBytes(sectorSize, gptEntries) : { head: sectorSize, tail: 0 };
  const placements = placePartitions(
    kept.map((k) => ({
      kind: k.entry.kind === 'logical' ? 'logical' : 'primary',
      sourceStart: k.entry.start,
      sourceSize: k.entry.size,
      size: k.size,
    })),
    reserved.head,
    sectorSize,
  );
  const partitions = plannedPartitions(kept, placements, selection.container);
  const last = partitions
    .filter((p) => p.kind !== 'extended')
    .reduce((a, b) => (b.start + b.size > a.start + a.size ? b : a));
  const minimumDiskSize = last.start + last.size + reserved.tail;
  if (table === 'mbr') refuseBeyondMbr(partitions, sectorSize, report.source);
  const diskSize = chooseDiskSize(request.diskSize, source.size, minimumDiskSize, sectorSize, {
    where: report.source,
    last,
  });

  const plan = { table, sectorSize, gptEntries, partitions, diskSize, minimumDiskSize } as const;
  return { ...plan, warnings: layoutWarnings(plan, selection.removed, report.table.hybrid) };
}

/** Overlapping partitions have no order to keep; moving one of them would change what it holds. */
function refuseOverlaps(kept: readonly KeptPartition[], where: string): void {
  for (let index = 1; index < kept.length; index++) {
    const previous = (kept[index - 1] as KeptPartition).entry;
    const current = (kept[index] as KeptPartition).entry;
    if (previous.start + previous.size > current.start) {
      throw refused(
        `partitions ${previous.number} and ${current.number} overlap on the source`,
        where,
        'Ferry does not rearrange an overlapping layout; convert the disk as it is',
      );
    }
  }
}

/** A primary partition between two logical ones would have to lie inside the extended container. */
function refuseInterleaving(kept: readonly KeptPartition[], where: string): void {
  const logical = kept.map((k) => k.entry.kind === 'logical');
  const first = logical.indexOf(true);
  const last = logical.lastIndexOf(true);
  const between = kept.slice(first, last + 1).find((k) => k.entry.kind !== 'logical');
  if (first >= 0 && between) {
    throw refused(
      `primary partition ${between.entry.number} lies between logical partitions on the source`,
      where,
      `leave out partition ${between.entry.number} or the logical partitions around it with --partitions`,
    );
  }
}

function plannedPartitions(
  kept: readonly KeptPartition[],
  placements: readonly Placement[],
  container: PartitionReport | null,
): PlannedPartition[] {
  const planned: PlannedPartition[] = [];
  let nextLogical = 5;
  kept.forEach(({ entry, size, action }, index) => {
    const { start, ebr } = placements[index] as Placement;
    planned.push({
      number: entry.kind === 'logical' ? nextLogical++ : entry.number,
      sourceNumber: entry.number,
      kind: entry.kind,
      type: entry.type,
      bootable: entry.bootable,
      filesystem: entry.filesystem?.type ?? null,
      sourceStart: entry.start,
      sourceSize: entry.size,
      start,
      size,
      action,
      ebr,
    });
  });
  const logicals = planned.filter((p) => p.kind === 'logical');
  const first = logicals[0];
  const last = logicals.at(-1);
  if (!container || !first || !last || first.ebr === null) return planned;
  planned.splice(planned.indexOf(first), 0, {
    number: container.number,
    sourceNumber: container.number,
    kind: 'extended',
    type: container.type,
    bootable: container.bootable,
    filesystem: null,
    sourceStart: container.start,
    sourceSize: container.size,
    start: first.ebr,
    size: last.start + last.size - first.ebr,
    action: 'container',
    ebr: null,
  });
  return planned;
}

function refuseBeyondMbr(
  partitions: readonly PlannedPartition[],
  sectorSize: number,
  where: string,
): void {
  const limit = (MBR_MAX_SECTORS + 1) * sectorSize;
  const beyond = partitions.find((p) => p.start + p.size > limit);
  if (beyond) {
    throw refused(
      `partition ${beyond.number} would end beyond ${formatSize(limit)}, which an MBR cannot describe`,
      where,
      'shrink or leave out partitions so that all end below that, or convert the source to GPT first',
    );
  }
}

function chooseDiskSize(
  requested: number | undefined,
  sourceSize: number,
  minimum: number,
  sectorSize: number,
  context: { where: string; last: PlannedPartition },
): number {
  if (requested === undefined) return sourceSize >= minimum ? sourceSize : alignUp(minimum);
  if (!Number.isSafeInteger(requested) || requested <= 0 || requested % sectorSize !== 0) {
    throw refused(
      `a disk size of ${requested} bytes is not a whole number of ${sectorSize}-byte sectors`,
      context.where,
      'give --disk-size in M or G',
    );
  }
  if (requested < minimum) {
    const { number } = context.last;
    throw refused(
      `the new layout needs a disk of at least ${formatSize(minimum)} (${minimum} bytes), more than ${formatSize(requested)}`,
      context.where,
      `use --disk-size ${Math.ceil(minimum / MIB)}M, or shrink partition ${number} with --resize or leave it out with --partitions`,
    );
  }
  return requested;
}
