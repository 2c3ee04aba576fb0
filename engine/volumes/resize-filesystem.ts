/**
 * `--resize N=SIZE`: the filesystem of a partition follows its new size. Every resize works on a
 * temporary copy of the partition's used bytes, never on the source, and reports the space the
 * copy takes. What cannot be done is refused before anything is copied where possible, and always
 * before a byte of the destination is written: the planner calls this first.
 */
import { FerryError } from '../../shared/errors.js';
import type { FilesystemType } from '../../shared/layout.js';
import { formatSize } from '../../shared/units.js';
import { detectFilesystem } from '../filesystems/detect.js';
import type { DetectedFilesystem } from '../filesystems/types.js';
import { sliceSource } from '../io/slice.js';
import type { BlockSource } from '../io/source.js';
import { extResizer } from './resize-ext.js';
import { fatResizer } from './resize-fat.js';
import { ntfsResizer } from './resize-ntfs.js';
import { refuseShrink } from './resize-refusal.js';
import { swapResizer } from './resize-swap.js';
import { cancelled, findTool, toolMissing } from './resize-tool.js';
import type {
  FilesystemResizer,
  ResizeCheck,
  ResizedFilesystem,
  ResizeInput,
  ResizeOutcome,
} from './resize-types.js';
import { growWarning, unchangedFilesystem } from './resize-unchanged.js';

export type { ResizeCheck, ResizedFilesystem, ResizeInput } from './resize-types.js';

const RESIZERS: Partial<Record<FilesystemType, FilesystemResizer>> = {
  ext2: extResizer,
  ext3: extResizer,
  ext4: extResizer,
  ntfs: ntfsResizer,
  fat12: fatResizer,
  fat16: fatResizer,
  fat32: fatResizer,
  swap: swapResizer,
};

/** Whether Ferry can make a filesystem of this type follow a new partition size. */
export function canResize(type: FilesystemType): boolean {
  return RESIZERS[type] !== undefined;
}

/**
 * What the wizard's sliders and the planner need, cheaply: whether the filesystem can follow a
 * new size, and an estimate of the smallest. Given the volume, a native resizer reads the exact
 * minimum from it (FAT: where its highest cluster in use ends).
 */
export async function checkResize(
  filesystem: DetectedFilesystem,
  usedBytes: number,
  partitionSize: number,
  volume?: BlockSource,
): Promise<ResizeCheck> {
  const resizer = RESIZERS[filesystem.type];
  const fixed = {
    resizer: null,
    minimumSize: filesystem.size,
    canGrow: false,
    canShrink: false,
    tempBytes: 0,
  };
  if (!resizer) {
    return {
      ...fixed,
      warning: `Ferry cannot resize ${filesystem.type}: a larger partition keeps the filesystem at its size, and the partition cannot shrink below it`,
    };
  }
  if (resizer.tool && !(await findTool(resizer.tool.program))) {
    const { program, packageName } = resizer.tool;
    return {
      ...fixed,
      warning: `${program} is not installed (package ${packageName}): a larger partition keeps the ${filesystem.type} filesystem at its size, and the partition cannot shrink below it`,
    };
  }
  const minimumSize =
    volume && resizer.measureMinimum
      ? await resizer.measureMinimum(volume)
      : resizer.estimateMinimum(filesystem, usedBytes);
  return {
    resizer: resizer.name,
    minimumSize,
    canGrow: true,
    canShrink: minimumSize < partitionSize,
    tempBytes: usedBytes,
  };
}

/**
 * Resizes the filesystem of `input.volume` to fill `input.newSize` bytes, on a temporary copy in
 * `input.tempDir`. Refuses (LAYOUT_REFUSED) a shrink below what the filesystem needs, quoting the
 * minimum; a shrink needing a tool that is missing is TOOL_MISSING; a grow without one keeps the
 * filesystem's size and warns. The copy is deleted on every failure and on cancel; on success,
 * by `dispose`.
 */
export async function resizeFilesystem(input: ResizeInput): Promise<ResizedFilesystem> {
  const { volume, filesystem, newSize } = input;
  const where = volume.path;
  if (input.signal?.aborted) throw cancelled(where);
  if (!Number.isSafeInteger(newSize) || newSize <= 0) {
    throw new FerryError('LAYOUT_REFUSED', `${newSize} is not a partition size`, {
      where,
      hint: 'give a size in bytes, K, M or G',
    });
  }
  const resizer = RESIZERS[filesystem.type];
  const occupied = resizer?.occupiedBytes(filesystem, volume) ?? filesystem.size ?? volume.size;
  if (newSize === occupied) return unchangedFilesystem(input, occupied, []);
  const tool = resizer?.tool ?? null;
  const missing = tool !== null && (await findTool(tool.program)) === null;

  if (newSize > occupied && (!resizer || missing)) {
    const why = resizer
      ? `${tool?.program} is not installed (install ${tool?.packageName} to resize it)`
      : `Ferry cannot resize ${filesystem.type}`;
    return unchangedFilesystem(input, occupied, [growWarning(input, occupied, why)]);
  }
  if (!resizer) {
    refuseShrink(where, `its ${filesystem.type} filesystem`, 'Ferry cannot resize it', occupied);
  }
  if (tool && missing) {
    throw toolMissing(
      tool.program,
      tool.packageName,
      where,
      `to shrink the ${filesystem.type} filesystem`,
      `give the partition at least ${formatSize(occupied)} (${occupied} bytes) so the filesystem keeps its size`,
    );
  }
  return finish(input, await resizer.resize(input));
}

/** Reads the resized copy back with Ferry's own driver: its type must hold, its used bytes are what gets converted. */
async function finish(input: ResizeInput, outcome: ResizeOutcome): Promise<ResizedFilesystem> {
  const { copy } = outcome;
  const where = input.volume.path;
  try {
    const view = await copy.open();
    const detection = await detectFilesystem(view);
    if (!detection?.driver.usedRanges || detection.filesystem.type !== input.filesystem.type) {
      throw new FerryError(
        'TOOL_OUTPUT',
        `the resized copy holds ${detection?.filesystem.type ?? 'no filesystem Ferry knows'}, not ${input.filesystem.type}`,
        { where, hint: "the source is untouched; keep the partition's size, and report this" },
      );
    }
    const used = await detection.driver.usedRanges(view, detection.filesystem);
    return {
      volume: sliceSource(view, 0, view.size, `${where} (resized)`),
      used,
      filesystemSize: outcome.filesystemSize,
      tempBytes: await copy.allocatedBytes(),
      warnings: outcome.warnings,
      dispose: () => copy.dispose(),
    };
  } catch (error) {
    await copy.dispose();
    throw error;
  }
}
