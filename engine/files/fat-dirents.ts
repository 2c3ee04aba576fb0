/**
 * FAT directory entries: 8.3 short names (with the lower-case flags Windows NT and Linux set),
 * and VFAT long names spread over the entries before them, trusted only when their sequence is
 * whole and their checksum matches the short name they precede.
 */

export interface FatDirent {
  /** The long name when a valid one precedes the entry, else the short name as shown. */
  name: string;
  /** The 8.3 name in upper case, "README.TXT": an alias that also finds the entry. */
  shortName: string;
  directory: boolean;
  firstCluster: number;
  size: number;
}

const ENTRY_SIZE = 32;
const END_OF_DIRECTORY = 0x00;
const DELETED = 0xe5;
/** A short name starting with 0xE5 stores it as 0x05, since 0xE5 marks a deleted entry. */
const ESCAPED_E5 = 0x05;
const ATTR_VOLUME_ID = 0x08;
const ATTR_DIRECTORY = 0x10;
const ATTR_LONG_NAME = 0x0f;
const LONG_NAME_MASK = 0x3f;
const LAST_LONG_ENTRY = 0x40;
/** 255 characters at 13 per entry. */
const MAX_LONG_ENTRIES = 20;
const LOWER_CASE_BASE = 0x08;
const LOWER_CASE_EXTENSION = 0x10;
/** Where the 13 UTF-16 units of a long-name entry sit. */
const LONG_NAME_UNITS = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
/** Code page 437, which Linux assumes for short names, from byte 0x80 on. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** A long name being gathered, its entries met last part first. */
interface LongName {
  checksum: number;
  /** The sequence number the next entry must carry; 0 once the name is whole. */
  expected: number;
  parts: string[];
}

/**
 * The live entries of a directory's bytes, up to its end marker: no deleted entries, no volume
 * label, no "." or "..". `fat32` says whether the high half of the first cluster is meaningful.
 */
export function parseDirectory(bytes: Buffer, fat32: boolean): FatDirent[] {
  const entries: FatDirent[] = [];
  let longName: LongName | null = null;
  for (let at = 0; at + ENTRY_SIZE <= bytes.length; at += ENTRY_SIZE) {
    const entry = bytes.subarray(at, at + ENTRY_SIZE);
    const first = entry[0]!;
    if (first === END_OF_DIRECTORY) break;
    if (first === DELETED) {
      longName = null;
      continue;
    }
    const attributes = entry[11]!;
    if ((attributes & LONG_NAME_MASK) === ATTR_LONG_NAME) {
      longName = gatherLongName(longName, entry);
      continue;
    }
    const whole =
      longName && longName.expected === 0 && longName.checksum === shortNameChecksum(entry)
        ? longName.parts.join('')
        : null;
    longName = null;
    if (attributes & ATTR_VOLUME_ID) continue;
    const shortName = shortNameOf(entry, false);
    if (shortName === '.' || shortName === '..') continue;
    entries.push({
      name: whole ?? shortNameOf(entry, true),
      shortName,
      directory: (attributes & ATTR_DIRECTORY) !== 0,
      firstCluster: (fat32 ? entry.readUInt16LE(20) * 0x10000 : 0) + entry.readUInt16LE(26),
      size: entry.readUInt32LE(28),
    });
  }
  return entries;
}

/** Adds one long-name entry; a sequence that breaks is dropped. */
function gatherLongName(current: LongName | null, entry: Buffer): LongName | null {
  const order = entry[0]!;
  const sequence = order & 0x1f;
  const checksum = entry[13]!;
  let name = current;
  if (order & LAST_LONG_ENTRY) {
    if (sequence === 0 || sequence > MAX_LONG_ENTRIES) return null;
    name = { checksum, expected: sequence, parts: [] };
  } else if (!name || sequence !== name.expected || checksum !== name.checksum) {
    return null;
  }
  name.parts.unshift(longNamePart(entry));
  name.expected = sequence - 1;
  return name;
}

/** The characters of one long-name entry, up to the NUL that ends the name. */
function longNamePart(entry: Buffer): string {
  const units: number[] = [];
  for (const at of LONG_NAME_UNITS) {
    const unit = entry.readUInt16LE(at);
    if (unit === 0) break;
    units.push(unit);
  }
  return String.fromCharCode(...units);
}

/** The checksum of the 11 name bytes that every long-name entry of the name repeats. */
function shortNameChecksum(entry: Buffer): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = ((((sum & 1) << 7) | (sum >> 1)) + entry[i]!) & 0xff;
  return sum;
}

/** "NAME.EXT", or with `withCase` the lower-case flags applied as Windows shows the name. */
function shortNameOf(entry: Buffer, withCase: boolean): string {
  const text = (from: number, to: number): string => {
    let chars = '';
    for (let i = from; i < to; i++) {
      const byte = i === 0 && entry[0] === ESCAPED_E5 ? DELETED : entry[i]!;
      chars += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
    }
    return chars.replace(/ +$/, '');
  };
  const flags = withCase ? entry[12]! : 0;
  const base = text(0, 8);
  const extension = text(8, 11);
  const shownBase = flags & LOWER_CASE_BASE ? base.toLowerCase() : base;
  const shownExtension = flags & LOWER_CASE_EXTENSION ? extension.toLowerCase() : extension;
  return shownExtension ? `${shownBase}.${shownExtension}` : shownBase;
}
