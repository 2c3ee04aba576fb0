import { FerryError } from '../../shared/errors.js';
import type { ReadExactly } from './file-source.js';

/** One positional read, as FileHandle.read does it: returns how many bytes arrived. */
export type PositionalRead = (
  buffer: Buffer,
  bufferOffset: number,
  length: number,
  position: number,
) => Promise<{ bytesRead: number }>;

export interface AlignedReadOptions {
  sectorSize: number;
  /** The most one call to the device may ask for; rounded down to whole sectors. */
  maxRead?: number;
  where: string;
}

const DEFAULT_MAX_READ = 2 ** 20;

/**
 * Raw devices (macOS /dev/rdiskN, Windows \\.\PhysicalDriveN) refuse reads whose offset or
 * length is not a whole number of sectors. This widens any (offset, length) to the sectors that
 * cover it, reads those in bounded steps, and returns just the bytes that were asked for.
 */
export function alignedReader(read: PositionalRead, options: AlignedReadOptions): ReadExactly {
  const { sectorSize, where } = options;
  if (!Number.isSafeInteger(sectorSize) || sectorSize <= 0) {
    throw new FerryError('SOURCE_UNREADABLE', `the device reports a sector size of ${sectorSize}`, {
      where,
      hint: 'the device did not report a usable geometry; try again after reconnecting it',
    });
  }
  const maxRead = Math.max(
    sectorSize,
    Math.floor((options.maxRead ?? DEFAULT_MAX_READ) / sectorSize) * sectorSize,
  );
  return async (offset, length) => {
    const start = Math.floor(offset / sectorSize) * sectorSize;
    const end = Math.ceil((offset + length) / sectorSize) * sectorSize;
    const buffer = Buffer.allocUnsafe(end - start);
    let position = start;
    while (position < end) {
      const want = Math.min(maxRead, end - position);
      const { bytesRead } = await read(buffer, position - start, want, position);
      // A device answers in whole sectors; anything less is re-read from its sector start
      // so that the next request stays aligned.
      const advance = Math.floor(Math.min(bytesRead, want) / sectorSize) * sectorSize;
      if (advance === 0) {
        throw new FerryError(
          'SOURCE_TRUNCATED',
          `the device returned ${bytesRead} bytes for ${want} at ${position}`,
          { where, hint: 'the disk is smaller than it reported or was disconnected' },
        );
      }
      position += advance;
    }
    return buffer.subarray(offset - start, offset - start + length);
  };
}
