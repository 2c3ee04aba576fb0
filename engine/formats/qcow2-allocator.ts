/**
 * Host cluster allocation for a qcow2 file written front to back, with its 16-bit refcounts.
 *
 * The file grows only at its end. Refcount block k describes host clusters [k*E, (k+1)*E)
 * (E = entries per block) and lives in the first free cluster of that same range, reserved the
 * moment allocation reaches it; by then every cluster of block k-1 is final, so block k-1 is
 * written and forgotten. Memory is one refcount block, whatever the size of the image.
 */

export interface AllocatorLayout {
  clusterBits: number;
  /** Clusters at the start of the file already taken: header, refcount table, L1 table. */
  prefixClusters: number;
  /** Entries the refcount table has room for. */
  refcountTableEntries: number;
}

/** Receives a finished refcount block, to be written at `position`. */
export type EmitBlock = (position: number, block: Buffer) => void;

export class Qcow2Allocator {
  private readonly clusterSize: number;
  private readonly entriesPerBlock: number;
  private readonly counts: Uint16Array;
  /** Host offsets of the refcount blocks so far; the last one is being filled. */
  private readonly blockOffsets: number[] = [];
  /** Clusters taken so far: the next one allocated is this one. */
  private frontier: number;
  /** Where the next compressed bytes go, inside cluster frontier - 1; undefined when none is open. */
  private cursor: number | undefined;

  constructor(
    private readonly layout: AllocatorLayout,
    private readonly emit: EmitBlock,
  ) {
    this.clusterSize = 2 ** layout.clusterBits;
    this.entriesPerBlock = this.clusterSize / 2;
    if (layout.prefixClusters >= this.entriesPerBlock) {
      throw new RangeError('the qcow2 prefix does not fit in the first refcount block');
    }
    this.counts = new Uint16Array(this.entriesPerBlock);
    this.counts.fill(1, 0, layout.prefixClusters + 1);
    this.blockOffsets.push(layout.prefixClusters * this.clusterSize);
    this.frontier = layout.prefixClusters + 1;
  }

  /** Clusters in the file so far: the file's length is this times the cluster size. */
  get clusters(): number {
    return this.frontier;
  }

  /** A whole cluster for data or an L2 table; returns its host offset. */
  allocateCluster(): number {
    this.cursor = undefined;
    const cluster = this.take();
    this.counts[cluster % this.entriesPerBlock]!++;
    return cluster * this.clusterSize;
  }

  /**
   * Room for `length` (< cluster size) compressed bytes, packed after the previous ones as QEMU
   * packs them; a run may straddle two clusters, each of which then counts one more reference.
   */
  allocateBytes(length: number): number {
    const open = this.cursor;
    if (open !== undefined) {
      const openCluster = this.frontier - 1;
      const room = (openCluster + 1) * this.clusterSize - open;
      if (length <= room) {
        this.counts[openCluster % this.entriesPerBlock]!++;
        this.advanceCursor(open + length);
        return open;
      }
      if (this.frontier % this.entriesPerBlock !== 0) {
        this.counts[openCluster % this.entriesPerBlock]!++;
        const next = this.take();
        this.counts[next % this.entriesPerBlock]!++;
        this.advanceCursor(open + length);
        return open;
      }
      // The next cluster is reserved for a refcount block: start afresh after it.
    }
    const cluster = this.take();
    this.counts[cluster % this.entriesPerBlock]!++;
    const start = cluster * this.clusterSize;
    this.advanceCursor(start + length);
    return start;
  }

  /** Emits the last refcount block and returns the refcount table's contents. */
  finish(): Buffer {
    this.emitCurrentBlock();
    if (this.blockOffsets.length > this.layout.refcountTableEntries) {
      throw new RangeError('qcow2 refcount table sized too small');
    }
    const table = Buffer.alloc(this.layout.refcountTableEntries * 8);
    this.blockOffsets.forEach((offset, index) => table.writeBigUInt64BE(BigInt(offset), index * 8));
    return table;
  }

  private advanceCursor(end: number): void {
    this.cursor = end % this.clusterSize === 0 ? undefined : end;
  }

  /** Takes the next cluster, reserving refcount blocks at the start of their ranges. */
  private take(): number {
    let cluster = this.frontier;
    if (cluster % this.entriesPerBlock === 0) {
      this.emitCurrentBlock();
      this.counts.fill(0);
      this.counts[0] = 1;
      this.blockOffsets.push(cluster * this.clusterSize);
      cluster++;
    }
    this.frontier = cluster + 1;
    return cluster;
  }

  private emitCurrentBlock(): void {
    const block = Buffer.alloc(this.clusterSize);
    for (let i = 0; i < this.entriesPerBlock; i++) block.writeUInt16BE(this.counts[i]!, i * 2);
    this.emit(this.blockOffsets[this.blockOffsets.length - 1]!, block);
  }
}
