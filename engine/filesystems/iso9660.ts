/**
 * ISO 9660 (CD and DVD images): volume descriptors from 32 KiB on, 2 KiB each, "CD001" after
 * the type byte. The primary descriptor need not be the first; a Joliet supplementary one, when
 * present, carries the label in Unicode. Label and UUID are derived as blkid derives them: the
 * UUID is the volume's modification (else creation) time written as digits.
 */
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import type { FilesystemDriver } from './driver.js';
import { cString, orNull, utf16beString } from './identity.js';

const DESCRIPTORS = 32 * 1024;
const DESCRIPTOR_LENGTH = 2048;
/** blkid looks at no more than 16 descriptors. */
const MAX_DESCRIPTORS = 16;
const IDENTIFIER = 'CD001';

const PRIMARY = 1;
const SUPPLEMENTARY = 2;
const TERMINATOR = 0xff;

const VOLUME_ID = 40;
const VOLUME_ID_LENGTH = 32;
const SPACE_SIZE = 80;
const ESCAPE_SEQUENCES = 88;
const LOGICAL_BLOCK_SIZE = 128;
const CREATED = 813;
const MODIFIED = 830;
/** A date is 16 digits (year to hundredths) and a time-zone byte. */
const DATE_DIGITS = 16;
/** The escape sequences that mark a supplementary descriptor as Joliet (UCS-2 levels 1-3). */
const JOLIET_ESCAPES = ['%/@', '%/C', '%/E'];

interface Descriptors {
  primary: Buffer;
  joliet: Buffer | null;
}

async function readDescriptors(volume: BlockSource): Promise<Descriptors | null> {
  let primary: Buffer | null = null;
  let joliet: Buffer | null = null;
  for (let index = 0; index < MAX_DESCRIPTORS && !(primary && joliet); index++) {
    const offset = DESCRIPTORS + index * DESCRIPTOR_LENGTH;
    if (offset + DESCRIPTOR_LENGTH > volume.size) break;
    const descriptor = await volume.read(offset, DESCRIPTOR_LENGTH);
    if (descriptor.toString('latin1', 1, 1 + IDENTIFIER.length) !== IDENTIFIER) {
      if (index === 0) return null;
      break;
    }
    const type = descriptor[0];
    if (type === TERMINATOR) break;
    if (type === PRIMARY && !primary) primary = descriptor;
    const escapes = descriptor.toString('latin1', ESCAPE_SEQUENCES, ESCAPE_SEQUENCES + 3);
    if (type === SUPPLEMENTARY && !joliet && JOLIET_ESCAPES.includes(escapes)) joliet = descriptor;
  }
  if (primary) return { primary, joliet };
  if (volume.size < DESCRIPTORS + DESCRIPTOR_LENGTH) return null;
  throw new FerryError('BAD_FILESYSTEM', 'the ISO 9660 image has no primary volume descriptor', {
    where: `${volume.path}: ISO 9660 volume descriptors`,
    hint: 'the image is damaged or incomplete; make it again from the disc',
  });
}

const upper = (byte: number): number => (byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte);
const isUpper = (byte: number): boolean => byte >= 0x41 && byte <= 0x5a;

/**
 * Joliet keeps 16 Unicode characters of the label, the primary descriptor 32 characters of
 * restricted ASCII with "_" for what it cannot show. Where the Joliet label is a prefix of the
 * ASCII one, blkid rebuilds the full label from both (merge_utf16be_ascii); null when it is not.
 */
function mergeLabels(utf16: Buffer, ascii: Buffer): Buffer | null {
  const length = VOLUME_ID_LENGTH;
  const out: number[] = [];
  let a = 0;
  let u = 0;
  for (; u + 1 < length && a < length; a++, u += 2) {
    const high = utf16[u] as number;
    const next = utf16[u + 2] as number;
    if (high >= 0xd8 && high <= 0xdb && u + 3 < length && next >= 0xdc && next <= 0xdf) {
      out.push(high, utf16[u + 1] as number);
      u += 2;
    }
    const unitHigh = utf16[u] as number;
    const unitLow = utf16[u + 1] as number;
    const char = ascii[a] as number;
    if (char === 0x5f) {
      out.push(unitHigh, unitLow);
    } else if (unitHigh === 0 && unitLow === 0x5f) {
      out.push(0, char);
    } else if (unitHigh === 0 && upper(char) === upper(unitLow)) {
      out.push(0, isUpper(char) ? unitLow : char);
    } else {
      return null;
    }
  }
  for (; a < length; a++) out.push(0, ascii[a] as number);
  return Buffer.from(out);
}

function label(primary: Buffer, joliet: Buffer | null): string | null {
  const ascii = primary.subarray(VOLUME_ID, VOLUME_ID + VOLUME_ID_LENGTH);
  if (!joliet) return orNull(cString(ascii));
  const unicode = joliet.subarray(VOLUME_ID, VOLUME_ID + VOLUME_ID_LENGTH);
  return orNull(utf16beString(mergeLabels(unicode, ascii) ?? unicode));
}

/**
 * "YYYY-MM-DD-HH-MM-SS-hh" from a descriptor date. All-"0" digits with a zero zone mean the
 * date is unset; the caller then tries the other date. Null bytes mean no UUID at all.
 */
function dateUuid(date: Buffer): { set: boolean; uuid: string | null } {
  const digits = date.subarray(0, DATE_DIGITS);
  if (digits.every((byte) => byte === 0x30) && date[DATE_DIGITS] === 0) {
    return { set: false, uuid: null };
  }
  if (digits.every((byte) => byte === 0)) return { set: true, uuid: null };
  const text = digits.toString('latin1');
  const parts = [text.slice(0, 4)];
  for (let at = 4; at < DATE_DIGITS; at += 2) parts.push(text.slice(at, at + 2));
  return { set: true, uuid: parts.join('-') };
}

function uuid(primary: Buffer): string | null {
  const modified = dateUuid(primary.subarray(MODIFIED, MODIFIED + DATE_DIGITS + 1));
  return modified.set
    ? modified.uuid
    : dateUuid(primary.subarray(CREATED, CREATED + DATE_DIGITS + 1)).uuid;
}

export const iso9660Driver: FilesystemDriver = {
  async probe(volume) {
    const descriptors = await readDescriptors(volume);
    if (!descriptors) return null;
    const { primary, joliet } = descriptors;
    // Both fields are stored twice, little- then big-endian; the little-endian half is read.
    const blocks = primary.readUInt32LE(SPACE_SIZE);
    const blockSize = primary.readUInt16LE(LOGICAL_BLOCK_SIZE);
    return {
      type: 'iso9660',
      label: label(primary, joliet),
      uuid: uuid(primary),
      size: blocks === 0 || blockSize === 0 ? null : blocks * blockSize,
    };
  },
};
