/**
 * LUKS1 and LUKS2 encrypted volumes: "LUKS\xba\xbe" and a big-endian version at byte 0. The
 * UUID is stored as text in both versions; LUKS2 adds a label. When the primary LUKS2 header
 * is wiped, its secondary copy ("SKUL\xba\xbe") is looked for where cryptsetup may have put it.
 */
import type { BlockSource } from '../io/source.js';
import type { FilesystemDriver } from './driver.js';
import { cString, orNull } from './identity.js';

const HEADER_LENGTH = 512;
const PRIMARY_MAGIC = Buffer.from('LUKS\xba\xbe', 'latin1');
const SECONDARY_MAGIC = Buffer.from('SKUL\xba\xbe', 'latin1');
/** Where a LUKS2 secondary header can sit: right after each size the primary header may have. */
const SECONDARY_OFFSETS = [
  0x4000, 0x8000, 0x10000, 0x20000, 0x40000, 0x80000, 0x100000, 0x200000, 0x400000,
] as const;

const VERSION = 6;
const LABEL = 24;
const LABEL_LENGTH = 48;
/** Both versions keep the UUID string at the same place. */
const UUID = 168;
const UUID_LENGTH = 40;

async function findHeader(volume: BlockSource): Promise<Buffer | null> {
  if (volume.size < HEADER_LENGTH) return null;
  const primary = await volume.read(0, HEADER_LENGTH);
  if (primary.subarray(0, PRIMARY_MAGIC.length).equals(PRIMARY_MAGIC)) return primary;
  for (const offset of SECONDARY_OFFSETS) {
    if (offset + HEADER_LENGTH > volume.size) return null;
    const secondary = await volume.read(offset, HEADER_LENGTH);
    if (secondary.subarray(0, SECONDARY_MAGIC.length).equals(SECONDARY_MAGIC)) return secondary;
  }
  return null;
}

export const luksDriver: FilesystemDriver = {
  async probe(volume) {
    const header = await findHeader(volume);
    if (!header) return null;
    const version = header.readUInt16BE(VERSION);
    const uuid = orNull(cString(header.subarray(UUID, UUID + UUID_LENGTH)));
    // The encrypted payload runs to the end of the volume: LUKS records no size of its own.
    // A version Ferry does not know is still LUKS, only without a UUID it can trust.
    if (version === 1) return { type: 'luks', label: null, uuid, size: null };
    if (version === 2) {
      const label = orNull(cString(header.subarray(LABEL, LABEL + LABEL_LENGTH)));
      return { type: 'luks', label, uuid, size: null };
    }
    return { type: 'luks', label: null, uuid: null, size: null };
  },
};
