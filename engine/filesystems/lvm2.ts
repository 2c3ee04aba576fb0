/**
 * LVM2 physical volume: a "LABELONE" label in one of the first four 512-byte sectors (pvcreate
 * puts it in the second), typed "LVM2 001", followed by the PV header with the PV UUID and the
 * device size pvcreate recorded. Read as blkid reads it, checksum included.
 */
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import type { FilesystemDriver } from './driver.js';

const SECTOR = 512;
/** The sectors blkid looks in, in its order. */
const LABEL_SECTORS = [1, 0, 2, 3] as const;

const SECTOR_NUMBER = 8;
const CRC = 16;
const CRC_START = 20;
const TYPE = 24;
const PV_UUID = 32;
const PV_UUID_LENGTH = 32;
const DEVICE_SIZE = 64;

const CRC_NIBBLE_TABLE = [
  0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
  0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
];

/** LVM2's CRC-32: the IEEE polynomial a nibble at a time, from LVM's own seed, no final XOR. */
function lvmCrc(data: Buffer): number {
  let crc = 0xf597a6cf;
  for (const byte of data) {
    crc ^= byte;
    crc = (crc >>> 4) ^ (CRC_NIBBLE_TABLE[crc & 0xf] as number);
    crc = (crc >>> 4) ^ (CRC_NIBBLE_TABLE[crc & 0xf] as number);
  }
  return crc >>> 0;
}

/** The PV UUID as LVM shows it: 32 characters grouped 6-4-4-4-4-4-6. */
function pvUuidText(bytes: Buffer): string | null {
  if (bytes.every((byte) => byte === 0)) return null;
  const text = bytes.toString('latin1');
  const groups = [6, 4, 4, 4, 4, 4, 6];
  let at = 0;
  return groups
    .map((length) => {
      const group = text.slice(at, at + length);
      at += length;
      return group;
    })
    .join('-');
}

async function findLabel(volume: BlockSource): Promise<{ sector: number; label: Buffer } | null> {
  const sectors = Math.min(4, Math.floor(volume.size / SECTOR));
  if (sectors === 0) return null;
  const head = await volume.read(0, sectors * SECTOR);
  for (const sector of LABEL_SECTORS) {
    if (sector >= sectors) continue;
    const label = head.subarray(sector * SECTOR, (sector + 1) * SECTOR);
    if (
      label.toString('latin1', 0, 8) === 'LABELONE' &&
      label.toString('latin1', TYPE, TYPE + 8) === 'LVM2 001'
    ) {
      return { sector, label };
    }
  }
  return null;
}

export const lvm2Driver: FilesystemDriver = {
  async probe(volume) {
    const found = await findLabel(volume);
    if (!found) return null;
    const { sector, label } = found;
    const damaged = (message: string): FerryError =>
      new FerryError('BAD_FILESYSTEM', message, {
        where: `${volume.path}: LVM2 label in sector ${sector}`,
        hint: 'restore the PV label with pvcreate --restorefile and vgcfgrestore, or copy the volume with --all-blocks',
      });
    if (label.readBigUInt64LE(SECTOR_NUMBER) !== BigInt(sector)) {
      throw damaged(`the label says it is in sector ${label.readBigUInt64LE(SECTOR_NUMBER)}`);
    }
    if (lvmCrc(label.subarray(CRC_START)) !== label.readUInt32LE(CRC)) {
      throw damaged('the label checksum does not match');
    }
    const deviceSize = label.readBigUInt64LE(DEVICE_SIZE);
    if (deviceSize > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw damaged(`the PV claims a device of ${deviceSize} bytes`);
    }
    return {
      type: 'lvm2',
      // A PV has no label of its own; the volume group's name lives in its metadata area.
      label: null,
      uuid: pvUuidText(label.subarray(PV_UUID, PV_UUID + PV_UUID_LENGTH)),
      size: deviceSize === 0n ? null : Number(deviceSize),
    };
  },
};
