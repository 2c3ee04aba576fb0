/**
 * The part of a conversion that reshapes the disk (`--partitions`, `--resize`, `--disk-size`):
 * planned with everything else before a byte is written, then run by resizing filesystems on
 * temporary copies beside the destination and reading the new disk through `destinationDisk`.
 */
import type { VolumePlan } from '../../shared/api.js';
import { FerryError } from '../../shared/errors.js';
import type { PartitionReport } from '../../shared/layout.js';
import { formatSize } from '../../shared/units.js';
import type { DiskLayout } from '../inspect.js';
import { sliceSource } from '../io/slice.js';
import type { BlockSource } from '../io/source.js';
import { shiftRanges, totalLength, type ByteRange } from '../ranges.js';
import { destinationDisk, type ReplacedVolume } from '../volumes/destination-disk.js';
import { planLayout } from '../volumes/plan-layout.js';
import {
  checkResize,
  resizeFilesystem,
  type ResizeCheck,
  type ResizedFilesystem,
} from '../volumes/resize-filesystem.js';
import type { LayoutPlan, PlannedPartition, VolumeRequest } from '../volumes/types.js';

const MiB = 2 ** 20;

export interface VolumeLayout {
  plan: LayoutPlan;
  /** What each source partition's filesystem allows, by source partition number. */
  checks: ReadonlyMap<number, ResizeCheck>;
  volumes: VolumePlan[];
  /** Scratch space the resized copies take at most. */
  temporaryBytes: number;
  warnings: string[];
}

/** True when the request changes the layout; otherwise the disk is copied as it is. */
export function changesLayout(request: VolumeRequest): boolean {
  return (
    request.partitions !== undefined ||
    (request.resize !== undefined && request.resize.size > 0) ||
    request.fill !== undefined ||
    request.diskSize !== undefined
  );
}

/**
 * Plans the new layout and checks every resize against what its filesystem allows, refusing a
 * shrink below its minimum (LAYOUT_REFUSED) before anything is copied.
 */
export async function planVolumes(
  source: BlockSource,
  layout: DiskLayout,
  request: VolumeRequest,
): Promise<VolumeLayout> {
  const plan = planLayout(layout, source, request);
  const checks = await resizeChecks(source, layout);
  const warnings = [...plan.warnings];
  const guest = layout.report.guest;
  if (guest?.partition && !plan.partitions.some((p) => p.sourceNumber === guest.partition)) {
    warnings.push(
      `partition ${guest.partition} holds the installed system (${guest.name}) and is left out: the machine will not start from this disk`,
    );
  }
  let temporaryBytes = 0;
  for (const planned of plan.partitions) {
    if (planned.action !== 'resize') continue;
    const check = checks.get(planned.sourceNumber);
    if (planned.size < planned.sourceSize) refuseBelowMinimum(source, planned, check);
    if (check?.resizer) temporaryBytes += check.tempBytes;
    else if (check?.warning) warnings.push(`partition ${planned.sourceNumber}: ${check.warning}`);
  }
  return {
    plan,
    checks,
    volumes: volumePlans(layout, plan, checks, (number) =>
      largestSize(layout, source, request, number),
    ),
    temporaryBytes,
    warnings,
  };
}

/** A new disk to convert from, and what gives back its scratch space when the copy is over. */
export interface ReshapedDisk {
  disk: BlockSource;
  copy: ByteRange[];
  warnings: string[];
  dispose(): Promise<void>;
}

/**
 * Resizes each filesystem that must follow its partition on a copy in `tempDir`, then presents
 * the new disk. `allBlocks` copies every partition whole rather than its used blocks.
 */
export async function reshapeDisk(
  source: BlockSource,
  layout: DiskLayout,
  volumes: VolumeLayout,
  options: {
    tempDir: string;
    allBlocks: boolean;
    signal?: AbortSignal;
    onProgress?: (bytes: number) => void;
  },
): Promise<ReshapedDisk> {
  const resized: ResizedFilesystem[] = [];
  const dispose = async (): Promise<void> => {
    await Promise.all(resized.map((r) => r.dispose()));
  };
  try {
    const replaced = new Map<number, ReplacedVolume>();
    let copied = 0;
    for (const planned of volumes.plan.partitions) {
      if (planned.action !== 'resize') continue;
      const entry = partitionOf(layout, planned.sourceNumber);
      const used = layout.used.get(entry.number) ?? [{ start: entry.start, length: entry.size }];
      const result = await resizeFilesystem({
        volume: sliceSource(
          source,
          entry.start,
          entry.size,
          `${source.path} partition ${entry.number}`,
        ),
        filesystem: entry.filesystem!,
        used: shiftRanges(used, -entry.start),
        newSize: planned.size,
        tempDir: options.tempDir,
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (bytes) => options.onProgress?.(copied + bytes),
      });
      resized.push(result);
      copied += totalLength(used);
      replaced.set(planned.number, {
        volume: result.volume,
        used: options.allBlocks ? [{ start: 0, length: result.volume.size }] : result.used,
      });
    }
    const from = options.allBlocks ? { ...layout, used: new Map() } : layout;
    const { disk, copy } = destinationDisk(source, from, volumes.plan, replaced);
    return { disk, copy, warnings: resized.flatMap((r) => r.warnings), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

async function resizeChecks(
  source: BlockSource,
  layout: DiskLayout,
): Promise<Map<number, ResizeCheck>> {
  const checks = new Map<number, ResizeCheck>();
  for (const entry of layout.report.table.partitions) {
    if (!entry.filesystem) continue;
    const usedBytes = entry.filesystem.usedBytes ?? entry.size;
    const volume = sliceSource(source, entry.start, entry.size);
    checks.set(entry.number, await checkResize(entry.filesystem, usedBytes, entry.size, volume));
  }
  return checks;
}

/**
 * The smallest size a partition may be given: what its resizer can shrink the filesystem to, or
 * without one the filesystem's own size (it is kept as it is), or the partition's size when
 * nothing is known of what it holds.
 */
function minimumOf(check: ResizeCheck | undefined, partitionSize: number): number {
  if (!check) return partitionSize;
  return Math.min(check.minimumSize ?? partitionSize, partitionSize);
}

function refuseBelowMinimum(
  source: BlockSource,
  planned: PlannedPartition,
  check: ResizeCheck | undefined,
): void {
  const minimum = minimumOf(check, planned.sourceSize);
  if (planned.size >= minimum) return;
  const why = check?.canShrink
    ? `its ${check.resizer} minimum is ${formatSize(minimum)}`
    : (check?.warning ?? 'Ferry cannot shrink what it holds');
  throw new FerryError(
    'LAYOUT_REFUSED',
    `partition ${planned.sourceNumber} cannot shrink to ${formatSize(planned.size)}: ${why}`,
    {
      where: `${source.path} partition ${planned.sourceNumber}`,
      hint: `give it at least ${formatSize(minimum)} (--resize ${planned.sourceNumber}=${Math.ceil(minimum / MiB)}M)`,
    },
  );
}

/**
 * The size partition `number` would take with `--resize N=max` and the other choices as they
 * are: the top of its slider, which the plan then accepts as it is.
 */
function largestSize(
  layout: DiskLayout,
  source: BlockSource,
  request: VolumeRequest,
  number: number,
): number {
  try {
    const plan = planLayout(layout, source, { ...request, fill: number });
    return plan.partitions.find((p) => p.sourceNumber === number)?.size ?? 0;
  } catch (error) {
    // A layout that cannot be laid out with it larger: it stays as large as it is.
    if (error instanceof FerryError && error.code === 'LAYOUT_REFUSED') return 0;
    throw error;
  }
}

/** The Volumes screen's rows: every source partition but extended containers. */
function volumePlans(
  layout: DiskLayout,
  plan: LayoutPlan,
  checks: ReadonlyMap<number, ResizeCheck>,
  largest: (number: number) => number,
): VolumePlan[] {
  return layout.report.table.partitions
    .filter((entry) => entry.kind !== 'extended')
    .map((entry): VolumePlan => {
      const planned = plan.partitions.find((p) => p.sourceNumber === entry.number);
      const check = checks.get(entry.number);
      const minimumSize = minimumOf(check, entry.size);
      if (!planned) {
        return {
          number: entry.number,
          destinationNumber: null,
          sourceStart: entry.start,
          sourceSize: entry.size,
          start: null,
          size: null,
          minimumSize,
          maximumSize: entry.size,
          resizer: check?.resizer ?? null,
          change: 'remove',
        };
      }
      return {
        number: entry.number,
        destinationNumber: planned.number,
        sourceStart: entry.start,
        sourceSize: entry.size,
        start: planned.start,
        size: planned.size,
        minimumSize: Math.min(minimumSize, planned.size),
        maximumSize: Math.max(planned.size, largest(entry.number)),
        resizer: check?.resizer ?? null,
        change: changeOf(planned, check),
      };
    });
}

function changeOf(planned: PlannedPartition, check: ResizeCheck | undefined): VolumePlan['change'] {
  if (planned.size !== planned.sourceSize) {
    return check?.resizer && check.canGrow ? 'resize' : 'grow';
  }
  return planned.start === planned.sourceStart ? 'copy' : 'move';
}

function partitionOf(layout: DiskLayout, number: number): PartitionReport {
  const entry = layout.report.table.partitions.find((p) => p.number === number);
  if (!entry?.filesystem) {
    throw new FerryError('LAYOUT_REFUSED', `partition ${number} holds no filesystem to resize`, {
      where: layout.report.source,
      hint: 'resize only partitions whose filesystem ferry inspect recognises',
    });
  }
  return entry;
}
