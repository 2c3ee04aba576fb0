/**
 * FAT cluster chains and the bytes they hold. A file's chain is followed exactly as far as its
 * size needs, a directory's to its end but no further than the largest directory FAT allows,
 * and a cluster met twice is a loop: no chain can run on forever or wander outside the volume.
 */
import type { FerryError } from '../../shared/errors.js';
import { fatError, type FatGeometry } from '../filesystems/fat-boot.js';
import { fatEntry } from '../filesystems/fat-table.js';
import { readInside } from '../filesystems/read-inside.js';
import type { BlockSource } from '../io/source.js';
import { pageCachedSource } from './fat-page-cache.js';

/** Entry values from here up mark the end of a chain. */
const END_OF_CHAIN = { fat12: 0xff8, fat16: 0xfff8, fat32: 0x0ffffff8 } as const;
/** The specification's limit: 65536 entries of 32 bytes. */
const MAX_DIRECTORY_BYTES = 65536 * 32;
const MAX_READ = 4 * 1024 * 1024;

export class FatChains {
  private readonly table: BlockSource;

  constructor(
    private readonly volume: BlockSource,
    private readonly geometry: FatGeometry,
  ) {
    this.table = pageCachedSource(volume);
  }

  /** The `count` clusters of a file's chain starting at `first`. */
  async fileClusters(first: number, count: number, what: string): Promise<number[]> {
    return count === 0 ? [] : this.walk(first, count, true, what);
  }

  /** Every cluster of a directory's chain starting at `first`. */
  directoryClusters(first: number, what: string): Promise<number[]> {
    const limit = Math.ceil(MAX_DIRECTORY_BYTES / this.geometry.clusterSize);
    return this.walk(first, limit, false, what);
  }

  /** The contents of `clusters`, in order, cut to `length` bytes. */
  async read(clusters: readonly number[], length: number, what: string): Promise<Buffer> {
    const { clusterSize, dataStart } = this.geometry;
    const content = Buffer.alloc(length);
    const perRead = Math.max(1, Math.floor(MAX_READ / clusterSize));
    for (let i = 0; i < clusters.length && i * clusterSize < length;) {
      let run = 1;
      while (
        i + run < clusters.length &&
        run < perRead &&
        clusters[i + run] === clusters[i]! + run
      ) {
        run++;
      }
      const at = dataStart + (clusters[i]! - 2) * clusterSize;
      const data = await readInside(this.volume, at, run * clusterSize, () =>
        this.damaged(`the clusters of ${what} lie beyond the end of the volume`, what),
      );
      data.copy(content, i * clusterSize, 0, Math.min(data.length, length - i * clusterSize));
      i += run;
    }
    return content;
  }

  private async walk(
    first: number,
    limit: number,
    exact: boolean,
    what: string,
  ): Promise<number[]> {
    const clusters: number[] = [];
    const seen = new Set<number>();
    const lastCluster = this.geometry.clusterCount + 1;
    for (let cluster = first; ;) {
      if (cluster < 2 || cluster > lastCluster) {
        throw this.damaged(
          `the chain of ${what} reaches cluster ${cluster}, which holds no data`,
          what,
        );
      }
      if (seen.has(cluster)) throw this.damaged(`the chain of ${what} loops`, what);
      seen.add(cluster);
      clusters.push(cluster);
      if (exact && clusters.length === limit) return clusters;
      const next = await fatEntry(this.table, this.geometry, cluster);
      if (next >= END_OF_CHAIN[this.geometry.type]) {
        if (exact) throw this.damaged(`the chain of ${what} is shorter than its size`, what);
        return clusters;
      }
      if (clusters.length === limit) {
        throw this.damaged(`${what} is longer than a FAT directory can be`, what);
      }
      cluster = next;
    }
  }

  private damaged(message: string, what: string): FerryError {
    return fatError(message, `${this.volume.path}: FAT ${what}`);
  }
}
