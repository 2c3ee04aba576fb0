/** Reading the first File Allocation Table: packed 12-bit, 16-bit or 28-bit entries. */
import type { BlockSource } from '../io/source.js';
import { fatError, type FatGeometry } from './fat-boot.js';
import { readInside } from './read-inside.js';

/** The value marking a bad cluster, per FAT type. */
export const BAD_CLUSTER = { fat12: 0xff7, fat16: 0xfff7, fat32: 0x0ffffff7 } as const;

/** Entries read at a time: even, so a FAT12 chunk starts on a byte boundary. */
const CHUNK_ENTRIES = 64 * 1024;

/**
 * Calls `visit(cluster, value)` for every data cluster, 2 to clusterCount + 1, in order,
 * reading the first FAT in bounded chunks.
 */
export async function forEachFatEntry(
  volume: BlockSource,
  geometry: FatGeometry,
  visit: (cluster: number, value: number) => void,
): Promise<void> {
  const last = geometry.clusterCount + 1;
  for (let first = 0; first <= last; first += CHUNK_ENTRIES) {
    const count = Math.min(CHUNK_ENTRIES, last + 1 - first);
    const entries = await readEntries(volume, geometry, first, count);
    for (let i = Math.max(0, 2 - first); i < count; i++) visit(first + i, entries[i] ?? 0);
  }
}

/** The FAT entry of one cluster: the next cluster of its chain, or a marker. */
export async function fatEntry(
  volume: BlockSource,
  geometry: FatGeometry,
  cluster: number,
): Promise<number> {
  const even = cluster - (cluster % 2);
  const entries = await readEntries(volume, geometry, even, cluster - even + 1);
  return entries[cluster - even] ?? 0;
}

async function readEntries(
  volume: BlockSource,
  geometry: FatGeometry,
  first: number,
  count: number,
): Promise<Uint32Array> {
  const bits = geometry.type === 'fat12' ? 12 : geometry.type === 'fat16' ? 16 : 32;
  const start = (first * bits) / 8;
  const length = Math.ceil(((first + count) * bits) / 8) - start;
  const at = geometry.fatStart + start;
  const bytes = await readInside(volume, at, length, () =>
    fatError('the FAT lies beyond the end of the volume', `${volume.path}: FAT`),
  );
  const entries = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    if (bits === 16) {
      entries[i] = bytes.readUInt16LE(i * 2);
    } else if (bits === 32) {
      entries[i] = bytes.readUInt32LE(i * 4) & 0x0fffffff;
    } else {
      // Two 12-bit entries share three bytes; `first` is even, so pairs start at byte 0.
      const pair = Math.floor(i / 2) * 3;
      const low = bytes[pair] ?? 0;
      const middle = bytes[pair + 1] ?? 0;
      const high = bytes[pair + 2] ?? 0;
      entries[i] = i % 2 === 0 ? low | ((middle & 0x0f) << 8) : (middle >> 4) | (high << 4);
    }
  }
  return entries;
}
