import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FormatName } from '../../shared/formats.js';
import type { InspectReport } from '../../shared/layout.js';
import { chooseFormat, writerFor } from '../formats/registry.js';
import { readLayout, type DiskLayout } from '../inspect.js';
import { openSource } from '../io/open-source.js';
import type { BlockSource } from '../io/source.js';
import { totalLength, type ByteRange } from '../ranges.js';
import { destinationDisk } from '../volumes/destination-disk.js';
import type { VolumeRequest } from '../volumes/types.js';
import { copyRanges } from './copy-ranges.js';
import { guardDestination } from './destination-guard.js';
import { ProgressMeter, type Progress } from './progress.js';
import { readExtents, throwIfAborted } from './read-extents.js';
import { changesLayout, planVolumes, reshapeDisk, type VolumeLayout } from './volume-layout.js';

export interface ConvertRequest {
  source: string;
  destination: string;
  /** A format name; by default the destination's extension decides. */
  format?: string;
  /** Copy every non-zero block, not only those the filesystems use. */
  allBlocks?: boolean;
  thick?: boolean;
  compress?: boolean;
  force?: boolean;
  /** Bytes per second to read at most. */
  throttle?: number;
  /** Partition numbers to copy; absent copies them all. */
  partitions?: readonly number[];
  /** New size in bytes by partition number. */
  resize?: Readonly<Record<string, number>>;
  /** The virtual disk's size in bytes. */
  diskSize?: number;
}

/** A conversion worked out before a byte is written: what is read, what is made. */
export interface ConversionPlan {
  format: FormatName;
  outputFiles: string[];
  diskSize: number;
  /**
   * Ranges of the disk being written that are read (from the source, or from a resized copy);
   * all-zero runs inside them are not written. Before a resize runs, its partition counts with
   * the source's used ranges.
   */
  copy: ByteRange[];
  copyBytes: number;
  /** The source as it was read. */
  layout: InspectReport;
  /** The new layout, when the request changes it; null when the disk is copied as it is. */
  volumes: VolumeLayout | null;
  warnings: string[];
  /** What the run needs besides the report: the used ranges behind it. */
  diskLayout: DiskLayout;
}

export interface ConvertEvents {
  onPlan?(plan: ConversionPlan): void;
  onProgress?(progress: Progress): void;
  /** Something the user should know that does not stop the job (a filesystem left unresized). */
  onWarning?(message: string): void;
}

export interface ConversionResult {
  files: string[];
  /** Size of the output files on disk, in bytes. */
  bytes: number;
}

/** Works out what a conversion of `source` will read and write, before a byte is written. */
export async function planConversion(
  source: BlockSource,
  request: ConvertRequest,
): Promise<ConversionPlan> {
  const format = chooseFormat(request.destination, request.format);
  const layout = await readLayout(source);
  const volumeRequest = toVolumeRequest(request);
  const volumes = changesLayout(volumeRequest)
    ? await planVolumes(source, layout, volumeRequest)
    : null;
  const copy = volumes
    ? plannedCopy(source, layout, volumes, request.allBlocks ?? false)
    : copyRanges(layout, request.allBlocks ?? false);
  return {
    format,
    outputFiles: writerFor(format).outputFiles(request.destination),
    diskSize: volumes?.plan.diskSize ?? source.size,
    copy,
    copyBytes: totalLength(copy),
    layout: layout.report,
    volumes,
    warnings: [...layout.report.warnings, ...(volumes?.warnings ?? [])],
    diskLayout: layout,
  };
}

function toVolumeRequest(request: ConvertRequest): VolumeRequest {
  const resize = new Map(
    Object.entries(request.resize ?? {}).map(([number, size]) => [Number(number), size]),
  );
  return {
    ...(request.partitions ? { partitions: request.partitions } : {}),
    ...(resize.size > 0 ? { resize } : {}),
    ...(request.diskSize === undefined ? {} : { diskSize: request.diskSize }),
  };
}

/**
 * The new disk's ranges to read, before any filesystem is resized: a resized partition counts
 * with its source used ranges, which is what its copy will roughly hold.
 */
function plannedCopy(
  source: BlockSource,
  layout: DiskLayout,
  volumes: VolumeLayout,
  allBlocks: boolean,
): ByteRange[] {
  const from = allBlocks ? { ...layout, used: new Map() } : layout;
  const asCopied = {
    ...volumes.plan,
    partitions: volumes.plan.partitions.map((p) =>
      p.action === 'resize' ? { ...p, action: 'copy' as const } : p,
    ),
  };
  return destinationDisk(source, from, asCopied, new Map()).copy;
}

/** `ferry convert`: plan, then copy the planned extents into the chosen format. */
export async function convert(
  request: ConvertRequest,
  events: ConvertEvents = {},
  signal?: AbortSignal,
): Promise<ConversionResult> {
  const format = chooseFormat(request.destination, request.format);
  const source = await openSource(request.source, signal ? { signal } : {});
  try {
    const plan = await planConversion(source, request);
    events.onPlan?.(plan);
    await guardDestination(request.source, plan.outputFiles, { force: request.force ?? false });
    throwIfAborted(signal, request.source);

    const resizing = plan.volumes?.temporaryBytes ?? 0;
    const meter = new ProgressMeter(resizing + plan.copyBytes);
    const disk = plan.volumes
      ? await reshapeDisk(source, plan.diskLayout, plan.volumes, {
          tempDir: dirname(request.destination),
          allBlocks: request.allBlocks ?? false,
          onProgress: (done) => events.onProgress?.(meter.update(Math.min(done, resizing))),
          ...(signal ? { signal } : {}),
        })
      : { disk: source, copy: plan.copy, warnings: [], dispose: async () => {} };
    try {
      for (const warning of disk.warnings) events.onWarning?.(warning);
      meter.retotal(resizing + totalLength(disk.copy));
      const writer = await writerFor(format).create(request.destination, {
        size: disk.disk.size,
        thick: request.thick ?? false,
        compress: request.compress ?? false,
      });
      try {
        const extents = readExtents(disk.disk, disk.copy, {
          onRead: (done) => events.onProgress?.(meter.update(resizing + done)),
          ...(signal ? { signal } : {}),
          ...(request.throttle ? { throttle: request.throttle } : {}),
        });
        for await (const extent of extents) {
          await writer.write(extent);
        }
        throwIfAborted(signal, request.source);
        const files = await writer.finish();
        return { files, bytes: await sizeOnDisk(files) };
      } catch (error) {
        await writer.abort();
        throw error;
      }
    } finally {
      await disk.dispose();
    }
  } finally {
    await source.close();
  }
}

async function sizeOnDisk(files: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const file of files) bytes += (await stat(file)).blocks * 512;
  return bytes;
}
