/**
 * MFT records: the update-sequence (fixup) check that catches torn writes, and the walk over a
 * record's attributes with every offset and length checked against the record.
 */
import { ntfsError } from './ntfs-boot.js';

export const ATTRIBUTE_LIST = 0x20;
export const FILE_NAME = 0x30;
export const VOLUME_NAME = 0x60;
export const DATA = 0x80;
export const INDEX_ROOT = 0x90;
export const INDEX_ALLOCATION = 0xa0;
export const REPARSE_POINT = 0xc0;
const END_MARKER = 0xffffffff;
/** Update sequences protect every 512 bytes of a record, whatever the sector size. */
const STRIDE = 512;
const RECORD_IN_USE = 0x0001;

export interface NonResidentHeader {
  lowestVcn: number;
  /** -1 for an attribute with no clusters. */
  highestVcn: number;
  dataSize: number;
  initializedSize: number;
  /** Clusters per compression unit as a power of two; meaningful only for compressed streams. */
  compressionUnit: number;
  mappingPairs: Buffer;
}

export interface NtfsAttribute {
  type: number;
  /** Attribute name; '' for the unnamed (default) stream. */
  name: string;
  /** The attribute's instance number, which $ATTRIBUTE_LIST entries refer to. */
  id: number;
  /** Compressed (0x0001), encrypted (0x4000), sparse (0x8000). */
  flags: number;
  /** The value of a resident attribute; null when it lives in clusters. */
  value: Buffer | null;
  nonResident: NonResidentHeader | null;
}

export interface MftRecord {
  number: number;
  /** Bumped each time the record is reused; references carry it to detect stale pointers. */
  sequence: number;
  /** The base record this one extends; its own number for a base record. */
  baseRecord: number;
  attributes: NtfsAttribute[];
}

/**
 * Checks and undoes the update sequence of a raw record in place, then parses its header and
 * attributes. `where` names the record in errors.
 */
export function parseMftRecord(bytes: Buffer, number: number, where: string): MftRecord {
  const bad = (message: string): Error => ntfsError(message, where);
  const magic = bytes.toString('latin1', 0, 4);
  if (magic === 'BAAD') throw bad('the record is marked bad (a torn write was detected)');
  if (magic !== 'FILE') {
    throw bad(`the record has no FILE signature (found ${JSON.stringify(magic)})`);
  }
  applyFixups(bytes, bad);

  if ((bytes.readUInt16LE(0x16) & RECORD_IN_USE) === 0) throw bad('the record is not in use');
  const attributesOffset = bytes.readUInt16LE(0x14);
  const bytesInUse = bytes.readUInt32LE(0x18);
  if (bytesInUse > bytes.length || attributesOffset < 0x18 || attributesOffset + 4 > bytesInUse) {
    throw bad(`attributes at ${attributesOffset} and ${bytesInUse} bytes in use do not fit`);
  }
  // The low 48 bits are the record number; the high 16 its sequence number.
  const baseReference = bytes.readBigUInt64LE(0x20) & 0xffffffffffffn;
  return {
    number,
    sequence: bytes.readUInt16LE(0x10),
    baseRecord: baseReference === 0n ? number : Number(baseReference),
    attributes: parseAttributes(bytes.subarray(0, bytesInUse), attributesOffset, bad),
  };
}

/**
 * Checks and undoes the update sequence of a multi-sector structure (an MFT record, an INDX
 * block) in place: the last two bytes of every 512 were replaced by the sequence number when it
 * was written, and the originals kept in the array.
 */
export function applyFixups(bytes: Buffer, bad: (message: string) => Error): void {
  const arrayOffset = bytes.readUInt16LE(4);
  const count = bytes.readUInt16LE(6);
  const strides = bytes.length / STRIDE;
  if (count !== strides + 1 || arrayOffset % 2 !== 0 || arrayOffset + count * 2 > STRIDE - 2) {
    throw bad(`update sequence of ${count} entries at ${arrayOffset} does not fit the record`);
  }
  const sequence = bytes.readUInt16LE(arrayOffset);
  for (let i = 1; i <= strides; i++) {
    const tail = i * STRIDE - 2;
    if (bytes.readUInt16LE(tail) !== sequence) {
      throw bad(`sector ${i - 1} of the record fails its update sequence check (torn write)`);
    }
    bytes.writeUInt16LE(bytes.readUInt16LE(arrayOffset + i * 2), tail);
  }
}

function parseAttributes(
  record: Buffer,
  start: number,
  bad: (message: string) => Error,
): NtfsAttribute[] {
  const attributes: NtfsAttribute[] = [];
  let offset = start;
  for (;;) {
    if (offset + 4 > record.length) throw bad('the attribute list runs off the record');
    const type = record.readUInt32LE(offset);
    if (type === END_MARKER) return attributes;
    if (offset + 0x18 > record.length) throw bad(`attribute at ${offset} runs off the record`);
    const length = record.readUInt32LE(offset + 4);
    // Each attribute is at least a resident header long, so the walk always advances.
    if (length < 0x18 || length % 8 !== 0 || offset + length > record.length) {
      throw bad(`attribute at ${offset} has an impossible length ${length}`);
    }
    attributes.push(parseAttribute(record.subarray(offset, offset + length), offset, bad));
    offset += length;
  }
}

function parseAttribute(
  attribute: Buffer,
  offset: number,
  bad: (message: string) => Error,
): NtfsAttribute {
  const type = attribute.readUInt32LE(0);
  const formKind = attribute.readUInt8(8);
  const nameLength = attribute.readUInt8(9);
  const nameOffset = attribute.readUInt16LE(0x0a);
  if (formKind > 1) throw bad(`attribute at ${offset} has an unknown form ${formKind}`);
  if (nameLength > 0 && nameOffset + nameLength * 2 > attribute.length) {
    throw bad(`the name of the attribute at ${offset} lies outside it`);
  }
  const name = attribute.toString('utf16le', nameOffset, nameOffset + nameLength * 2);
  const id = attribute.readUInt16LE(0x0e);
  const flags = attribute.readUInt16LE(0x0c);

  if (formKind === 0) {
    const valueLength = attribute.readUInt32LE(0x10);
    const valueOffset = attribute.readUInt16LE(0x14);
    if (valueOffset + valueLength > attribute.length) {
      throw bad(`the value of the attribute at ${offset} lies outside it`);
    }
    const value = attribute.subarray(valueOffset, valueOffset + valueLength);
    return { type, name, id, flags, value, nonResident: null };
  }

  if (attribute.length < 0x40) throw bad(`non-resident attribute at ${offset} is too short`);
  const pairsOffset = attribute.readUInt16LE(0x20);
  if (pairsOffset < 0x40 || pairsOffset > attribute.length) {
    throw bad(`the runlist of the attribute at ${offset} lies outside it`);
  }
  const field = (at: number, what: string): number => {
    const value = attribute.readBigInt64LE(at);
    if (value < -1n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw bad(`the ${what} of the attribute at ${offset} is out of range (${value})`);
    }
    return Number(value);
  };
  const header: NonResidentHeader = {
    lowestVcn: field(0x10, 'lowest VCN'),
    highestVcn: field(0x18, 'highest VCN'),
    dataSize: field(0x30, 'data size'),
    initializedSize: field(0x38, 'initialized size'),
    compressionUnit: attribute.readUInt8(0x22),
    mappingPairs: attribute.subarray(pairsOffset),
  };
  if (
    header.lowestVcn < 0 ||
    header.highestVcn < header.lowestVcn - 1 ||
    header.dataSize < 0 ||
    header.initializedSize < 0 ||
    header.initializedSize > header.dataSize
  ) {
    throw bad(`the attribute at ${offset} has contradictory VCNs or sizes`);
  }
  return { type, name, id, flags, value: null, nonResident: header };
}
