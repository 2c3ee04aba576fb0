/**
 * Where each virtual cluster of a qcow2 image is stored: the L1 table, read whole when the
 * image is opened, and L2 tables read on demand behind a small cache. Every offset is checked
 * against the file before it is used.
 */
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { decodeL2Entry, l1TableOffset, type ClusterMapping } from './qcow2-entries.js';
import type { Qcow2Header } from './qcow2-header.js';

/** L2 tables kept in memory: 16 MiB of them, at least one. */
const L2_CACHE_BYTES = 16 * 2 ** 20;

export class Qcow2ClusterMap {
  readonly clusterSize: number;
  readonly clusterBits: number;
  /** Virtual clusters of the disk (the last may be partly beyond its end). */
  readonly clusters: number;
  readonly l2Entries: number;
  private readonly l2Cache = new Map<number, Buffer>();
  private readonly l2CacheLimit: number;

  private constructor(
    private readonly file: BlockSource,
    header: Qcow2Header,
    /** Host offset of each L2 table, 0 where none is allocated. */
    readonly l2Offsets: readonly number[],
  ) {
    this.clusterBits = header.clusterBits;
    this.clusterSize = 2 ** header.clusterBits;
    this.l2Entries = this.clusterSize / 8;
    this.clusters = Math.ceil(header.size / this.clusterSize);
    this.l2CacheLimit = Math.max(1, Math.floor(L2_CACHE_BYTES / this.clusterSize));
  }

  static async load(file: BlockSource, header: Qcow2Header): Promise<Qcow2ClusterMap> {
    const clusterSize = 2 ** header.clusterBits;
    const l2Entries = clusterSize / 8;
    const needed = Math.ceil(Math.ceil(header.size / clusterSize) / l2Entries);
    if (header.l1Size < needed) {
      throw new FerryError(
        'BAD_IMAGE',
        `the L1 table has ${header.l1Size} entries; a ${header.size}-byte disk needs ${needed}`,
        {
          where: `${file.path}: qcow2 header`,
          hint: 'the image is damaged; `qemu-img check` may say more',
        },
      );
    }
    // The header check put the whole L1 table inside the file, so this read is bounded by it.
    const l1 = needed === 0 ? Buffer.alloc(0) : await file.read(header.l1TableOffset, needed * 8);
    const offsets: number[] = [];
    // Each L2 table serves one L1 entry; a shared one would multiply the work of a scan.
    const seen = new Set<number>();
    for (let index = 0; index < needed; index++) {
      const offset = l1TableOffset(l1, index);
      if (offset === 0) {
        offsets.push(0);
        continue;
      }
      const problem =
        offset % clusterSize !== 0 || offset + clusterSize > file.size
          ? 'which is not a cluster inside the file'
          : seen.has(offset)
            ? 'a table another entry uses too'
            : undefined;
      if (problem) {
        throw new FerryError('BAD_IMAGE', `L1 entry ${index} points at ${offset}, ${problem}`, {
          where: `${file.path}: qcow2 L1 table`,
          hint: 'the image is damaged; `qemu-img check -r all` may repair it',
        });
      }
      seen.add(offset);
      offsets.push(offset);
    }
    return new Qcow2ClusterMap(file, header, offsets);
  }

  /** How virtual cluster `cluster` is stored. */
  async lookup(cluster: number): Promise<ClusterMapping> {
    const tableIndex = Math.floor(cluster / this.l2Entries);
    const tableOffset = this.l2Offsets[tableIndex] ?? 0;
    if (tableOffset === 0) return { kind: 'zero' };
    const table = await this.table(tableOffset);
    return this.entry(table, cluster % this.l2Entries, tableOffset);
  }

  /** Calls `visit` with every stored (data or compressed) cluster, in order. */
  async forEachStored(visit: (cluster: number) => void): Promise<void> {
    for (let tableIndex = 0; tableIndex < this.l2Offsets.length; tableIndex++) {
      const tableOffset = this.l2Offsets[tableIndex]!;
      if (tableOffset === 0) continue;
      const table = await this.table(tableOffset);
      const first = tableIndex * this.l2Entries;
      const count = Math.min(this.l2Entries, this.clusters - first);
      for (let index = 0; index < count; index++) {
        if (this.entry(table, index, tableOffset).kind !== 'zero') visit(first + index);
      }
    }
  }

  private entry(table: Buffer, index: number, tableOffset: number): ClusterMapping {
    const mapping = decodeL2Entry(table, index, this.clusterBits);
    if (mapping.kind === 'zero') return mapping;
    const misaligned = mapping.kind === 'data' && mapping.host % this.clusterSize !== 0;
    if (misaligned || mapping.host >= this.file.size) {
      throw new FerryError(
        'BAD_IMAGE',
        `L2 entry ${index} points at ${mapping.kind} bytes at ${mapping.host}, ${
          misaligned ? 'not on a cluster boundary' : 'beyond the end of the file'
        }`,
        {
          where: `${this.file.path}: qcow2 L2 table at ${tableOffset}`,
          hint: 'the image is damaged; `qemu-img check -r all` may repair it',
        },
      );
    }
    return mapping;
  }

  private async table(offset: number): Promise<Buffer> {
    const cached = this.l2Cache.get(offset);
    if (cached) {
      // Most recently used last, so the first key is the one to evict.
      this.l2Cache.delete(offset);
      this.l2Cache.set(offset, cached);
      return cached;
    }
    const table = await this.file.read(offset, this.clusterSize);
    if (this.l2Cache.size >= this.l2CacheLimit) {
      this.l2Cache.delete(this.l2Cache.keys().next().value!);
    }
    this.l2Cache.set(offset, table);
    return table;
  }
}
