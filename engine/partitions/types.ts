import type { PartitionReport, TableType } from '../../shared/layout.js';

/** One entry of a partition table, before anything is known of what it holds. */
export type PartitionEntry = Omit<PartitionReport, 'filesystem'>;

export interface PartitionTable {
  type: TableType;
  /** Logical sector size the table was found with (512 or 4096). */
  sectorSize: number;
  /** GPT disk GUID, or MBR disk signature as 0x%08x. */
  id: string | null;
  hybrid: boolean;
  partitions: PartitionEntry[];
  /** Things that are wrong but readable: a damaged primary GPT header, an overlapping entry. */
  warnings: string[];
}
