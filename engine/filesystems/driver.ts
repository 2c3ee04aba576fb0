import type { BlockSource } from '../io/source.js';
import type { ByteRange } from '../ranges.js';
import type { DetectedFilesystem } from './types.js';

/**
 * One filesystem Ferry knows. Every driver can recognise its superblock; the ones Ferry can
 * copy selectively also map which bytes are in use.
 */
export interface FilesystemDriver {
  /**
   * Recognises the filesystem on `volume` (a partition, or a whole disk without a table).
   * Returns null when the volume does not hold it. Throws FerryError BAD_FILESYSTEM when the
   * signature matches but the structure is damaged beyond reading its identity.
   */
  probe(volume: BlockSource): Promise<DetectedFilesystem | null>;
  /**
   * The byte ranges the filesystem uses, relative to the start of the volume, sorted and
   * merged, read from the filesystem's own allocation structures. Throws FerryError
   * BAD_FILESYSTEM on structures that contradict themselves.
   */
  usedRanges?(volume: BlockSource, filesystem: DetectedFilesystem): Promise<ByteRange[]>;
}
