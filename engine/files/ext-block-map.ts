/**
 * The ext2/ext3 block map: twelve direct pointers in i_block, then one indirect, one double and
 * one triple indirect block. A zero pointer is a hole. Only pointers below the wanted limit are
 * followed, and no indirect block may be used twice, so a hostile map costs no more reads than
 * the file has blocks.
 */
import type { BlockRun, ExtVolume } from './ext-volume.js';

const DIRECT_POINTERS = 12;
const INDIRECT_LEVELS = 3;

class BlockMapWalk {
  readonly runs: BlockRun[] = [];
  private readonly visited = new Set<number>();
  readonly pointersPerBlock: number;

  constructor(
    private readonly ext: ExtVolume,
    readonly limit: number,
    private readonly what: string,
  ) {
    this.pointersPerBlock = ext.geometry.blockSize / 4;
  }

  add(logical: number, physical: number): void {
    if (physical === 0) return;
    this.ext.checkBlocks(physical, 1, this.what);
    const last = this.runs[this.runs.length - 1];
    if (last && last.logical + last.count === logical && last.physical + last.count === physical) {
      last.count++;
    } else {
      this.runs.push({ logical, physical, count: 1 });
    }
  }

  /** Follows an indirect block of `level` (1 single, 2 double, 3 triple) mapping from `first`. */
  async indirect(pointer: number, level: number, first: number): Promise<void> {
    if (pointer === 0) return;
    if (this.visited.has(pointer)) {
      throw this.ext.damaged(`indirect block ${pointer} is used twice`, this.what);
    }
    this.visited.add(pointer);
    const block = await this.ext.readBlocks(pointer, 1, this.what);
    const span = this.pointersPerBlock ** (level - 1);
    for (let i = 0; i < this.pointersPerBlock; i++) {
      const logical = first + i * span;
      if (logical >= this.limit) return;
      const next = block.readUInt32LE(i * 4);
      if (level === 1) this.add(logical, next);
      else await this.indirect(next, level - 1, logical);
    }
  }
}

/** The mapped blocks among logical blocks 0 .. limit - 1, in logical order. */
export async function blockMapRuns(
  ext: ExtVolume,
  pointers: Buffer,
  limit: number,
  what: string,
): Promise<BlockRun[]> {
  const walk = new BlockMapWalk(ext, limit, what);
  for (let i = 0; i < DIRECT_POINTERS && i < limit; i++) walk.add(i, pointers.readUInt32LE(i * 4));
  let first = DIRECT_POINTERS;
  for (let level = 1; level <= INDIRECT_LEVELS && first < limit; level++) {
    await walk.indirect(pointers.readUInt32LE((DIRECT_POINTERS + level - 1) * 4), level, first);
    first += walk.pointersPerBlock ** level;
  }
  return walk.runs;
}
