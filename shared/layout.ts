import type { GuestOs } from './guest.js';

/**
 * What `ferry inspect` reports about a source and what the wizard shows: the contract shape,
 * free of how it was read. Offsets and sizes are bytes.
 */

export type TableType = 'mbr' | 'gpt' | 'none';

export const FILESYSTEM_TYPES = [
  'ext2',
  'ext3',
  'ext4',
  'ntfs',
  'fat12',
  'fat16',
  'fat32',
  'exfat',
  'swap',
  'xfs',
  'btrfs',
  'lvm2',
  'luks',
  'hfsplus',
  'apfs',
  'iso9660',
] as const;

export type FilesystemType = (typeof FILESYSTEM_TYPES)[number];

export interface FilesystemReport {
  type: FilesystemType;
  label: string | null;
  uuid: string | null;
  /** Size of the filesystem itself (it may be smaller than its partition), when known. */
  size: number | null;
  /** Bytes the filesystem uses, from its own allocation structures; null where Ferry has no map. */
  usedBytes: number | null;
}

export interface PartitionReport {
  /** Numbered as Linux numbers them: primary 1-4, logical from 5, GPT entries from 1. */
  number: number;
  start: number;
  size: number;
  /** GPT: the type GUID (lower case). MBR: the id as hex, e.g. "0x83". */
  type: string;
  /** A human name for the type, e.g. "Linux filesystem", "EFI System". */
  typeName: string;
  bootable: boolean;
  /** GPT partition name. */
  name: string | null;
  /** GPT unique partition GUID. */
  uuid: string | null;
  /** MBR: "primary", "extended" (the container) or "logical". GPT: "primary". */
  kind: 'primary' | 'extended' | 'logical';
  filesystem: FilesystemReport | null;
}

export interface TableReport {
  type: TableType;
  /** GPT disk GUID, or the MBR disk signature as 0x%08x. */
  id: string | null;
  /** GPT with a hybrid MBR (partitions mirrored into the MBR besides the protective entry). */
  hybrid: boolean;
  partitions: PartitionReport[];
}

export interface InspectReport {
  source: string;
  /** How the source stores the disk: raw, device, gzip (and the virtual disk formats later). */
  format: string;
  /** Size of the disk the source presents, in bytes (a virtual disk's virtual size). */
  size: number;
  /** Bytes of the disk a virtual disk image stores data for; null for raw images and devices. */
  storedBytes: number | null;
  sectorSize: number;
  table: TableReport;
  /** A filesystem on the whole disk, without a partition table (a "superfloppy"). */
  filesystem: FilesystemReport | null;
  /** The operating system installed on the disk, when Ferry recognises one. */
  guest: GuestOs | null;
  warnings: string[];
}
