import { stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JobSpec, PlanSummary } from '../../shared/api.js';
import { FerryError, isFerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';
import { openSource } from '../io/open-source.js';
import type { BlockSource } from '../io/source.js';
import { planConversion, type ConversionPlan } from './convert.js';
import { estimateOutputBytes } from './output-estimate.js';
import { guardDestination } from './destination-guard.js';
import { planVolumes, type VolumeLayout } from './volume-layout.js';

/**
 * Bytes per second a conversion is assumed to read, for the estimate shown before it starts: a
 * SATA SSD or a fast image file; a resized filesystem costs about three passes (copy, resize,
 * read back), verifying one more pass over what is copied.
 */
const ASSUMED_RATE = 150 * 2 ** 20;
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
    estimatedSeconds: Math.ceil(
      (plan.copyBytes * (spec.verify ? 2 : 1) + 3 * temporaryBytes) / ASSUMED_RATE,
    ),
    guest: plan.layout.guest,
    firmware: plan.firmware,
    machine: plan.machine?.summary ?? null,
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
