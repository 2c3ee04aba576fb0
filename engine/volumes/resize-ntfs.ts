/**
 * NTFS through ntfsresize (ntfs-3g): `--info` says how small the volume can get, then the volume
 * is resized on the copy. ntfsresize marks the volume for chkdsk, which Windows runs at its first
 * boot; that is what it should do after a resize made outside Windows.
 */
import { FerryError } from '../../shared/errors.js';
import { hasNtfsSignature, NTFS_BOOT_SIZE } from '../filesystems/ntfs-boot.js';
import { refuseBelowMinimum, roundUpToMib } from './resize-refusal.js';
import { runResizeTool } from './resize-tool.js';
import type { FilesystemResizer, ResizeInput, ResizeOutcome } from './resize-types.js';
import { TemporaryCopy } from './temporary-copy.js';

const NTFS_3G = 'ntfs-3g';
/**
 * ntfsresize's minimum is the clusters in use and little more; the margin leaves Windows room to
 * boot and covers the metadata ntfsresize adds while relocating.
 */
const ESTIMATE_MARGIN = 1 / 50;
const ESTIMATE_SLACK = 2 * 1024 * 1024;

export const ntfsResizer: FilesystemResizer = {
  name: 'ntfsresize',
  tool: { program: 'ntfsresize', packageName: NTFS_3G },

  // The backup boot sector sits in the sector after the filesystem's last one.
  occupiedBytes: (filesystem, volume) =>
    filesystem.size === null ? volume.size : filesystem.size + volume.sectorSize,

  estimateMinimum: (_filesystem, usedBytes) =>
    roundUpToMib(usedBytes * (1 + ESTIMATE_MARGIN) + ESTIMATE_SLACK),

  async resize(input: ResizeInput): Promise<ResizeOutcome> {
    const where = input.volume.path;
    return TemporaryCopy.use(
      {
        ...input,
        size: Math.max(input.volume.size, input.newSize),
      },
      async (copy) => {
        const before = await ntfsGeometry(copy, where);
        // ntfsresize writes the new backup boot sector only for a size in whole sectors.
        const newSize = Math.floor(input.newSize / before.bytesPerSector) * before.bytesPerSector;
        if (newSize < before.size + before.bytesPerSector) {
          const minimum = await minimumSizeOf(copy, input);
          if (newSize < minimum) {
            refuseBelowMinimum({
              where,
              what: 'its ntfs filesystem',
              newSize: input.newSize,
              minimum,
              source: 'ntfsresize --info',
            });
          }
        }
        await runResizeTool({
          name: 'ntfsresize',
          args: ['--force', '--no-progress-bar', '--size', String(newSize), copy.path],
          packageName: NTFS_3G,
          where,
          // It asks before the dangerous part; on a scratch copy the answer is yes.
          input: 'y\n',
          signal: input.signal,
        });
        await copy.truncate(input.newSize);
        const after = await ntfsGeometry(copy, where);
        return {
          copy,
          filesystemSize: after.size,
          warnings: [
            `${where}: the NTFS filesystem was resized outside Windows and is marked for checking; Windows runs chkdsk on it at its first boot`,
          ],
        };
      },
    );
  },
};

/** The smallest size ntfsresize --info offers ("You might resize at N bytes"). */
async function minimumSizeOf(copy: TemporaryCopy, input: ResizeInput): Promise<number> {
  const output = await runResizeTool({
    name: 'ntfsresize',
    args: ['--info', '--force', '--no-progress-bar', copy.path],
    packageName: NTFS_3G,
    where: input.volume.path,
    signal: input.signal,
  });
  const match = /might resize at (\d+) bytes/i.exec(output.stdout);
  const bytes = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new FerryError('TOOL_OUTPUT', 'ntfsresize --info did not say how small it can go', {
      where: input.volume.path,
      hint: `check that ${NTFS_3G} is installed properly, or keep the partition's size`,
    });
  }
  return bytes;
}

interface NtfsSize {
  bytesPerSector: number;
  /** Sectors in the filesystem times the sector size: its backup boot sector comes after. */
  size: number;
}

async function ntfsGeometry(copy: TemporaryCopy, where: string): Promise<NtfsSize> {
  const boot = await copy.readAt(0, NTFS_BOOT_SIZE);
  const bytesPerSector = boot.readUInt16LE(0x0b);
  const size = Number(boot.readBigUInt64LE(0x28)) * bytesPerSector;
  if (
    !hasNtfsSignature(boot) ||
    ![512, 1024, 2048, 4096].includes(bytesPerSector) ||
    !Number.isSafeInteger(size)
  ) {
    throw new FerryError('TOOL_OUTPUT', 'the copy does not hold a readable NTFS boot sector', {
      where,
      hint: "the source is untouched; check it with ntfsfix -n, or keep the partition's size",
    });
  }
  return { bytesPerSector, size };
}
