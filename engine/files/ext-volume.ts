/**
 * An ext filesystem opened for reading files: its geometry, checked once, and block reads that
 * may not leave it. Every ext file reader goes through this, so a damaged pointer fails as
 * BAD_FILESYSTEM naming what held it.
 */
import { FerryError } from '../../shared/errors.js';
import { EXT_DAMAGED_HINT, type ExtGeometry } from '../filesystems/ext-superblock.js';
import type { BlockSource } from '../io/source.js';

/** Blocks `logical .. logical + count - 1` of a file lie at `physical ..` on the volume. */
export interface BlockRun {
  logical: number;
  physical: number;
  count: number;
}

/** The largest single read; longer runs are read in pieces so a copy never doubles a big file. */
const MAX_READ = 4 * 1024 * 1024;

export class ExtVolume {
  constructor(
    readonly volume: BlockSource,
    readonly geometry: ExtGeometry,
  ) {}

  damaged(message: string, what: string): FerryError {
    return new FerryError('BAD_FILESYSTEM', message, {
      where: `${this.volume.path}: ext ${what}`,
      hint: EXT_DAMAGED_HINT,
    });
  }

  /** Throws unless blocks `block .. block + count - 1` are data blocks of the filesystem. */
  checkBlocks(block: number, count: number, what: string): void {
    const { firstDataBlock, blocksCount } = this.geometry;
    if (block < firstDataBlock || count < 0 || block + count > blocksCount) {
      throw this.damaged(`block ${block} (+${count}) lies outside the filesystem`, what);
    }
  }

  async readBlocks(block: number, count: number, what: string): Promise<Buffer> {
    this.checkBlocks(block, count, what);
    const { blockSize } = this.geometry;
    return this.volume.read(block * blockSize, count * blockSize);
  }

  /** Copies the runs' blocks into `target`, logical block 0 at byte 0; the rest stays as it is. */
  async readRuns(runs: readonly BlockRun[], target: Buffer, what: string): Promise<void> {
    const { blockSize } = this.geometry;
    const perRead = Math.max(1, Math.floor(MAX_READ / blockSize));
    for (const run of runs) {
      for (let done = 0; done < run.count; done += perRead) {
        const at = (run.logical + done) * blockSize;
        if (at >= target.length) break;
        const count = Math.min(perRead, run.count - done);
        const data = await this.readBlocks(run.physical + done, count, what);
        data.copy(target, at, 0, Math.min(data.length, target.length - at));
      }
    }
  }
}
