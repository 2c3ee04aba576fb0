/** How a resize says no: LAYOUT_REFUSED, with the reason and the smallest size that would do. */
import { FerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';

const MIB = 1024 * 1024;

/** Sizes offered to people: whole MiB, the unit partitions are aligned on. */
export function roundUpToMib(bytes: number): number {
  return Math.ceil(bytes / MIB) * MIB;
}

export interface BelowMinimum {
  /** The partition, e.g. "disk.img partition 2". */
  where: string;
  /** What cannot shrink, e.g. "its ext4 filesystem". */
  what: string;
  newSize: number;
  /** The smallest partition size in bytes that would hold it. */
  minimum: number;
  /** Who says so, e.g. "resize2fs -P". */
  source: string;
}

export function refuseBelowMinimum(refusal: BelowMinimum): never {
  const { where, what, newSize, minimum, source } = refusal;
  throw new FerryError(
    'LAYOUT_REFUSED',
    `${what} needs at least ${formatSize(minimum)} (${minimum} bytes, says ${source}), more than ${formatSize(newSize)}`,
    { where, hint: `give the partition at least ${formatSize(roundUpToMib(minimum))}` },
  );
}

/** A filesystem that cannot shrink at all: the partition may shrink down to the filesystem's end. */
export function refuseShrink(where: string, what: string, reason: string, minimum: number): never {
  throw new FerryError('LAYOUT_REFUSED', `${what} cannot shrink: ${reason}`, {
    where,
    hint: `give the partition at least ${formatSize(minimum)} (${minimum} bytes), its filesystem's own size`,
  });
}
