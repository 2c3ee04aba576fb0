/**
 * Filesystem names as Ferry spells them (the FilesystemType names of shared/layout.ts), from the
 * names each OS tool uses: lsblk's "vfat" + FSVER "FAT32", Windows' "FAT32", diskutil's "hfs".
 * A name Ferry has no spelling for is kept, lower-cased.
 */
import { lookup } from './fields.js';

const ALIASES: Record<string, string> = {
  lvm2_member: 'lvm2',
  crypto_luks: 'luks',
  ntfs3: 'ntfs',
  'ntfs-3g': 'ntfs',
  hfs: 'hfsplus',
  'hfs+': 'hfsplus',
};

const FAT_FAMILY = new Set(['vfat', 'msdos', 'fat']);

/** `version` is what says which FAT: lsblk's FSVER ("FAT32") or diskutil's FilesystemName. */
export function filesystemName(raw: string | null, version: string | null = null): string | null {
  if (raw === null) return null;
  const name = raw.trim().toLowerCase();
  if (name === '' || name === 'unknown' || name === 'raw') return null;
  if (FAT_FAMILY.has(name)) {
    const bits = /fat\s*(12|16|32)/i.exec(version ?? '')?.[1];
    return bits ? `fat${bits}` : 'fat';
  }
  return lookup(ALIASES, name) ?? name;
}
