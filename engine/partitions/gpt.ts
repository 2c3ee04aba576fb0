import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { crc32 } from './crc32.js';
import { isZeroGuid, readGuid } from './guid.js';
import { gptTypeName } from './type-names.js';
import type { PartitionEntry } from './types.js';

/**
 * The GUID partition table: a header at LBA 1 and its backup at the disk's last LBA, each with a
 * CRC32 over itself and over its array of partition entries. A damaged primary is survivable
 * (that is what the backup is for); two damaged headers are not.
 */

const SIGNATURE = Buffer.from('EFI PART', 'latin1');
const MIN_HEADER_SIZE = 92;
const MIN_ENTRY_SIZE = 128;
/** The specification's minimum array is 16 KiB; nothing real comes near 1 MiB. */
const MAX_ENTRY_ARRAY_BYTES = 1024 * 1024;
const LEGACY_BIOS_BOOTABLE = 0x04;
const NAME_OFFSET = 56;
const NAME_BYTES = 72;

const GPT_SECTOR_SIZES = [512, 4096] as const;

export interface GptTable {
  sectorSize: number;
  diskGuid: string;
  partitions: PartitionEntry[];
  warnings: string[];
}

interface GptHeader {
  lba: bigint;
  alternateLba: bigint;
  diskGuid: string;
  entrySize: number;
  entries: Buffer;
}

/** Where "EFI PART" sits says the sector size: byte 512 for 512-byte sectors, 4096 for 4 KiB. */
export async function findGptSectorSize(source: BlockSource): Promise<number | null> {
  for (const sectorSize of GPT_SECTOR_SIZES) {
    if (sectorSize + SIGNATURE.length > source.size) continue;
    if ((await source.read(sectorSize, SIGNATURE.length)).equals(SIGNATURE)) return sectorSize;
  }
  return null;
}

/**
 * Reads the GPT, from the primary header when it is intact and from the backup otherwise.
 * `preferredSectorSize` is tried first when no primary header says which sector size the disk has.
 */
export async function readGpt(source: BlockSource, preferredSectorSize: number): Promise<GptTable> {
  const found = await findGptSectorSize(source);
  const sectorSizes = found
    ? [found]
    : [preferredSectorSize, ...GPT_SECTOR_SIZES.filter((s) => s !== preferredSectorSize)];
  const problems: string[] = [];
  for (const sectorSize of sectorSizes) {
    const table = await readGptWithSectorSize(source, sectorSize, problems);
    if (table) return table;
  }
  throw new FerryError('BAD_PARTITION_TABLE', `no intact GPT header: ${problems.join('; ')}`, {
    where: `${source.path}: GPT`,
    hint: 'both GPT headers are damaged; repair the table with gdisk or testdisk on a copy, then retry',
  });
}

async function readGptWithSectorSize(
  source: BlockSource,
  sectorSize: number,
  problems: string[],
): Promise<GptTable | null> {
  const warnings: string[] = [];
  const primary = await readHeader(source, sectorSize, 1n);
  if (typeof primary !== 'string') {
    await checkBackup(source, sectorSize, primary, warnings);
    return tableFrom(primary, sectorSize, warnings);
  }
  problems.push(`primary header at LBA 1 (${sectorSize}-byte sectors): ${primary}`);

  const lastLba = BigInt(Math.floor(source.size / sectorSize) - 1);
  const candidates = new Set([lastLba, await claimedAlternateLba(source, sectorSize)]);
  for (const lba of candidates) {
    if (lba === null || lba <= 1n) continue;
    const backup = await readHeader(source, sectorSize, lba);
    if (typeof backup === 'string') {
      problems.push(`backup header at LBA ${lba}: ${backup}`);
      continue;
    }
    warnings.push(
      `the primary GPT header is damaged (${primary}); the backup at LBA ${lba} was used`,
    );
    return tableFrom(backup, sectorSize, warnings);
  }
  return null;
}

/** A damaged backup does not stop the reading, but whoever repairs the disk wants to know. */
async function checkBackup(
  source: BlockSource,
  sectorSize: number,
  primary: GptHeader,
  warnings: string[],
): Promise<void> {
  if (primary.alternateLba === primary.lba) {
    warnings.push('the primary GPT header names itself as its backup');
    return;
  }
  const backup = await readHeader(source, sectorSize, primary.alternateLba);
  if (typeof backup === 'string') {
    warnings.push(`the backup GPT header at LBA ${primary.alternateLba} is damaged (${backup})`);
  }
}

/** The backup location a damaged primary header names, when its signature is still there. */
async function claimedAlternateLba(
  source: BlockSource,
  sectorSize: number,
): Promise<bigint | null> {
  if (2 * sectorSize > source.size) return null;
  const sector = await source.read(sectorSize, MIN_HEADER_SIZE);
  return sector.subarray(0, SIGNATURE.length).equals(SIGNATURE) ? sector.readBigUInt64LE(32) : null;
}

/** Reads and checks the header at `lba` and its entry array; a string says what is wrong. */
async function readHeader(
  source: BlockSource,
  sectorSize: number,
  lba: bigint,
): Promise<GptHeader | string> {
  const offset = toSafeNumber(lba * BigInt(sectorSize));
  if (offset === null || offset + sectorSize > source.size) {
    return 'it lies beyond the end of the source';
  }
  const sector = await source.read(offset, sectorSize);
  if (!sector.subarray(0, SIGNATURE.length).equals(SIGNATURE)) return 'no "EFI PART" signature';

  const headerSize = sector.readUInt32LE(12);
  if (headerSize < MIN_HEADER_SIZE || headerSize > sectorSize) {
    return `header size ${headerSize} is impossible`;
  }
  const header = Buffer.from(sector.subarray(0, headerSize));
  const storedCrc = header.readUInt32LE(16);
  header.writeUInt32LE(0, 16);
  if (crc32(header) !== storedCrc) return 'header CRC32 mismatch';

  const myLba = header.readBigUInt64LE(24);
  if (myLba !== lba) return `it says it lies at LBA ${myLba}`;
  const firstUsable = header.readBigUInt64LE(40);
  const lastUsable = header.readBigUInt64LE(48);
  if (firstUsable > lastUsable) {
    return `first usable LBA ${firstUsable} is past last usable LBA ${lastUsable}`;
  }

  const entryCount = header.readUInt32LE(80);
  const entrySize = header.readUInt32LE(84);
  if (entrySize < MIN_ENTRY_SIZE || entrySize % MIN_ENTRY_SIZE !== 0) {
    return `entry size ${entrySize} is impossible`;
  }
  const arrayBytes = entryCount * entrySize;
  if (arrayBytes > MAX_ENTRY_ARRAY_BYTES) {
    return `${entryCount} entries of ${entrySize} bytes is absurd`;
  }
  const arrayLba = header.readBigUInt64LE(72);
  const arrayOffset = toSafeNumber(arrayLba * BigInt(sectorSize));
  if (arrayOffset === null || arrayOffset + arrayBytes > source.size) {
    return `its entry array at LBA ${arrayLba} lies beyond the end of the source`;
  }
  if (arrayOffset < offset + sectorSize && offset < arrayOffset + arrayBytes) {
    return `its entry array at LBA ${arrayLba} overlaps the header`;
  }
  const entries = arrayBytes === 0 ? Buffer.alloc(0) : await source.read(arrayOffset, arrayBytes);
  if (crc32(entries) !== header.readUInt32LE(88)) return 'entry array CRC32 mismatch';

  return {
    lba,
    alternateLba: header.readBigUInt64LE(32),
    diskGuid: readGuid(header, 56),
    entrySize,
    entries,
  };
}

function tableFrom(header: GptHeader, sectorSize: number, warnings: string[]): GptTable {
  const partitions: PartitionEntry[] = [];
  const count = header.entries.length / header.entrySize;
  for (let index = 0; index < count; index++) {
    const at = index * header.entrySize;
    if (isZeroGuid(header.entries, at)) continue;
    const number = index + 1;
    const firstLba = header.entries.readBigUInt64LE(at + 32);
    const lastLba = header.entries.readBigUInt64LE(at + 40);
    const start = toSafeNumber(firstLba * BigInt(sectorSize));
    const size = toSafeNumber((lastLba - firstLba + 1n) * BigInt(sectorSize));
    if (lastLba < firstLba || start === null || size === null) {
      warnings.push(
        `GPT entry ${number} spans LBA ${firstLba}-${lastLba}, which no disk has; skipped`,
      );
      continue;
    }
    const type = readGuid(header.entries, at);
    partitions.push({
      number,
      start,
      size,
      type,
      typeName: gptTypeName(type),
      bootable: ((header.entries[at + 48] as number) & LEGACY_BIOS_BOOTABLE) !== 0,
      name: readName(header.entries.subarray(at + NAME_OFFSET, at + NAME_OFFSET + NAME_BYTES)),
      uuid: readGuid(header.entries, at + 16),
      kind: 'primary',
    });
  }
  return { sectorSize, diskGuid: header.diskGuid, partitions, warnings };
}

/** UTF-16LE, ended by the first NUL character or the end of the field; empty means no name. */
function readName(field: Buffer): string | null {
  let end = 0;
  while (end + 1 < field.length && (field[end] !== 0 || field[end + 1] !== 0)) end += 2;
  return end === 0 ? null : field.toString('utf16le', 0, end);
}

function toSafeNumber(value: bigint): number | null {
  return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}
