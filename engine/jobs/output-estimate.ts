import { THICK_FORMATS, type FormatName } from '../../shared/formats.js';
import { vhdDiskSize } from '../formats/vhd-geometry.js';
import type { ByteRange } from '../ranges.js';
import type { ConversionPlan } from './convert.js';

/** Formats whose files hold every byte of the disk whether it was written or not. */
const FIXED_FORMATS: ReadonlySet<FormatName> = new Set(['vhd-fixed', 'vmdk-flat']);

const KiB = 1024;
const MiB = 1024 * KiB;
/**
 * How much a thin output stores for one non-zero byte: the block size of each writer in
 * engine/formats (a flat file's holes are filesystem blocks). Kept in step with the writers.
 */
const ALLOCATION_UNIT: Record<FormatName, number> = {
  raw: 4 * KiB,
  'vhd-fixed': 4 * KiB,
  'vmdk-flat': 4 * KiB,
  qcow2: 64 * KiB,
  vmdk: 64 * KiB,
  'vmdk-stream': 64 * KiB,
  vhd: 2 * MiB,
  vhdx: MiB,
  vdi: MiB,
};
/** A fixed VHDX stores whole blocks of this size, as Hyper-V does. */
const FIXED_VHDX_BLOCK = 32 * MiB;
/**
 * Per stored unit: a stream grain marker, deflate's growth on random data; a VHD block's sector
 * bitmap sits in the 4 KiB before its data (vhd-writer.ts).
 */
const unitOverhead = (format: FormatName): number => (format === 'vhd' ? 4 * KiB : 512);

/** Whether the output holds every byte of its disk: a fixed format, or `thick` where it means something. */
export function isPreallocated(format: FormatName, thick: boolean): boolean {
  return FIXED_FORMATS.has(format) || (thick && THICK_FORMATS.has(format));
}

/**
 * Bytes the output will take on disk, an upper bound. A preallocated or fixed layout takes the
 * whole disk it presents (a fixed VHD or flat VMDK is meant to be moved as it is, to Azure or a
 * datastore, where its holes are filled). A thin one takes every allocation unit the read ranges
 * touch, though all-zero runs are then dropped, and a compressed format (vmdk-stream, qcow2 with
 * `compress`) takes less again. Headers and tables (BAT, block map, L2 and refcount tables)
 * grow with the disk and are covered by a share of its size.
 */
export function estimateOutputBytes(
  plan: Pick<ConversionPlan, 'format' | 'diskSize' | 'copy'>,
  thick: boolean,
): number {
  const { format } = plan;
  const preallocated = isPreallocated(format, thick);
  const size = presentedSize(format, plan.diskSize, preallocated);
  // Headers and tables, plus the alignment padding between them.
  const metadata = 4 * MiB + Math.ceil(size / 4096);
  if (preallocated) {
    const unit = format === 'vhdx' ? FIXED_VHDX_BLOCK : ALLOCATION_UNIT[format];
    return unitsTouched([{ start: 0, length: size }], unit) * unit + metadata;
  }
  const unit = ALLOCATION_UNIT[format];
  return unitsTouched(plan.copy, unit) * (unit + unitOverhead(format)) + metadata;
}

/** A VHD presents a disk rounded up to an exact CHS geometry; it refuses one past its limit. */
function presentedSize(format: FormatName, diskSize: number, preallocated: boolean): number {
  if (format !== 'vhd' && format !== 'vhd-fixed') return diskSize;
  return vhdDiskSize(diskSize, preallocated ? 'fixed' : 'dynamic');
}

/** Distinct `unit`-aligned blocks that sorted, disjoint `ranges` touch. */
function unitsTouched(ranges: readonly ByteRange[], unit: number): number {
  let count = 0;
  let lastCounted = -1;
  for (const { start, length } of ranges) {
    if (length <= 0) continue;
    const first = Math.max(Math.floor(start / unit), lastCounted + 1);
    const last = Math.floor((start + length - 1) / unit);
    if (last >= first) count += last - first + 1;
    lastCounted = Math.max(lastCounted, last);
  }
  return count;
}
