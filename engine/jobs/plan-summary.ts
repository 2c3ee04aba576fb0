import { stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JobSpec, PlanSummary } from '../../shared/api.js';
import { FerryError, isFerryError } from '../../shared/errors.js';
import type { FormatName } from '../../shared/formats.js';
import { formatSize } from '../../shared/units.js';
import { vhdDiskSize } from '../formats/vhd-geometry.js';
import { openSource } from '../io/open-source.js';
import type { BlockSource } from '../io/source.js';
import type { ByteRange } from '../ranges.js';
import { planConversion, type ConversionPlan } from './convert.js';
import { guardDestination } from './destination-guard.js';
import { planVolumes, type VolumeLayout } from './volume-layout.js';

/**
 * Bytes per second a conversion is assumed to read, for the estimate shown before it starts: a
 * SATA SSD or a fast image file; a resized filesystem costs about three passes (copy, resize,
 * read back).
 */
const ASSUMED_RATE = 150 * 2 ** 20;
/** Formats whose files hold every byte of the disk whether it was written or not. */
const FIXED_FORMATS: ReadonlySet<FormatName> = new Set(['vhd-fixed', 'vmdk-flat']);
/** Formats that ignore `thick`: they have no preallocated variant. */
const ALWAYS_THIN: ReadonlySet<FormatName> = new Set(['qcow2', 'vmdk', 'vmdk-stream']);

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
/** Per stored unit: a VHD sector bitmap, a stream grain marker, deflate's growth on random data. */
const UNIT_OVERHEAD = 512;

/**
 * The Summary screen's view of a job: what will be read, what will be written, what is in the
 * way. Refuses what `convert` would refuse whatever the user answers (a destination on the
 * source, a missing folder); an existing output is only listed, as `force` may replace it.
 */
export async function summarizePlan(spec: JobSpec): Promise<PlanSummary> {
  const folder = dirname(spec.destination);
  await requireFolder(folder);
  const source = await openSource(spec.source);
  let plan: ConversionPlan;
  let volumes: VolumeLayout | null;
  try {
    plan = await planConversion(source, spec);
    volumes = plan.volumes ?? (await unchangedVolumes(source, plan));
  } finally {
    await source.close();
  }
  await guardDestination(spec.source, plan.outputFiles, { force: true });

  const estimatedOutputBytes = estimateOutputBytes(plan, spec.thick);
  const temporaryBytes = plan.volumes?.temporaryBytes ?? 0;
  const warnings = [...plan.warnings];
  const free = await freeBytes(folder);
  const needed = estimatedOutputBytes + temporaryBytes;
  if (free !== null && free < needed) {
    const scratch =
      temporaryBytes > 0 ? `, with ${formatSize(temporaryBytes)} of scratch space` : '';
    warnings.push(
      `${folder} has ${formatSize(free)} free; the output may take up to ${formatSize(needed)}${scratch}`,
    );
  }
  return {
    format: plan.format,
    outputFiles: plan.outputFiles,
    diskSize: plan.diskSize,
    copyBytes: plan.copyBytes,
    estimatedOutputBytes,
    existing: await existingFiles(plan.outputFiles),
    warnings,
    layout: plan.layout,
    volumes: volumes?.volumes ?? [],
    minimumDiskSize: volumes?.plan.minimumDiskSize ?? plan.diskSize,
    temporaryBytes,
    estimatedSeconds: Math.ceil((plan.copyBytes + 3 * temporaryBytes) / ASSUMED_RATE),
  };
}

/**
 * The Volumes screen's rows and bounds while the layout is unchanged. A layout Ferry cannot
 * rewrite (no partition table, two extended partitions) has none: it is copied as it is.
 */
async function unchangedVolumes(
  source: BlockSource,
  plan: ConversionPlan,
): Promise<VolumeLayout | null> {
  if (plan.layout.table.type === 'none') return null;
  try {
    return await planVolumes(source, plan.diskLayout, {});
  } catch (error) {
    if (isFerryError(error) && error.code === 'LAYOUT_REFUSED') return null;
    throw error;
  }
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
  const preallocated = FIXED_FORMATS.has(format) || (thick && !ALWAYS_THIN.has(format));
  const size = presentedSize(format, plan.diskSize, preallocated);
  // Headers and tables, plus the alignment padding between them, which the space reserved
  // ahead of the writes (PartialFile.reserveThrough) allocates rather than leaving as holes.
  const metadata = 4 * MiB + Math.ceil(size / 4096);
  if (preallocated) {
    const unit = format === 'vhdx' ? FIXED_VHDX_BLOCK : ALLOCATION_UNIT[format];
    return unitsTouched([{ start: 0, length: size }], unit) * unit + metadata;
  }
  const unit = ALLOCATION_UNIT[format];
  return unitsTouched(plan.copy, unit) * (unit + UNIT_OVERHEAD) + metadata;
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

async function requireFolder(folder: string): Promise<void> {
  const stats = await stat(folder).catch(() => null);
  if (!stats?.isDirectory()) {
    throw new FerryError('USAGE', 'no such folder', {
      where: folder,
      hint: 'choose an existing folder for the virtual disk',
    });
  }
}

async function freeBytes(folder: string): Promise<number | null> {
  const stats = await statfs(folder).catch(() => null);
  return stats ? stats.bavail * stats.bsize : null;
}

async function existingFiles(files: readonly string[]): Promise<string[]> {
  const found = await Promise.all(
    files.map((file) =>
      stat(file).then(
        () => true,
        () => false,
      ),
    ),
  );
  return files.filter((_, index) => found[index]);
}
