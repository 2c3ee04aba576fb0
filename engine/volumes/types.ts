import type { FilesystemType } from '../../shared/layout.js';
import type { BlockSource } from '../io/source.js';

/** What the user asked of the destination's layout (`--partitions`, `--resize`, `--disk-size`). */
export interface VolumeRequest {
  /** Partition numbers (as Linux numbers them) to copy; undefined copies them all. */
  partitions?: readonly number[];
  /** New size in bytes per partition number. */
  resize?: ReadonlyMap<number, number>;
  /** The partition that takes whatever room the others leave on the disk (`--resize N=max`). */
  fill?: number;
  /**
   * The virtual disk's size in bytes. By default the source's, or just enough for the layout
   * when partitions grow past the source's end.
   */
  diskSize?: number;
}

/**
 * Where one run of the destination disk's bytes comes from. Destination offsets are absolute;
 * `from` is read at `sourceOffset` for `length` bytes.
 */
export interface DestinationSegment {
  start: number;
  length: number;
  from: BlockSource;
  sourceOffset: number;
}

/** One partition of the destination disk, and where it was on the source. */
export interface PlannedPartition {
  /**
   * Its number on the destination, as Linux numbers it: primary MBR slots and GPT entries keep
   * the source's number; logical partitions count from 5 in chain order.
   */
  number: number;
  sourceNumber: number;
  kind: 'primary' | 'extended' | 'logical';
  /** As the source's table has it: "0x83" on MBR, the type GUID on GPT. */
  type: string;
  bootable: boolean;
  filesystem: FilesystemType | null;
  sourceStart: number;
  sourceSize: number;
  /** Bytes from the start of the destination disk. */
  start: number;
  size: number;
  /**
   * `copy`: the source's bytes as they are, moved or not (a partition grown past its filesystem
   * ends in zeros). `resize`: the size changed and the filesystem is resized to it, so its bytes
   * come from a resized copy. `container`: the extended partition, which holds only its EBRs and
   * logical partitions.
   */
  action: 'copy' | 'resize' | 'container';
  /** Logical partitions: the destination offset of the EBR that describes it; null otherwise. */
  ebr: number | null;
}

/** The destination disk's layout, worked out before anything is written. */
export interface LayoutPlan {
  table: 'mbr' | 'gpt';
  /** The sector size the table counts in, the source table's own. */
  sectorSize: number;
  /** GPT: entries in each array. MBR: 0. */
  gptEntries: number;
  /** In destination order; an extended container comes before its logical partitions. */
  partitions: PlannedPartition[];
  diskSize: number;
  /** The smallest disk that holds this layout and its table. */
  minimumDiskSize: number;
  warnings: string[];
}
