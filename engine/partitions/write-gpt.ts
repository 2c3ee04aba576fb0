import { FerryError } from '../../shared/errors.js';
import { crc32 } from './crc32.js';
import { writeGuid } from './guid.js';
import { buildProtectiveMbr, type TableBytes } from './write-mbr.js';

/**
 * Writes a GUID partition table: protective MBR, primary header at LBA 1 with its entry array
 * from LBA 2, and the backup array and header at the disk's last LBAs, each header with the
 * CRC32s the reader (gpt.ts) checks.
 */

/** The entry size every tool writes; the specification allows larger, nobody uses them. */
export const GPT_ENTRY_SIZE = 128;
/** The 16 KiB array the specification asks for at least. */
const MIN_ENTRIES = 128;
const HEADER_SIZE = 92;
const REVISION_1_0 = 0x00010000;
const SIGNATURE = Buffer.from('EFI PART', 'latin1');

/** Where the table's pieces lie on a disk of a given size, in LBAs. */
export interface GptGeometry {
  entryCount: number;
  arraySectors: number;
  firstUsableLba: number;
  lastUsableLba: number;
  lastLba: number;
}

/**
 * Entries in the array: the 128 every tool writes, or more when an entry numbered above 128 is
 * kept, rounded up to fill whole sectors.
 */
export function gptEntryCount(highestNumber: number, sectorSize: number): number {
  const perSector = sectorSize / GPT_ENTRY_SIZE;
  return Math.ceil(Math.max(MIN_ENTRIES, highestNumber) / perSector) * perSector;
}

/** Bytes the table takes before the first usable LBA and after the last one. */
export function gptReservedBytes(
  sectorSize: number,
  entryCount: number,
): { head: number; tail: number } {
  const arraySectors = (entryCount * GPT_ENTRY_SIZE) / sectorSize;
  return { head: (2 + arraySectors) * sectorSize, tail: (1 + arraySectors) * sectorSize };
}

export function gptGeometry(sectorSize: number, diskSize: number, entryCount: number): GptGeometry {
  const arraySectors = (entryCount * GPT_ENTRY_SIZE) / sectorSize;
  const lastLba = Math.floor(diskSize / sectorSize) - 1;
  const firstUsableLba = 2 + arraySectors;
  const lastUsableLba = lastLba - 1 - arraySectors;
  if (!Number.isInteger(arraySectors) || lastUsableLba < firstUsableLba) {
    throw refused(
      `a ${diskSize}-byte disk has no room for a GPT of ${entryCount} entries`,
      'GPT header',
    );
  }
  return { entryCount, arraySectors, firstUsableLba, lastUsableLba, lastLba };
}

export interface GptEntrySpec {
  /** The entry's number, its index in the array plus one (as Linux numbers it). */
  number: number;
  /**
   * The source's entry, at least 128 bytes: type GUID, unique GUID, attributes and name are kept
   * as they are; the first and last LBA are replaced.
   */
  raw: Buffer;
  /** Bytes from the start of the disk. */
  start: number;
  size: number;
}

export interface GptSpec {
  sectorSize: number;
  diskSize: number;
  diskGuid: string;
  entryCount: number;
  /** Bytes 0-445 of the source's sector 0, kept in the protective MBR. */
  bootCode: Buffer;
  entries: readonly GptEntrySpec[];
}

/**
 * The table's two runs of sectors: protective MBR, header and array at the start of the disk;
 * backup array and backup header at its end.
 */
export function buildGpt(spec: GptSpec): TableBytes[] {
  const { sectorSize } = spec;
  const geometry = gptGeometry(sectorSize, spec.diskSize, spec.entryCount);
  const array = buildEntryArray(spec, geometry);
  const arrayCrc = crc32(array);
  const backupArrayLba = geometry.lastLba - geometry.arraySectors;
  const header = (myLba: number, alternateLba: number, arrayLba: number): Buffer =>
    buildHeader(spec, geometry, { myLba, alternateLba, arrayLba, arrayCrc });

  const head = Buffer.concat([
    buildProtectiveMbr(spec.bootCode, sectorSize, geometry.lastLba + 1),
    header(1, geometry.lastLba, 2),
    array,
  ]);
  const tail = Buffer.concat([array, header(geometry.lastLba, 1, backupArrayLba)]);
  return [
    { offset: 0, data: head },
    { offset: backupArrayLba * sectorSize, data: tail },
  ];
}

function buildEntryArray(spec: GptSpec, geometry: GptGeometry): Buffer {
  const { sectorSize } = spec;
  const array = Buffer.alloc(geometry.entryCount * GPT_ENTRY_SIZE);
  const seen = new Set<number>();
  for (const entry of spec.entries) {
    const where = `GPT entry ${entry.number}`;
    if (!Number.isInteger(entry.number) || entry.number < 1 || entry.number > geometry.entryCount) {
      throw refused(`the array holds entries 1-${geometry.entryCount} only`, where);
    }
    if (seen.has(entry.number)) throw refused('the entry is given twice', where);
    seen.add(entry.number);
    if (entry.raw.length < GPT_ENTRY_SIZE) {
      throw refused(`an entry needs ${GPT_ENTRY_SIZE} bytes, not ${entry.raw.length}`, where);
    }
    const firstLba = entry.start / sectorSize;
    const lastLba = (entry.start + entry.size) / sectorSize - 1;
    if (
      !Number.isInteger(firstLba) ||
      !Number.isInteger(lastLba) ||
      firstLba < geometry.firstUsableLba ||
      lastLba > geometry.lastUsableLba ||
      lastLba < firstLba
    ) {
      throw refused(
        `LBA ${firstLba}-${lastLba} is not whole sectors between the usable LBAs ${geometry.firstUsableLba}-${geometry.lastUsableLba}`,
        where,
      );
    }
    const at = (entry.number - 1) * GPT_ENTRY_SIZE;
    entry.raw.copy(array, at, 0, GPT_ENTRY_SIZE);
    array.writeBigUInt64LE(BigInt(firstLba), at + 32);
    array.writeBigUInt64LE(BigInt(lastLba), at + 40);
  }
  return array;
}

interface HeaderPlace {
  myLba: number;
  alternateLba: number;
  arrayLba: number;
  arrayCrc: number;
}

function buildHeader(spec: GptSpec, geometry: GptGeometry, place: HeaderPlace): Buffer {
  const sector = Buffer.alloc(spec.sectorSize);
  SIGNATURE.copy(sector, 0);
  sector.writeUInt32LE(REVISION_1_0, 8);
  sector.writeUInt32LE(HEADER_SIZE, 12);
  sector.writeBigUInt64LE(BigInt(place.myLba), 24);
  sector.writeBigUInt64LE(BigInt(place.alternateLba), 32);
  sector.writeBigUInt64LE(BigInt(geometry.firstUsableLba), 40);
  sector.writeBigUInt64LE(BigInt(geometry.lastUsableLba), 48);
  writeGuid(spec.diskGuid, sector, 56);
  sector.writeBigUInt64LE(BigInt(place.arrayLba), 72);
  sector.writeUInt32LE(geometry.entryCount, 80);
  sector.writeUInt32LE(GPT_ENTRY_SIZE, 84);
  sector.writeUInt32LE(place.arrayCrc, 88);
  sector.writeUInt32LE(crc32(sector.subarray(0, HEADER_SIZE)), 16);
  return sector;
}

function refused(message: string, where: string): FerryError {
  return new FerryError('LAYOUT_REFUSED', message, {
    where: `new GPT: ${where}`,
    hint: 'this is a bug in the layout plan; please report it',
  });
}
