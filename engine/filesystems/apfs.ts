/**
 * APFS: the container superblock in block 0, little-endian, "NXSB" 32 bytes in. The UUID is the
 * container's (volumes inside have their own, and their names; the container has no label).
 * Every APFS object carries a Fletcher-64 checksum, checked here before the block is believed.
 */
import { FerryError } from '../../shared/errors.js';
import type { FilesystemDriver } from './driver.js';
import { uuidText } from './identity.js';

/** The only block size blkid accepts, and the only one Apple's tools make. */
const BLOCK_SIZE = 4096;
const MAGIC = 'NXSB';
const MAGIC_OFFSET = 32;

const OBJECT_TYPE = 24;
const OBJECT_SUBTYPE = 28;
const CONTAINER_SUPERBLOCK_TYPE = 1;
const BLOCK_SIZE_FIELD = 36;
const BLOCK_COUNT = 40;
const UUID = 72;

const MOD = 0xffffffff;

/** Fletcher-64 over the object after its checksum field, as stored in that field. */
function fletcher64(block: Buffer): bigint {
  let sum1 = 0;
  let sum2 = 0;
  for (let at = 8; at + 4 <= block.length; at += 4) {
    sum1 = (sum1 + block.readUInt32LE(at)) % MOD;
    sum2 = (sum2 + sum1) % MOD;
  }
  const low = MOD - ((sum1 + sum2) % MOD);
  const high = MOD - ((sum1 + low) % MOD);
  return (BigInt(high) << 32n) | BigInt(low);
}

/** Why block 0 cannot be a container superblock, or null when it is one. */
function superblockFault(block: Buffer): string | null {
  // o_type's low half is the object type; its high half holds storage flags, which blkid ignores.
  if (block.readUInt16LE(OBJECT_TYPE) !== CONTAINER_SUPERBLOCK_TYPE) {
    return `object type ${block.readUInt16LE(OBJECT_TYPE)} is not a container superblock`;
  }
  if (block.readUInt32LE(OBJECT_SUBTYPE) !== 0) return 'the object has a subtype';
  if (block.readUInt32LE(BLOCK_SIZE_FIELD) !== BLOCK_SIZE) {
    return `block size ${block.readUInt32LE(BLOCK_SIZE_FIELD)} is not ${BLOCK_SIZE}`;
  }
  if (fletcher64(block) !== block.readBigUInt64LE(0)) return 'the checksum does not match';
  return null;
}

export const apfsDriver: FilesystemDriver = {
  async probe(volume) {
    if (volume.size < BLOCK_SIZE) return null;
    const block = await volume.read(0, BLOCK_SIZE);
    if (block.toString('latin1', MAGIC_OFFSET, MAGIC_OFFSET + MAGIC.length) !== MAGIC) return null;
    const fault = superblockFault(block);
    const size = Number(block.readBigUInt64LE(BLOCK_COUNT)) * BLOCK_SIZE;
    if (fault !== null || !Number.isSafeInteger(size)) {
      throw new FerryError(
        'BAD_FILESYSTEM',
        `the APFS container superblock is damaged: ${fault ?? `it claims ${size} bytes`}`,
        {
          where: `${volume.path}: APFS container superblock`,
          hint: 'check the container with fsck_apfs on a Mac, or copy it with --all-blocks',
        },
      );
    }
    return { type: 'apfs', label: null, uuid: uuidText(block.subarray(UUID, UUID + 16)), size };
  },
};
