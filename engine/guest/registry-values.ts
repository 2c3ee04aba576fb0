/**
 * Value records (vk): the name, the type and where the data lives. Data of up to 4 bytes sits in
 * the record's offset field; larger data fills a cell of its own, and data over 16344 bytes in a
 * hive of format 1.4 or later is split over segment cells listed by a "big data" (db) record.
 */
import { decodeName, type HiveCells, NO_CELL, requireLength } from './registry-cells.js';

const VK_NAME_OFFSET = 0x14;
const VALUE_COMP_NAME = 0x0001;
const INLINE_DATA = 0x80000000;
const MAX_INLINE_LENGTH = 4;
/** The most one data cell or one big-data segment holds. */
const SEGMENT_SIZE = 16344;
const DB_RECORD_SIZE = 8;

const REG_SZ = 1;
const REG_EXPAND_SZ = 2;
const REG_BINARY = 3;
const REG_DWORD = 4;
const REG_MULTI_SZ = 7;
const REG_QWORD = 11;

interface StoredValue {
  name: string;
  /** The stored type code (REG_SZ is 1, REG_DWORD 4, REG_QWORD 11...). */
  code: number;
  /** The stored bytes, exactly as Windows wrote them. */
  raw: Buffer;
}

export type RegistryValue = StoredValue &
  (
    | { type: 'REG_SZ' | 'REG_EXPAND_SZ'; data: string }
    | { type: 'REG_MULTI_SZ'; data: string[] }
    | { type: 'REG_DWORD'; data: number }
    | { type: 'REG_QWORD'; data: bigint }
    | { type: 'REG_BINARY'; data: Buffer }
    /** REG_NONE, REG_LINK, resource lists, types Ferry has no use for, numbers too short. */
    | { type: 'other'; data: Buffer }
  );

/** The vk records a key lists: `count` offsets in the cell at `listOffset`. */
export function valueOffsets(
  cells: HiveCells,
  listOffset: number,
  count: number,
  what: string,
): number[] {
  if (count === 0) return [];
  const list = cells.cell(listOffset, `${what}: value list`);
  requireLength(cells, list, count * 4, `${what}: value list of ${count}`);
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) offsets.push(list.readUInt32LE(i * 4));
  return offsets;
}

/** The name of the value at `offset`, without reading its data. */
export function valueName(cells: HiveCells, offset: number, what: string): string {
  const record = valueRecord(cells, offset, what);
  const length = record.readUInt16LE(2);
  requireLength(cells, record, VK_NAME_OFFSET + length, `${what}: value name`);
  const compressed = (record.readUInt16LE(0x10) & VALUE_COMP_NAME) !== 0;
  return decodeName(record.subarray(VK_NAME_OFFSET, VK_NAME_OFFSET + length), compressed);
}

export function readValue(cells: HiveCells, offset: number, what: string): RegistryValue {
  const name = valueName(cells, offset, what);
  const at = `${what}: value ${JSON.stringify(name)}`;
  const record = valueRecord(cells, offset, what);
  const code = record.readUInt32LE(0x0c);
  return decodeValue({ name, code, raw: valueData(cells, record, at) });
}

function valueRecord(cells: HiveCells, offset: number, what: string): Buffer {
  const record = cells.cell(offset, `${what}: value`);
  requireLength(cells, record, VK_NAME_OFFSET, `${what}: value record`);
  if (record.toString('latin1', 0, 2) !== 'vk') {
    throw cells.error(`${what}: value cell 0x${offset.toString(16)} is not a vk record`);
  }
  return record;
}

function valueData(cells: HiveCells, record: Buffer, what: string): Buffer {
  const declared = record.readUInt32LE(0x04);
  const length = declared & ~INLINE_DATA;
  if ((declared & INLINE_DATA) !== 0) {
    if (length > MAX_INLINE_LENGTH) throw cells.error(`${what}: ${length} bytes cannot be inline`);
    return Buffer.from(record.subarray(0x08, 0x08 + length));
  }
  if (length === 0) return Buffer.alloc(0);
  const dataOffset = record.readUInt32LE(0x08);
  if (dataOffset === NO_CELL) throw cells.error(`${what}: ${length} bytes of data have no cell`);
  const cell = cells.cell(dataOffset, `${what}: data`);
  if (length <= cell.length) return Buffer.from(cell.subarray(0, length));
  // Only a big-data record can stand for more bytes than its cell holds (hivex decides the same way).
  if (length <= SEGMENT_SIZE || cell.toString('latin1', 0, 2) !== 'db') {
    throw cells.error(`${what}: ${length} bytes of data do not fit the ${cell.length}-byte cell`);
  }
  return bigData(cells, cell, length, what);
}

/**
 * Joins the segments of a db record. Each segment is a distinct cell, so the bytes gathered can
 * never exceed the hive itself, whatever the record claims.
 */
function bigData(cells: HiveCells, record: Buffer, length: number, what: string): Buffer {
  requireLength(cells, record, DB_RECORD_SIZE, `${what}: big-data record`);
  const count = record.readUInt16LE(2);
  if (count !== Math.ceil(length / SEGMENT_SIZE)) {
    throw cells.error(`${what}: ${count} segments cannot hold ${length} bytes`);
  }
  const list = cells.cell(record.readUInt32LE(4), `${what}: big-data segment list`);
  requireLength(cells, list, count * 4, `${what}: big-data segment list of ${count}`);
  const seen = new Set<number>();
  const parts: Buffer[] = [];
  for (let i = 0, left = length; i < count; i++) {
    const offset = list.readUInt32LE(i * 4);
    if (seen.has(offset))
      throw cells.error(`${what}: big-data segment ${i} repeats an earlier one`);
    seen.add(offset);
    const segment = cells.cell(offset, `${what}: big-data segment ${i}`);
    const take = Math.min(SEGMENT_SIZE, left);
    requireLength(cells, segment, take, `${what}: big-data segment ${i}`);
    parts.push(segment.subarray(0, take));
    left -= take;
  }
  return Buffer.concat(parts, length);
}

/**
 * Decodes by type. A DWORD or QWORD too short for its type stays undecoded ('other'): Windows
 * itself writes such values, e.g. the empty REG_DWORD defaults under SECURITY\Policy\Secrets.
 * Longer ones are read from their first bytes, as hivex reads them.
 */
function decodeValue(stored: StoredValue): RegistryValue {
  const { code, raw } = stored;
  switch (code) {
    case REG_SZ:
      return { ...stored, type: 'REG_SZ', data: utf16Strings(raw)[0] ?? '' };
    case REG_EXPAND_SZ:
      return { ...stored, type: 'REG_EXPAND_SZ', data: utf16Strings(raw)[0] ?? '' };
    case REG_MULTI_SZ:
      return { ...stored, type: 'REG_MULTI_SZ', data: utf16Strings(raw) };
    case REG_DWORD:
      if (raw.length < 4) break;
      return { ...stored, type: 'REG_DWORD', data: raw.readUInt32LE(0) };
    case REG_QWORD:
      if (raw.length < 8) break;
      return { ...stored, type: 'REG_QWORD', data: raw.readBigUInt64LE(0) };
    case REG_BINARY:
      return { ...stored, type: 'REG_BINARY', data: raw };
  }
  return { ...stored, type: 'other', data: raw };
}

/**
 * The NUL-terminated UTF-16LE strings in `raw`, up to the first empty one. Windows often leaves
 * junk after a string's terminator (hivex notes it in fresh XP hives), so nothing past it counts.
 */
function utf16Strings(raw: Buffer): string[] {
  const units = Math.floor(raw.length / 2);
  const strings: string[] = [];
  let start = 0;
  for (let unit = 0; unit <= units; unit++) {
    if (unit < units && raw.readUInt16LE(unit * 2) !== 0) continue;
    if (unit === start) break;
    strings.push(raw.toString('utf16le', start * 2, unit * 2));
    start = unit + 1;
  }
  return strings;
}
