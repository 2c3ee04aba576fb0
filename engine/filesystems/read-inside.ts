import type { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';

/**
 * Reads a structure that a filesystem points at. A pointer past the end of the volume is damage
 * to that filesystem, so it fails with the driver's own error (`outside`), not the source's
 * SOURCE_TRUNCATED.
 */
export async function readInside(
  volume: BlockSource,
  at: number,
  length: number,
  outside: () => FerryError,
): Promise<Buffer> {
  if (at + length > volume.size) throw outside();
  return volume.read(at, length);
}
