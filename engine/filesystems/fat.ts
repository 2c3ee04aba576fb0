/**
 * FAT12, FAT16 and FAT32: identity as blkid reports it, used bytes from the first FAT.
 */
import type { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { RangeBuilder } from '../ranges.js';
import { ClusterRuns } from './cluster-runs.js';
import type { FilesystemDriver } from './driver.js';
import { FAT_BOOT_SIZE, fatError, parseFatBoot, type FatGeometry } from './fat-boot.js';
import { BAD_CLUSTER, fatEntry, forEachFatEntry } from './fat-table.js';
import { orNull } from './identity.js';
import { readInside } from './read-inside.js';

const DIR_ENTRY_SIZE = 32;
const ATTR_VOLUME_ID = 0x08;
const ATTR_DIRECTORY = 0x10;
const ATTR_LONG_NAME = 0x0f;
const DELETED = 0xe5;
/** What mkfs and Windows write when a volume has no label. */
const NO_NAME = 'NO NAME    ';
/** blkid gives up on a FAT32 root directory after 100 clusters; the label is near its start. */
const MAX_ROOT_CLUSTERS = 100;

export const fatDriver: FilesystemDriver = {
  async probe(volume) {
    const geometry = await readGeometry(volume);
    if (!geometry) return null;
    return {
      type: geometry.type,
      label: await volumeLabel(volume, geometry),
      uuid: geometry.serial,
      size: geometry.totalSectors * geometry.bytesPerSector,
    };
  },

  /**
   * The boot sector, reserved sectors, every FAT and the fixed root directory, then every
   * cluster whose FAT entry is neither free nor a bad-cluster mark. Bad clusters hold nothing
   * the filesystem will read again, and on a failing disk they are exactly the sectors that
   * stall or fail a copy, so they are left out (fsck.fat counts them as used).
   */
  async usedRanges(volume) {
    const geometry = await readGeometry(volume);
    if (!geometry) throw fatError('the FAT boot sector is gone', `${volume.path}: FAT boot sector`);
    if (geometry.dataStart > volume.size) {
      throw fatError(
        'the FATs and root directory run past the end of the volume',
        `${volume.path}: FAT`,
      );
    }
    const builder = new RangeBuilder();
    builder.add(0, geometry.dataStart);
    const runs = new ClusterRuns(builder, geometry.dataStart, geometry.clusterSize);
    const bad = BAD_CLUSTER[geometry.type];
    await forEachFatEntry(volume, geometry, (_cluster, value) =>
      runs.push(value !== 0 && value !== bad),
    );
    runs.finish();
    const ranges = builder.build();
    const last = ranges[ranges.length - 1];
    if (last && last.start + last.length > volume.size) {
      throw fatError(
        `clusters in use run to byte ${last.start + last.length}, past the volume's ${volume.size}`,
        `${volume.path}: FAT`,
      );
    }
    return ranges;
  },
};

async function readGeometry(volume: BlockSource): Promise<FatGeometry | null> {
  if (volume.size < FAT_BOOT_SIZE) return null;
  return parseFatBoot(await volume.read(0, FAT_BOOT_SIZE), `${volume.path}: FAT boot sector`);
}

/**
 * blkid's rule: the volume-label entry of the root directory wins over the boot sector's copy,
 * unless it says "NO NAME"; trailing spaces are padding.
 */
async function volumeLabel(volume: BlockSource, geometry: FatGeometry): Promise<string | null> {
  const fromDirectory = await rootDirectoryLabel(volume, geometry);
  const raw =
    fromDirectory && fromDirectory.toString('latin1') !== NO_NAME
      ? fromDirectory
      : geometry.bootLabel;
  const text = raw.toString('latin1');
  return text === NO_NAME ? null : orNull(text.trimEnd());
}

async function rootDirectoryLabel(
  volume: BlockSource,
  geometry: FatGeometry,
): Promise<Buffer | null> {
  const outside = (): FerryError =>
    fatError(
      'the root directory lies beyond the end of the volume',
      `${volume.path}: FAT root directory`,
    );
  if (geometry.type !== 'fat32') {
    const bytes = await readInside(
      volume,
      geometry.rootStart,
      geometry.rootEntries * DIR_ENTRY_SIZE,
      outside,
    );
    return findLabel(bytes).label;
  }
  let cluster = geometry.rootCluster;
  for (let hops = 0; hops < MAX_ROOT_CLUSTERS; hops++) {
    const at = geometry.dataStart + (cluster - 2) * geometry.clusterSize;
    const search = findLabel(await readInside(volume, at, geometry.clusterSize, outside));
    if (search.label || search.ended) return search.label;
    cluster = await fatEntry(volume, geometry, cluster);
    if (cluster < 2 || cluster > geometry.clusterCount + 1) return null;
  }
  return null;
}

/** Scans directory entries as blkid does; `ended` when the end-of-directory entry was met. */
function findLabel(entries: Buffer): { label: Buffer | null; ended: boolean } {
  for (let at = 0; at + DIR_ENTRY_SIZE <= entries.length; at += DIR_ENTRY_SIZE) {
    const first = entries[at];
    if (first === 0) return { label: null, ended: true };
    const attributes = entries[at + 11] ?? 0;
    const hasCluster = entries.readUInt16LE(at + 20) !== 0 || entries.readUInt16LE(at + 26) !== 0;
    if (first === DELETED || hasCluster || (attributes & 0x3f) === ATTR_LONG_NAME) continue;
    if ((attributes & (ATTR_VOLUME_ID | ATTR_DIRECTORY)) === ATTR_VOLUME_ID) {
      return { label: Buffer.from(entries.subarray(at, at + 11)), ended: true };
    }
  }
  return { label: null, ended: false };
}
