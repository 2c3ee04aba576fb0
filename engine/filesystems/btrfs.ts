/**
 * Btrfs: the primary superblock at 64 KiB, little-endian, "_BHRfS_M" at 0x40 into it. The
 * filesystem UUID (fsid) is shared by every device of a multi-device filesystem; the size is
 * this device's share, from the superblock's own device item.
 */
import { FerryError } from '../../shared/errors.js';
import type { FilesystemDriver } from './driver.js';
import { cString, orNull, uuidText } from './identity.js';

const SUPERBLOCK = 64 * 1024;
const SUPERBLOCK_LENGTH = 4096;
/** blkid ignores smaller volumes; mkfs.btrfs makes nothing under 16 MiB. */
const MIN_VOLUME_SIZE = 1024 * 1024;
const MAGIC = '_BHRfS_M';
const MAGIC_OFFSET = 0x40;

const FSID = 0x20;
const DEVICE_ITEM = 0xc9;
const DEVICE_TOTAL_BYTES = DEVICE_ITEM + 8;
const LABEL = 0x12b;
const LABEL_LENGTH = 256;

export const btrfsDriver: FilesystemDriver = {
  async probe(volume) {
    if (volume.size < Math.max(MIN_VOLUME_SIZE, SUPERBLOCK + SUPERBLOCK_LENGTH)) return null;
    const sb = await volume.read(SUPERBLOCK, SUPERBLOCK_LENGTH);
    if (sb.toString('latin1', MAGIC_OFFSET, MAGIC_OFFSET + MAGIC.length) !== MAGIC) return null;
    const deviceBytes = sb.readBigUInt64LE(DEVICE_TOTAL_BYTES);
    if (deviceBytes > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new FerryError('BAD_FILESYSTEM', `the btrfs device claims ${deviceBytes} bytes`, {
        where: `${volume.path}: btrfs superblock`,
        hint: 'run btrfs check on the volume, or copy it with --all-blocks',
      });
    }
    return {
      type: 'btrfs',
      label: orNull(cString(sb.subarray(LABEL, LABEL + LABEL_LENGTH))),
      uuid: uuidText(sb.subarray(FSID, FSID + 16)),
      size: deviceBytes === 0n ? null : Number(deviceBytes),
    };
  },
};
