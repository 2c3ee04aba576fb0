import { checkReadRange } from './file-source.js';
import type { BlockSource } from './source.js';

/** Parsers bounds-check against the volume, so a read that leaves it follows a damaged pointer. */
const OUTSIDE_HINT =
  'the filesystem points past the end of its partition; repair it with its own tools';

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
      checkReadRange(at, length, size, path, OUTSIDE_HINT);
      return parent.read(offset + at, length);
    },
    async close(): Promise<void> {
      // The parent owns the file handle.
    },
  };
}
