import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from './source.js';

/**
 * A window onto another source: a partition seen as a volume of its own. Reads are relative to
 * the window and may not leave it, so a filesystem parser cannot wander into its neighbours.
 */
export function sliceSource(
  parent: BlockSource,
  offset: number,
  size: number,
  label?: string,
): BlockSource {
  const path = label ?? `${parent.path}@${offset}`;
  return {
    path,
    format: parent.format,
    size,
    sectorSize: parent.sectorSize,
    async read(at: number, length: number): Promise<Buffer> {
      if (
        !Number.isSafeInteger(at) ||
        !Number.isSafeInteger(length) ||
        at < 0 ||
        length < 0 ||
        at + length > size
      ) {
        throw new FerryError(
          'SOURCE_TRUNCATED',
          `read of ${length} bytes at ${at} lies beyond the end (${size} bytes)`,
          {
            where: path,
          },
        );
      }
      return parent.read(offset + at, length);
    },
    async close(): Promise<void> {
      // The parent owns the file handle.
    },
  };
}
