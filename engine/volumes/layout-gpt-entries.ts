import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { crc32 } from '../partitions/crc32.js';
import { isZeroGuid } from '../partitions/guid.js';
import { GPT_ENTRY_SIZE } from '../partitions/write-gpt.js';

/**
 * The source's GPT entries as raw bytes, by entry number, so that the new table keeps what the
 * inspect report leaves out (every attribute bit, the name's exact bytes). Read from the first
 * intact header of the two, checked as gpt.ts checks them: the report was read from one of them.
 */

const SIGNATURE = Buffer.from('EFI PART', 'latin1');
const MIN_HEADER_SIZE = 92;
/** gpt.ts reads no larger array either. */
const MAX_ARRAY_BYTES = 1024 * 1024;

export async function readGptEntries(
  source: BlockSource,
  sectorSize: number,
): Promise<Map<number, Buffer>> {
  const lastLba = Math.floor(source.size / sectorSize) - 1;
  for (const lba of [1, lastLba]) {
    const entries = await entriesOfHeader(source, sectorSize, lba);
    if (entries) return entries;
  }
  throw new FerryError('BAD_PARTITION_TABLE', 'neither GPT header is intact', {
    where: `${source.path}: GPT`,
    hint: 'the source changed after it was inspected; inspect it again',
  });
}

async function entriesOfHeader(
  source: BlockSource,
  sectorSize: number,
  lba: number,
): Promise<Map<number, Buffer> | null> {
  const offset = lba * sectorSize;
  if (lba < 1 || offset + sectorSize > source.size) return null;
  const sector = await source.read(offset, sectorSize);
  const headerSize = sector.readUInt32LE(12);
  if (
    !sector.subarray(0, SIGNATURE.length).equals(SIGNATURE) ||
    headerSize < MIN_HEADER_SIZE ||
    headerSize > sectorSize
  ) {
    return null;
  }
  const header = Buffer.from(sector.subarray(0, headerSize));
  const storedCrc = header.readUInt32LE(16);
  header.writeUInt32LE(0, 16);
  if (crc32(header) !== storedCrc || header.readBigUInt64LE(24) !== BigInt(lba)) return null;

  const count = header.readUInt32LE(80);
  const entrySize = header.readUInt32LE(84);
  const arrayLba = header.readBigUInt64LE(72);
  const arrayBytes = count * entrySize;
  const arrayOffset = arrayLba * BigInt(sectorSize);
  if (
    entrySize < GPT_ENTRY_SIZE ||
    arrayBytes > MAX_ARRAY_BYTES ||
    arrayOffset + BigInt(arrayBytes) > BigInt(source.size)
  ) {
    return null;
  }
  const array = await source.read(Number(arrayOffset), arrayBytes);
  if (crc32(array) !== header.readUInt32LE(88)) return null;

  const entries = new Map<number, Buffer>();
  for (let index = 0; index < count; index++) {
    const at = index * entrySize;
    if (!isZeroGuid(array, at)) entries.set(index + 1, array.subarray(at, at + GPT_ENTRY_SIZE));
  }
  return entries;
}
