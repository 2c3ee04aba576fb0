import { MIB } from './layout-select.js';

/**
 * Where each kept partition lands on the destination.
 *
 * Partitions keep their order and the gaps between them: each one moves by the sum of the size
 * changes of the kept partitions before it, so a grown partition pushes the rest up and a shrunk
 * one pulls them down. A removed partition leaves its space free rather than closing the gap:
 * closing it would move every partition after it (more to copy, and boot configurations that find
 * partitions by offset break), while free space costs nothing in a sparse virtual disk and is
 * there to grow into later.
 *
 * A partition that need not move keeps its start to the byte, aligned or not: Windows on an MBR
 * disk finds its partitions by offset (BCD), and a disk partitioned by an old DOS fdisk keeps its
 * 63-sector layout. One that must move (a partition before it changed size, or it would overlap
 * the one before) starts on the next 1 MiB boundary.
 *
 * A logical partition needs its EBR in the sectors before it. One that stays has it 1 MiB before
 * itself when that space is free (where fdisk puts it), else in the first sector after the
 * previous partition (where DOS put it); one that moves has it exactly 1 MiB before itself.
 */

export interface PlaceItem {
  kind: 'primary' | 'logical';
  sourceStart: number;
  sourceSize: number;
  /** The size on the destination. */
  size: number;
}

export interface Placement {
  start: number;
  /** Logical partitions: where their EBR lies. */
  ebr: number | null;
}

/** `items` in source order; `firstUsable` is where the table's sectors at the start end. */
export function placePartitions(
  items: readonly PlaceItem[],
  firstUsable: number,
  sectorSize: number,
): Placement[] {
  let shift = 0;
  let previousEnd = firstUsable;
  return items.map((item) => {
    const wanted = item.sourceStart + shift;
    const placement =
      item.kind === 'logical'
        ? placeLogical(item, wanted, previousEnd, sectorSize)
        : placePrimary(item, wanted, previousEnd);
    shift += item.size - item.sourceSize;
    previousEnd = placement.start + item.size;
    return placement;
  });
}

function placePrimary(item: PlaceItem, wanted: number, previousEnd: number): Placement {
  const stays = wanted === item.sourceStart && item.sourceStart >= previousEnd;
  return { start: stays ? item.sourceStart : alignUp(Math.max(wanted, previousEnd)), ebr: null };
}

function placeLogical(
  item: PlaceItem,
  wanted: number,
  previousEnd: number,
  sectorSize: number,
): Placement {
  const start = item.sourceStart;
  if (wanted === start && start - sectorSize >= previousEnd) {
    return { start, ebr: start - MIB >= previousEnd ? start - MIB : previousEnd };
  }
  const moved = alignUp(Math.max(wanted, alignUp(previousEnd) + MIB));
  return { start: moved, ebr: moved - MIB };
}

export function alignUp(bytes: number): number {
  return Math.ceil(bytes / MIB) * MIB;
}
