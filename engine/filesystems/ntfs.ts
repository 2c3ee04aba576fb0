/**
 * NTFS: identity from the boot sector and $Volume, used clusters from $Bitmap. Both files are
 * found through the MFT's own runlist (ntfs-mft.ts).
 */
import type { BlockSource } from '../io/source.js';
import { RangeBuilder } from '../ranges.js';
import { ClusterRuns } from './cluster-runs.js';
import type { FilesystemDriver } from './driver.js';
import { orNull } from './identity.js';
import {
  hasNtfsSignature,
  NTFS_BOOT_SIZE,
  ntfsError,
  parseNtfsBoot,
  type NtfsBoot,
} from './ntfs-boot.js';
import { Mft } from './ntfs-mft.js';
import { VOLUME_NAME, type MftRecord } from './ntfs-record.js';

const VOLUME_RECORD = 3;
const BITMAP_RECORD = 6;
/** $Boot: the boot sector and the loader after it, always the first 8 KiB. */
const BOOT_FILE_SIZE = 8192;
/** Bitmap bytes read at a time: 1 MiB maps 32 GiB of 4 KiB clusters. */
const BITMAP_CHUNK = 1024 * 1024;

export const ntfsDriver: FilesystemDriver = {
  async probe(volume) {
    const boot = await readBoot(volume);
    if (!boot) return null;
    const mft = await Mft.open(volume, boot);
    return {
      type: 'ntfs',
      label: volumeName(await mft.record(VOLUME_RECORD), volume),
      uuid: boot.serial,
      size: boot.totalSectors * boot.bytesPerSector,
    };
  },

  async usedRanges(volume) {
    const boot = await readBoot(volume);
    if (!boot) throw ntfsError('the NTFS boot sector is gone', `${volume.path}: NTFS boot sector`);
    const clustersEnd = boot.totalClusters * boot.clusterSize;
    if (clustersEnd > volume.size) {
      throw ntfsError(
        `the filesystem spans ${clustersEnd} bytes but the volume holds only ${volume.size}`,
        `${volume.path}: NTFS boot sector`,
      );
    }
    const mft = await Mft.open(volume, boot);
    const builder = new RangeBuilder();
    builder.add(0, Math.min(BOOT_FILE_SIZE, clustersEnd));
    await addBitmapClusters(builder, volume, boot, mft);
    for (const start of backupBootSectors(volume, boot)) {
      if (start >= clustersEnd) builder.add(start, boot.bytesPerSector);
    }
    return builder.build();
  },
};

async function readBoot(volume: BlockSource): Promise<NtfsBoot | null> {
  if (volume.size < NTFS_BOOT_SIZE) return null;
  const sector = await volume.read(0, NTFS_BOOT_SIZE);
  return hasNtfsSignature(sector) ? parseNtfsBoot(sector, volume) : null;
}

function volumeName(record: MftRecord, volume: BlockSource): string | null {
  const attribute = record.attributes.find((a) => a.type === VOLUME_NAME);
  if (!attribute) return null;
  if (!attribute.value || attribute.value.length % 2 !== 0) {
    throw ntfsError('$VOLUME_NAME is not a resident UTF-16 string', `${volume.path}: $Volume`);
  }
  return orNull(attribute.value.toString('utf16le'));
}

/** $Bitmap's unnamed $DATA holds one bit per cluster; it is read a chunk at a time. */
async function addBitmapClusters(
  builder: RangeBuilder,
  volume: BlockSource,
  boot: NtfsBoot,
  mft: Mft,
): Promise<void> {
  const where = `${volume.path}: $Bitmap`;
  const stream = await mft.dataStream(await mft.record(BITMAP_RECORD));
  const bitmapBytes = Math.ceil(boot.totalClusters / 8);
  if (stream.dataSize < bitmapBytes) {
    throw ntfsError(
      `$Bitmap holds ${stream.dataSize} bytes, too few for ${boot.totalClusters} clusters`,
      where,
    );
  }
  const runs = new ClusterRuns(builder, 0, boot.clusterSize);
  for (let offset = 0; offset < bitmapBytes; offset += BITMAP_CHUNK) {
    const length = Math.min(BITMAP_CHUNK, bitmapBytes - offset);
    const chunk = await mft.readStream(stream, offset, length, where);
    runs.pushBits(chunk, Math.min(length * 8, boot.totalClusters - offset * 8));
  }
  runs.finish();
}

/**
 * The backup boot sector follows the last sector NTFS counts, which Windows puts in the
 * partition's last sector; both places are kept, in increasing order, when they are inside the
 * volume.
 */
function backupBootSectors(volume: BlockSource, boot: NtfsBoot): number[] {
  const sector = boot.bytesPerSector;
  const afterFilesystem = boot.totalSectors * sector;
  const lastOfVolume = Math.floor(volume.size / sector) * sector - sector;
  return [...new Set([afterFilesystem, lastOfVolume])]
    .filter((start) => start >= 0 && start + sector <= volume.size)
    .sort((a, b) => a - b);
}
