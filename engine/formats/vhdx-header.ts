/**
 * The VHDX header section (MS-VHDX 2.2), its first megabyte: the file type identifier at 0, two
 * headers at 64 KiB and 128 KiB (4 KiB each, CRC-32C, the one with the higher sequence number
 * is current) and two copies of the region table at 192 KiB and 256 KiB (64 KiB each, CRC-32C),
 * which say where the BAT and the metadata region lie. All fields are little-endian; GUIDs are
 * in Microsoft's mixed-endian order.
 */
import { isZeroGuid, readGuid, writeGuid } from '../partitions/guid.js';
import { crc32c } from './crc32c.js';

const VHDX_SIGNATURE = 'vhdxfile';
export const VHDX_HEADER_OFFSETS = [64 * 1024, 128 * 1024] as const;
export const VHDX_HEADER_SIZE = 4 * 1024;
export const VHDX_REGION_TABLE_OFFSETS = [192 * 1024, 256 * 1024] as const;
export const VHDX_REGION_TABLE_SIZE = 64 * 1024;
/** The end of the header section: nothing else may start before it. */
export const VHDX_HEADER_SECTION_SIZE = 1024 * 1024;

export const VHDX_REGION = {
  bat: '2dc27766-f623-4200-9d64-115e9bfd4a08',
  metadata: '8b7ca206-4790-4b9a-b8fe-575f050f886e',
} as const;

const HEADER_SIGNATURE = 'head';
const REGION_TABLE_SIGNATURE = 'regi';
const CHECKSUM_OFFSET = 4;
/** The creator is UTF-16LE, at most 256 code units. */
const CREATOR_OFFSET = 8;
const CREATOR_BYTES = 512;
/** MS-VHDX caps the region table at 2047 entries. */
const MAX_REGION_ENTRIES = 2047;
const REGION_ENTRY_SIZE = 32;
const REGION_ENTRIES_OFFSET = 16;

const HEADER = {
  sequenceNumber: 8,
  fileWriteGuid: 16,
  dataWriteGuid: 32,
  logGuid: 48,
  logVersion: 64,
  version: 66,
  logLength: 68,
  logOffset: 72,
} as const;

export interface VhdxHeader {
  sequenceNumber: bigint;
  version: number;
  /** Undefined when the log GUID is zero: there is nothing to replay. */
  logGuid: string | undefined;
  logOffset: bigint;
  logLength: number;
}

export interface VhdxRegion {
  guid: string;
  fileOffset: bigint;
  length: number;
  required: boolean;
}

/** A structure that passed its checks, or why it did not. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The file type identifier: the signature and the creator, a free-form UTF-16LE string. */
export function buildFileIdentifier(creator: string): Buffer {
  const identifier = Buffer.alloc(CREATOR_OFFSET + CREATOR_BYTES);
  identifier.write(VHDX_SIGNATURE, 0, 'latin1');
  identifier.write(creator.slice(0, CREATOR_BYTES / 2 - 1), CREATOR_OFFSET, 'utf16le');
  return identifier;
}

export function hasVhdxSignature(head: Buffer): boolean {
  return head.length >= 8 && head.toString('latin1', 0, 8) === VHDX_SIGNATURE;
}

export interface NewVhdxHeader {
  sequenceNumber: bigint;
  fileWriteGuid: string;
  dataWriteGuid: string;
  logOffset: number;
  logLength: number;
}

/** A version 1 header with an empty log (log GUID zero, log version 0). */
export function buildVhdxHeader(fields: NewVhdxHeader): Buffer {
  const header = Buffer.alloc(VHDX_HEADER_SIZE);
  header.write(HEADER_SIGNATURE, 0, 'latin1');
  header.writeBigUInt64LE(fields.sequenceNumber, HEADER.sequenceNumber);
  writeGuid(fields.fileWriteGuid, header, HEADER.fileWriteGuid);
  writeGuid(fields.dataWriteGuid, header, HEADER.dataWriteGuid);
  header.writeUInt16LE(1, HEADER.version);
  header.writeUInt32LE(fields.logLength, HEADER.logLength);
  header.writeBigUInt64LE(BigInt(fields.logOffset), HEADER.logOffset);
  header.writeUInt32LE(crc32c(header), CHECKSUM_OFFSET);
  return header;
}

/** Checks signature and CRC-32C of one header (`bytes` is the 4 KiB at its offset). */
export function checkVhdxHeader(bytes: Buffer): Checked<VhdxHeader> {
  if (bytes.length < VHDX_HEADER_SIZE)
    return { ok: false, problem: 'it lies past the end of the file' };
  const header = bytes.subarray(0, VHDX_HEADER_SIZE);
  if (header.toString('latin1', 0, 4) !== HEADER_SIGNATURE) {
    return { ok: false, problem: 'no "head" signature' };
  }
  if (!checksumMatches(header)) return { ok: false, problem: 'its CRC-32C does not match' };
  return {
    ok: true,
    value: {
      sequenceNumber: header.readBigUInt64LE(HEADER.sequenceNumber),
      version: header.readUInt16LE(HEADER.version),
      logGuid: isZeroGuid(header, HEADER.logGuid) ? undefined : readGuid(header, HEADER.logGuid),
      logOffset: header.readBigUInt64LE(HEADER.logOffset),
      logLength: header.readUInt32LE(HEADER.logLength),
    },
  };
}

export function buildRegionTable(regions: readonly VhdxRegion[]): Buffer {
  const table = Buffer.alloc(VHDX_REGION_TABLE_SIZE);
  table.write(REGION_TABLE_SIGNATURE, 0, 'latin1');
  table.writeUInt32LE(regions.length, 8);
  regions.forEach((region, index) => {
    const at = REGION_ENTRIES_OFFSET + index * REGION_ENTRY_SIZE;
    writeGuid(region.guid, table, at);
    table.writeBigUInt64LE(region.fileOffset, at + 16);
    table.writeUInt32LE(region.length, at + 24);
    table.writeUInt32LE(region.required ? 1 : 0, at + 28);
  });
  table.writeUInt32LE(crc32c(table), CHECKSUM_OFFSET);
  return table;
}

/** Checks signature, CRC-32C and entry count of one region table copy and lists its entries. */
export function checkRegionTable(bytes: Buffer): Checked<VhdxRegion[]> {
  if (bytes.length < VHDX_REGION_TABLE_SIZE) {
    return { ok: false, problem: 'it lies past the end of the file' };
  }
  const table = bytes.subarray(0, VHDX_REGION_TABLE_SIZE);
  if (table.toString('latin1', 0, 4) !== REGION_TABLE_SIGNATURE) {
    return { ok: false, problem: 'no "regi" signature' };
  }
  if (!checksumMatches(table)) return { ok: false, problem: 'its CRC-32C does not match' };
  const count = table.readUInt32LE(8);
  if (count > MAX_REGION_ENTRIES) {
    return { ok: false, problem: `${count} entries, more than the ${MAX_REGION_ENTRIES} allowed` };
  }
  const regions: VhdxRegion[] = [];
  for (let index = 0; index < count; index++) {
    const at = REGION_ENTRIES_OFFSET + index * REGION_ENTRY_SIZE;
    regions.push({
      guid: readGuid(table, at),
      fileOffset: table.readBigUInt64LE(at + 16),
      length: table.readUInt32LE(at + 24),
      required: (table.readUInt32LE(at + 28) & 1) === 1,
    });
  }
  return { ok: true, value: regions };
}

/** Whether the CRC-32C of `structure`, its checksum field taken as zero, is the one stored. */
function checksumMatches(structure: Buffer): boolean {
  const copy = Buffer.from(structure);
  copy.writeUInt32LE(0, CHECKSUM_OFFSET);
  return crc32c(copy) === structure.readUInt32LE(CHECKSUM_OFFSET);
}
