/**
 * The bytes a native FAT resize rewrites in the copy: the BPB (and FAT32's backup of it), the
 * FAT32 FSInfo free count, and the FAT entries past the clusters the volume keeps.
 */
import type { FatGeometry } from '../filesystems/fat-boot.js';
import type { FatLayout } from './resize-fat-layout.js';
import type { TemporaryCopy } from './temporary-copy.js';

const FSINFO_LEAD = 0x41615252;
const FSINFO_STRUCT = 0x61417272;
const FSINFO_TRAIL = 0xaa550000;
const FSINFO_FREE = 488;
const FSINFO_NEXT = 492;
const UNKNOWN = 0xffffffff;
/** FAT bytes examined at a time when clearing entries. */
const CHUNK = 1024 * 1024;

/** Writes the new size and FAT size into the boot sector and, on FAT32, its backup. */
export async function patchBootSectors(
  copy: TemporaryCopy,
  geometry: FatGeometry,
  layout: FatLayout,
  freeClusters: number,
): Promise<void> {
  const bps = geometry.bytesPerSector;
  const reserved = geometry.fatStart / bps;
  const boot = await copy.readAt(0, bps);
  const fsInfo = boot.readUInt16LE(0x30);
  const backup = boot.readUInt16LE(0x32);
  await patchBpbAt(copy, 0, geometry, layout);
  if (geometry.type !== 'fat32') return;

  const inReserved = (sector: number): boolean => sector >= 1 && sector < reserved;
  if (inReserved(fsInfo)) await patchFsInfo(copy, fsInfo * bps, layout, freeClusters);
  if (inReserved(backup) && backup !== fsInfo) {
    await patchBpbAt(copy, backup * bps, geometry, layout);
    if (inReserved(backup + fsInfo)) {
      await patchFsInfo(copy, (backup + fsInfo) * bps, layout, freeClusters);
    }
  }
}

async function patchBpbAt(
  copy: TemporaryCopy,
  offset: number,
  geometry: FatGeometry,
  layout: FatLayout,
): Promise<void> {
  const sector = await copy.readAt(offset, geometry.bytesPerSector);
  if (geometry.type === 'fat32') {
    sector.writeUInt16LE(0, 0x13);
    sector.writeUInt32LE(layout.totalSectors, 0x20);
    sector.writeUInt32LE(layout.sectorsPerFat, 0x24);
  } else {
    // The 16-bit count when it fits, as mkfs.fat and Windows write it; the 32-bit one otherwise.
    const small = layout.totalSectors <= 0xffff;
    sector.writeUInt16LE(small ? layout.totalSectors : 0, 0x13);
    sector.writeUInt32LE(small ? 0 : layout.totalSectors, 0x20);
    sector.writeUInt16LE(layout.sectorsPerFat, 0x16);
  }
  await copy.writeAt(offset, sector);
}

/** FSInfo's free count is checked by fsck.fat; its next-free hint must point inside the volume. */
async function patchFsInfo(
  copy: TemporaryCopy,
  offset: number,
  layout: FatLayout,
  freeClusters: number,
): Promise<void> {
  const sector = await copy.readAt(offset, 512);
  const valid =
    sector.readUInt32LE(0) === FSINFO_LEAD &&
    sector.readUInt32LE(484) === FSINFO_STRUCT &&
    sector.readUInt32LE(508) === FSINFO_TRAIL;
  if (!valid) return;
  sector.writeUInt32LE(freeClusters, FSINFO_FREE);
  const next = sector.readUInt32LE(FSINFO_NEXT);
  if (next !== UNKNOWN && (next < 2 || next > layout.clusterCount + 1)) {
    sector.writeUInt32LE(UNKNOWN, FSINFO_NEXT);
  }
  await copy.writeAt(offset, sector);
}

/**
 * Marks free every entry from `firstEntry` on in each FAT of the copy, over the bytes that came
 * from the source: past a shrunk volume's end (bad-cluster marks may be there) and past the old
 * end of a grown one. Only chunks holding something are written, so holes stay holes.
 */
export async function clearFatEntriesFrom(
  copy: TemporaryCopy,
  geometry: FatGeometry,
  layout: FatLayout,
  firstEntry: number,
): Promise<void> {
  const bits = geometry.type === 'fat12' ? 12 : geometry.type === 'fat16' ? 16 : 32;
  const newFatBytes = layout.sectorsPerFat * geometry.bytesPerSector;
  const copiedBytes = Math.min(geometry.fatSize, newFatBytes);
  const firstBit = firstEntry * bits;
  for (let fat = 0; fat < geometry.fatCount; fat++) {
    const base = layout.fatStart + fat * newFatBytes;
    let from = Math.floor(firstBit / 8);
    if (from >= copiedBytes) continue;
    if (firstBit % 8 !== 0) {
      // A FAT12 entry at an odd index starts in the high half of a byte it shares.
      const [shared] = await copy.readAt(base + from, 1);
      await copy.writeAt(base + from, Buffer.from([(shared ?? 0) & 0x0f]));
      from++;
    }
    for (let at = from; at < copiedBytes; at += CHUNK) {
      const length = Math.min(CHUNK, copiedBytes - at);
      const bytes = await copy.readAt(base + at, length);
      if (bytes.some((byte) => byte !== 0)) await copy.writeAt(base + at, Buffer.alloc(length));
    }
  }
}
