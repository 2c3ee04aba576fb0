/**
 * diskutil names a partition's type by a name ("Apple_APFS", "EFI", "Windows_NTFS") where Ferry
 * reports a GPT type GUID or an MBR id. Only names that stand for exactly one type are mapped;
 * DOS_FAT_32 (0x0b or 0x0c) and the like stay unknown.
 */
import { lookup } from './fields.js';

const GPT_TYPES: Record<string, string> = {
  EFI: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  Apple_APFS: '7c3457ef-0000-11aa-aa11-00306543ecac',
  Apple_APFS_ISC: '69646961-6700-11aa-aa11-00306543ecac',
  Apple_APFS_Recovery: '52637672-7900-11aa-aa11-00306543ecac',
  Apple_HFS: '48465300-0000-11aa-aa11-00306543ecac',
  Apple_Boot: '426f6f74-0000-11aa-aa11-00306543ecac',
  Apple_CoreStorage: '53746f72-6167-11aa-aa11-00306543ecac',
  'Microsoft Basic Data': 'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7',
  'Microsoft Reserved': 'e3c9e316-0b5c-4db8-817d-f92df00215ae',
  'Linux Filesystem': '0fc63daf-8483-4772-8e79-3d69d8477de4',
};

const MBR_TYPES: Record<string, string> = {
  Windows_NTFS: '0x07',
  Linux: '0x83',
};

/** What a partition's Content says its filesystem is, when it says (Apple_HFS, DOS_FAT_32). */
const CONTENT_FILESYSTEMS: Record<string, string> = {
  Apple_APFS: 'apfs',
  Apple_HFS: 'hfsplus',
  Apple_HFSX: 'hfsplus',
  DOS_FAT_12: 'fat12',
  DOS_FAT_16: 'fat16',
  DOS_FAT_32: 'fat32',
  Windows_FAT_32: 'fat32',
  Windows_NTFS: 'ntfs',
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `scheme` is the whole disk's Content: GUID_partition_scheme or FDisk_partition_scheme. */
export function partitionTypeFromContent(
  scheme: string | null,
  content: string | null,
): string | null {
  if (content === null) return null;
  if (scheme === 'GUID_partition_scheme') {
    if (GUID.test(content)) return content.toLowerCase();
    return lookup(GPT_TYPES, content) ?? null;
  }
  if (scheme === 'FDisk_partition_scheme') return lookup(MBR_TYPES, content) ?? null;
  return null;
}

export function filesystemFromContent(content: string | null): string | null {
  return content === null ? null : (lookup(CONTENT_FILESYSTEMS, content) ?? null);
}
