/**
 * The Volumes screen's choices (which partitions, at which sizes, on how large a disk) and the
 * `partitions`, `resize` and `diskSize` of the job spec they become.
 */
import type { JobSpec, PlanSummary, VolumePlan } from '../../shared/api.js';
import type { InspectReport } from '../../shared/layout.js';
import { MiB, clampSize, wholeMiB, wholeMiBBounds, type SizeBounds } from './sizes.js';

export interface LayoutChoice {
  /** Source partition numbers left out. */
  excluded: readonly number[];
  /** New sizes in bytes, whole MiB, by source partition number; absent keeps the size. */
  resize: Readonly<Record<number, number>>;
  /** The virtual disk's size, whole MiB; null keeps the engine's default, the source's size. */
  diskSize: number | null;
}

export const UNCHANGED_LAYOUT: LayoutChoice = { excluded: [], resize: {}, diskSize: null };

export type LayoutSpec = Pick<JobSpec, 'partitions' | 'resize' | 'diskSize'>;

/** The partitions a person can choose: all but extended containers; none without a table. */
export function choosablePartitions(report: InspectReport): number[] {
  if (report.table.type === 'none') return [];
  return report.table.partitions.filter((p) => p.kind !== 'extended').map((p) => p.number);
}

/** Only what differs from the source goes into the spec, as `ferry convert` is given it. */
export function layoutSpec(choice: LayoutChoice, report: InspectReport): LayoutSpec {
  const spec: LayoutSpec = {};
  const numbers = choosablePartitions(report);
  if (numbers.length === 0) return spec;
  if (choice.excluded.length > 0) {
    spec.partitions = numbers.filter((n) => !choice.excluded.includes(n));
  }
  const resize = Object.entries(choice.resize).filter(
    ([number]) => !choice.excluded.includes(Number(number)),
  );
  if (resize.length > 0) spec.resize = Object.fromEntries(resize);
  if (choice.diskSize !== null) spec.diskSize = choice.diskSize;
  return spec;
}

/** Includes or leaves out a partition; the last one included stays. A left-out one loses its new size. */
export function withIncluded(
  choice: LayoutChoice,
  report: InspectReport,
  number: number,
  included: boolean,
): LayoutChoice {
  const excluded = choice.excluded.filter((n) => n !== number);
  if (included) return { ...choice, excluded };
  const remaining = choosablePartitions(report).filter(
    (n) => n !== number && !excluded.includes(n),
  );
  if (remaining.length === 0) return choice;
  return {
    ...choice,
    excluded: [...excluded, number].sort((a, b) => a - b),
    resize: without(choice.resize, number),
  };
}

/**
 * The bounds of a volume's size controls, from the latest plan: null while there is no plan,
 * and when its filesystem leaves no size to choose.
 */
export function volumeBounds(volume: VolumePlan | undefined): SizeBounds | null {
  return volume ? wholeMiBBounds(volume.minimumSize, volume.maximumSize) : null;
}

/** Gives a partition a new size within its bounds; its own size removes the change. */
export function withSize(
  choice: LayoutChoice,
  report: InspectReport,
  plan: PlanSummary | null,
  number: number,
  bytes: number,
): LayoutChoice {
  const bounds = volumeBounds(plan?.volumes.find((v) => v.number === number));
  const partition = report.table.partitions.find((p) => p.number === number);
  if (bounds === null || partition === undefined || choice.excluded.includes(number)) return choice;
  const size = clampSize(bytes, bounds);
  if (size === partition.size) return withOriginalSize(choice, number);
  return { ...choice, resize: { ...choice.resize, [number]: size } };
}

export function withOriginalSize(choice: LayoutChoice, number: number): LayoutChoice {
  return { ...choice, resize: without(choice.resize, number) };
}

/** The smallest disk size a person may choose: what the latest plan's layout needs, in whole MiB. */
export function minimumDiskSize(plan: PlanSummary): number {
  return Math.max(MiB, Math.ceil(plan.minimumDiskSize / MiB) * MiB);
}

/** Sets the disk's size, never below what the layout needs; the source's own size is the default. */
export function withDiskSize(
  choice: LayoutChoice,
  report: InspectReport,
  plan: PlanSummary | null,
  bytes: number,
): LayoutChoice {
  if (plan === null) return choice;
  const size = Math.max(minimumDiskSize(plan), wholeMiB(bytes));
  return { ...choice, diskSize: size === report.size ? null : size };
}

export function withDefaultDiskSize(choice: LayoutChoice): LayoutChoice {
  return { ...choice, diskSize: null };
}

function without(sizes: Readonly<Record<number, number>>, number: number): Record<number, number> {
  return Object.fromEntries(Object.entries(sizes).filter(([key]) => Number(key) !== number));
}
