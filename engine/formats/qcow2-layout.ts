/**
 * Where the fixed structures of a qcow2 file Ferry writes go: cluster 0 holds the header, then
 * the refcount table, then the L1 table; data, L2 tables and refcount blocks follow as they are
 * written. Both tables are sized before the first byte is written, from the most the file can
 * ever hold, so nothing has to move at the end.
 */
import { FerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';

/** 64 KiB clusters, as qemu-img makes them. */
export const WRITE_CLUSTER_BITS = 16;
/** QEMU refuses L1 tables larger than this (QCOW_MAX_L1_SIZE). */
const MAX_L1_BYTES = 32 * 2 ** 20;

export interface Qcow2Layout {
  clusterBits: number;
  clusterSize: number;
  /** Entries of one L2 table. */
  l2Entries: number;
  l1Size: number;
  l1TableOffset: number;
  refcountTableOffset: number;
  refcountTableClusters: number;
  /** Clusters before the first data cluster (header, refcount table, L1 table). */
  prefixClusters: number;
}

export function planQcow2Layout(size: number, clusterBits = WRITE_CLUSTER_BITS): Qcow2Layout {
  const clusterSize = 2 ** clusterBits;
  const l2Entries = clusterSize / 8;
  const refcountsPerBlock = clusterSize / 2;
  const virtualClusters = Math.ceil(size / clusterSize);
  const l1Size = Math.max(1, Math.ceil(virtualClusters / l2Entries));
  if (l1Size * 8 > MAX_L1_BYTES) {
    throw new FerryError('UNSUPPORTED', `a ${formatSize(size)} disk is too large for qcow2`, {
      where: 'qcow2 writer',
      hint: 'choose a smaller disk size or another format',
    });
  }
  const l1Clusters = Math.ceil((l1Size * 8) / clusterSize);
  // The most clusters the file can hold: header, both tables, one host cluster per virtual
  // cluster, every L2 table and the refcount blocks describing all of it, which in turn need
  // room in the refcount table. Grows to a fixed point in a few rounds.
  let blocks = 1;
  let tableClusters = 1;
  for (;;) {
    const clusters = 1 + tableClusters + l1Clusters + virtualClusters + l1Size + blocks;
    const nextBlocks = Math.ceil(clusters / refcountsPerBlock);
    const nextTableClusters = Math.ceil((nextBlocks * 8) / clusterSize);
    if (nextBlocks === blocks && nextTableClusters === tableClusters) break;
    blocks = nextBlocks;
    tableClusters = nextTableClusters;
  }
  return {
    clusterBits,
    clusterSize,
    l2Entries,
    l1Size,
    refcountTableOffset: clusterSize,
    refcountTableClusters: tableClusters,
    l1TableOffset: (1 + tableClusters) * clusterSize,
    prefixClusters: 1 + tableClusters + l1Clusters,
  };
}
