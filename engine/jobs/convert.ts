import { stat } from 'node:fs/promises';
import type { FormatName } from '../../shared/formats.js';
import type { InspectReport } from '../../shared/layout.js';
import { chooseFormat, writerFor } from '../formats/registry.js';
import { readLayout } from '../inspect.js';
import { openSource } from '../io/open-source.js';
import type { BlockSource } from '../io/source.js';
import { totalLength, type ByteRange } from '../ranges.js';
import { copyRanges } from './copy-ranges.js';
import { guardDestination } from './destination-guard.js';
import { ProgressMeter, type Progress } from './progress.js';
import { readExtents, throwIfAborted } from './read-extents.js';

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
}

/** A conversion worked out before a byte is written: what is read, what is made. */
export interface ConversionPlan {
  format: FormatName;
  outputFiles: string[];
  diskSize: number;
  /** Source ranges read; all-zero runs inside them are not written. */
  copy: ByteRange[];
  copyBytes: number;
  layout: InspectReport;
}

export interface ConvertEvents {
  onPlan?(plan: ConversionPlan): void;
  onProgress?(progress: Progress): void;
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
  const copy = copyRanges(layout, request.allBlocks ?? false);
  return {
    format,
    outputFiles: writerFor(format).outputFiles(request.destination),
    diskSize: source.size,
    copy,
    copyBytes: totalLength(copy),
    layout: layout.report,
  };
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

    const writer = await writerFor(format).create(request.destination, {
      size: source.size,
      thick: request.thick ?? false,
      compress: request.compress ?? false,
    });
    try {
      const meter = new ProgressMeter(plan.copyBytes);
      const extents = readExtents(source, plan.copy, {
        onRead: (done) => events.onProgress?.(meter.update(done)),
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
    await source.close();
  }
}

async function sizeOnDisk(files: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const file of files) bytes += (await stat(file)).blocks * 512;
  return bytes;
}
