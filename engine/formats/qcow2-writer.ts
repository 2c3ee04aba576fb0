/**
 * Writes a qcow2 version 3 image (compat 1.1, 64 KiB clusters, 16-bit refcounts) in one pass.
 * Data clusters are appended in the order extents arrive; each L2 table is appended as soon as
 * the extents move past the 512 MiB it maps; the L1 table, refcount table and header are
 * written last into room reserved at the front (see qcow2-layout.ts and qcow2-allocator.ts).
 * All-zero clusters are never allocated.
 *
 * `thick` is ignored: qcow2 has no fixed variant, and QEMU's preallocation=metadata would only
 * allocate clusters for bytes that are zeros, making the file as large as the disk for nothing.
 */
import { Qcow2Allocator } from './qcow2-allocator.js';
import { compressQcow2Cluster } from './qcow2-deflate.js';
import { OrderedCompressor } from './ordered-compressor.js';
import { compressedEntry, standardEntry } from './qcow2-entries.js';
import { buildQcow2Header } from './qcow2-header.js';
import { WRITE_CLUSTER_BITS, planQcow2Layout, type Qcow2Layout } from './qcow2-layout.js';
import { GrainCutter, isZeros, joined, type Grain } from './grains.js';
import { PartialFile } from './partial-file.js';
import type { Extent, FormatWriterDriver, ImageWriter, WriterOptions } from './types.js';
import { WriteBatch } from './write-batch.js';

export const qcow2Writer: FormatWriterDriver = {
  name: 'qcow2',
  outputFiles: (target) => [target],
  create: (target, options) => createQcow2Writer(target, options),
};

/** A qcow2 writer; tests choose small clusters to cross many table boundaries in a small image. */
export async function createQcow2Writer(
  target: string,
  options: WriterOptions,
  clusterBits = WRITE_CLUSTER_BITS,
): Promise<ImageWriter> {
  const layout = planQcow2Layout(options.size, clusterBits);
  const file = await PartialFile.create(target);
  return new Qcow2ImageWriter(file, layout, options);
}

class Qcow2ImageWriter implements ImageWriter {
  private readonly batch: WriteBatch;
  private readonly allocator: Qcow2Allocator;
  private readonly grains: GrainCutter;
  private readonly deflate: OrderedCompressor<Grain> | undefined;
  private readonly l1: Buffer;
  private l2Index = -1;
  private l2: Buffer | undefined;

  constructor(
    private readonly file: PartialFile,
    private readonly layout: Qcow2Layout,
    private readonly options: WriterOptions,
  ) {
    this.batch = new WriteBatch(file);
    this.allocator = new Qcow2Allocator(
      {
        clusterBits: layout.clusterBits,
        prefixClusters: layout.prefixClusters,
        refcountTableEntries: (layout.refcountTableClusters * layout.clusterSize) / 8,
      },
      (position, block) => this.batch.put(position, block),
    );
    this.grains = new GrainCutter(layout.clusterSize, options.size);
    this.deflate = options.compress
      ? new OrderedCompressor(compressQcow2Cluster, (cluster: Grain, compressed) =>
          this.placeCompressed(cluster, compressed),
        )
      : undefined;
    this.l1 = Buffer.alloc(layout.l1Size * 8);
  }

  async write(extent: Extent): Promise<void> {
    for (const cluster of this.grains.add(extent)) await this.cluster(cluster);
    await this.batch.settle();
  }

  async finish(): Promise<string[]> {
    for (const cluster of this.grains.finish()) await this.cluster(cluster);
    await this.deflate?.drain();
    this.closeL2();
    const refcountTable = this.allocator.finish();
    const { layout } = this;
    this.batch.put(layout.refcountTableOffset, refcountTable);
    this.batch.put(layout.l1TableOffset, this.l1);
    this.batch.put(
      0,
      buildQcow2Header({
        clusterBits: layout.clusterBits,
        size: this.options.size,
        l1Size: layout.l1Size,
        l1TableOffset: layout.l1TableOffset,
        refcountTableOffset: layout.refcountTableOffset,
        refcountTableClusters: layout.refcountTableClusters,
      }),
    );
    await this.batch.flush();
    return [await this.file.commit(this.allocator.clusters * layout.clusterSize)];
  }

  async abort(): Promise<void> {
    await this.deflate?.settle();
    await this.batch.abandon();
    await this.file.discard();
  }

  private async cluster(cluster: Grain): Promise<void> {
    if (isZeros(cluster.parts)) cluster.release();
    else if (this.deflate) await this.deflate.push(cluster, joined(cluster));
    else this.placeStandard(cluster);
  }

  private async placeCompressed(cluster: Grain, compressed: Buffer | null): Promise<void> {
    // QEMU stores a cluster that does not shrink as it is.
    if (compressed === null || compressed.length >= this.layout.clusterSize) {
      this.placeStandard(cluster);
    } else {
      cluster.release();
      const host = this.allocator.allocateBytes(compressed.length);
      this.batch.put(host, compressed);
      this.setL2(cluster.index, compressedEntry(host, compressed.length, this.layout.clusterBits));
    }
    await this.batch.settle();
  }

  private placeStandard(cluster: Grain): void {
    const host = this.allocator.allocateCluster();
    this.batch.putAll(host, cluster.parts);
    this.batch.onWritten(() => cluster.release());
    this.setL2(cluster.index, standardEntry(host));
  }

  private setL2(cluster: number, entry: bigint): void {
    const table = Math.floor(cluster / this.layout.l2Entries);
    if (table !== this.l2Index) {
      this.closeL2();
      this.l2Index = table;
      this.l2 = Buffer.alloc(this.layout.clusterSize);
    }
    this.l2!.writeBigUInt64BE(entry, (cluster % this.layout.l2Entries) * 8);
  }

  /** Appends the L2 table being filled and points the L1 table at it. */
  private closeL2(): void {
    if (!this.l2) return;
    const host = this.allocator.allocateCluster();
    this.batch.put(host, this.l2);
    this.l1.writeBigUInt64BE(standardEntry(host), this.l2Index * 8);
    this.l2 = undefined;
  }
}
