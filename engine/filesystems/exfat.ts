/**
 * exFAT: identity from the boot sector and the root directory's volume-label entry, used
 * clusters from the allocation bitmap.
 */
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { RangeBuilder } from '../ranges.js';
import { ClusterRuns } from './cluster-runs.js';
import type { FilesystemDriver } from './driver.js';
import { serialText } from './fat-boot.js';
import { orNull } from './identity.js';
import { readInside } from './read-inside.js';

interface ExfatBoot {
  sectorSize: number;
  clusterSize: number;
  volumeSectors: number;
  fatStart: number;
  fatCount: number;
  fatLength: number;
  heapStart: number;
  clusterCount: number;
  rootCluster: number;
  /** Which FAT and allocation bitmap are live: VolumeFlags bit 0, when there are two. */
  activeFat: number;
  serial: string;
}

const OEM_ID = 'EXFAT   ';
const SECTOR_SIZE_FLOOR = 512;
/** The main and the backup boot region, 12 sectors each. */
const BOOT_REGIONS_SECTORS = 24;
const ENTRY_SIZE = 32;
const END_OF_DIRECTORY = 0x00;
const ALLOCATION_BITMAP = 0x81;
const VOLUME_LABEL = 0x83;
const MAX_LABEL_CHARS = 11;
/** blkid's bound on the size of a root directory. */
const MAX_DIRECTORY_BYTES = 256 * 1024 * 1024;
/** Directory and bitmap bytes read at a time; clusters may be up to 32 MiB. */
const READ_CHUNK = 1024 * 1024;

export const exfatDriver: FilesystemDriver = {
  async probe(volume) {
    const boot = await readBoot(volume);
    if (!boot) return null;
    const labelEntry = await findRootEntry(volume, boot, (entry) => entry[0] === VOLUME_LABEL);
    return {
      type: 'exfat',
      label: labelEntry ? labelText(labelEntry) : null,
      uuid: boot.serial,
      size: boot.volumeSectors * boot.sectorSize,
    };
  },

  async usedRanges(volume) {
    const boot = await readBoot(volume);
    if (!boot) {
      throw exfatError('the exFAT boot sector is gone', `${volume.path}: exFAT boot sector`);
    }
    const size = boot.volumeSectors * boot.sectorSize;
    if (size > volume.size) {
      throw exfatError(
        `the filesystem spans ${size} bytes but the volume holds only ${volume.size}`,
        `${volume.path}: exFAT boot sector`,
      );
    }
    const where = `${volume.path}: exFAT allocation bitmap`;
    const entry = await findRootEntry(
      volume,
      boot,
      (e) => e[0] === ALLOCATION_BITMAP && ((e[1] ?? 0) & 1) === boot.activeFat,
    );
    if (!entry) throw exfatError('the root directory has no allocation bitmap entry', where);
    const bitmapCluster = entry.readUInt32LE(20);
    const bitmapLength = entry.readBigUInt64LE(24);
    const needed = Math.ceil(boot.clusterCount / 8);
    const bitmapClusters = Math.ceil(needed / boot.clusterSize);
    if (bitmapLength < BigInt(needed) || !clusterSpanInside(boot, bitmapCluster, bitmapClusters)) {
      throw exfatError(
        `a ${bitmapLength}-byte bitmap at cluster ${bitmapCluster} does not fit`,
        where,
      );
    }

    const builder = new RangeBuilder();
    builder.add(0, BOOT_REGIONS_SECTORS * boot.sectorSize);
    builder.add(boot.fatStart, boot.fatLength * boot.fatCount);
    // Linux reads the bitmap as one contiguous run of clusters, as formatters lay it out.
    const bitmapStart = clusterOffset(boot, bitmapCluster);
    const runs = new ClusterRuns(builder, boot.heapStart, boot.clusterSize);
    for (let offset = 0; offset < needed; offset += READ_CHUNK) {
      const length = Math.min(READ_CHUNK, needed - offset);
      const chunk = await readInside(volume, bitmapStart + offset, length, beyondEnd(where));
      runs.pushBits(chunk, Math.min(length * 8, boot.clusterCount - offset * 8));
    }
    runs.finish();
    return builder.build();
  },
};

function exfatError(message: string, where: string): FerryError {
  return new FerryError('BAD_FILESYSTEM', message, {
    where,
    hint: 'the exFAT filesystem is damaged; check it with fsck.exfat (or chkdsk), or copy it with --all-blocks',
  });
}

const beyondEnd = (where: string) => (): FerryError =>
  exfatError('a structure lies beyond the end of the volume', where);

async function readBoot(volume: BlockSource): Promise<ExfatBoot | null> {
  if (volume.size < SECTOR_SIZE_FLOOR) return null;
  const sector = await volume.read(0, SECTOR_SIZE_FLOOR);
  if (sector.toString('latin1', 3, 11) !== OEM_ID) return null;
  const where = `${volume.path}: exFAT boot sector`;
  const boot = parseBoot(sector, (message) => exfatError(message, where));
  await checkBootChecksum(volume, boot.sectorSize, where);
  return boot;
}

/** The OEM id says exFAT, so every failed check below is damage. */
function parseBoot(sector: Buffer, bad: (message: string) => FerryError): ExfatBoot {
  if (sector[510] !== 0x55 || sector[511] !== 0xaa) {
    throw bad('the boot signature 0x55AA is missing');
  }
  // The bytes where a FAT BPB would be must be zero, so FAT drivers never mount exFAT.
  if (sector.subarray(11, 64).some((byte) => byte !== 0)) {
    throw bad('the legacy BPB area is not zero');
  }
  const sectorShift = sector.readUInt8(0x6c);
  const clusterShift = sector.readUInt8(0x6d);
  if (sectorShift < 9 || sectorShift > 12 || clusterShift > 25 - sectorShift) {
    throw bad(`sector shift ${sectorShift} and cluster shift ${clusterShift} are not valid`);
  }
  const sectorSize = 2 ** sectorShift;
  const volumeSectors = sector.readBigUInt64LE(0x48);
  if (
    volumeSectors === 0n ||
    volumeSectors * BigInt(sectorSize) > BigInt(Number.MAX_SAFE_INTEGER)
  ) {
    throw bad(`volume length ${volumeSectors} sectors is not a usable size`);
  }
  const sectors = Number(volumeSectors);
  const fatOffset = sector.readUInt32LE(0x50);
  const fatLength = sector.readUInt32LE(0x54);
  const heapOffset = sector.readUInt32LE(0x58);
  const clusterCount = sector.readUInt32LE(0x5c);
  const rootCluster = sector.readUInt32LE(0x60);
  const fatCount = sector.readUInt8(0x6e);
  if (fatCount < 1 || fatCount > 2) throw bad(`the FAT count is ${fatCount}`);
  if (
    fatOffset < BOOT_REGIONS_SECTORS ||
    fatLength === 0 ||
    fatOffset + fatLength * fatCount > heapOffset
  ) {
    throw bad('the FAT region overlaps the boot regions or the cluster heap');
  }
  if (clusterCount === 0 || heapOffset + clusterCount * 2 ** clusterShift > sectors) {
    throw bad(`${clusterCount} clusters from sector ${heapOffset} do not fit the volume`);
  }
  if ((clusterCount + 2) * 4 > fatLength * sectorSize) {
    throw bad('the FAT is too small for the clusters');
  }
  if (rootCluster < 2 || rootCluster > clusterCount + 1) {
    throw bad(`the root directory cluster ${rootCluster} is outside the cluster heap`);
  }
  return {
    sectorSize,
    clusterSize: sectorSize * 2 ** clusterShift,
    volumeSectors: sectors,
    fatStart: fatOffset * sectorSize,
    fatCount,
    fatLength: fatLength * sectorSize,
    heapStart: heapOffset * sectorSize,
    clusterCount,
    rootCluster,
    activeFat: fatCount === 2 ? sector.readUInt16LE(0x6a) & 1 : 0,
    serial: serialText(sector.subarray(0x64, 0x68)),
  };
}

/**
 * The boot region's sector 11 repeats a checksum of sectors 0-10 (skipping the volume flags
 * and percent-in-use bytes, which change without rewriting it); blkid checks it too.
 */
async function checkBootChecksum(
  volume: BlockSource,
  sectorSize: number,
  where: string,
): Promise<void> {
  const region = await readInside(volume, 0, 12 * sectorSize, beyondEnd(where));
  let sum = 0;
  for (let i = 0; i < 11 * sectorSize; i++) {
    if (i === 106 || i === 107 || i === 112) continue;
    sum = ((sum & 1 ? 0x80000000 : 0) + (sum >>> 1) + (region[i] ?? 0)) >>> 0;
  }
  for (let at = 11 * sectorSize; at < 12 * sectorSize; at += 4) {
    if (region.readUInt32LE(at) !== sum) {
      throw exfatError('the boot region checksum does not match', where);
    }
  }
}

/** Walks the root directory's cluster chain for the first entry `wanted` accepts. */
async function findRootEntry(
  volume: BlockSource,
  boot: ExfatBoot,
  wanted: (entry: Buffer) => boolean,
): Promise<Buffer | null> {
  const where = `${volume.path}: exFAT root directory`;
  let cluster = boot.rootCluster;
  // A chain longer than the volume's cluster count, or than blkid's bound, must loop.
  const maxClusters = Math.min(
    boot.clusterCount,
    Math.ceil(MAX_DIRECTORY_BYTES / boot.clusterSize),
  );
  for (let hops = 0; hops < maxClusters; hops++) {
    const start = clusterOffset(boot, cluster);
    for (let offset = 0; offset < boot.clusterSize; offset += READ_CHUNK) {
      const chunk = await readInside(
        volume,
        start + offset,
        Math.min(READ_CHUNK, boot.clusterSize - offset),
        beyondEnd(where),
      );
      for (let at = 0; at + ENTRY_SIZE <= chunk.length; at += ENTRY_SIZE) {
        const entry = chunk.subarray(at, at + ENTRY_SIZE);
        if (entry[0] === END_OF_DIRECTORY) return null;
        if (wanted(entry)) return Buffer.from(entry);
      }
    }
    cluster = await nextCluster(volume, boot, cluster, where);
    if (cluster < 2 || cluster > boot.clusterCount + 1) return null;
  }
  return null;
}

async function nextCluster(
  volume: BlockSource,
  boot: ExfatBoot,
  cluster: number,
  where: string,
): Promise<number> {
  const active = boot.fatStart + boot.activeFat * boot.fatLength;
  return (await readInside(volume, active + cluster * 4, 4, beyondEnd(where))).readUInt32LE(0);
}

function labelText(entry: Buffer): string | null {
  const characters = Math.min(entry.readUInt8(1), MAX_LABEL_CHARS);
  return orNull(entry.toString('utf16le', 2, 2 + characters * 2));
}

function clusterOffset(boot: ExfatBoot, cluster: number): number {
  return boot.heapStart + (cluster - 2) * boot.clusterSize;
}

function clusterSpanInside(boot: ExfatBoot, first: number, count: number): boolean {
  return first >= 2 && first + count <= boot.clusterCount + 2;
}
