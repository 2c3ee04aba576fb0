/**
 * How NTFS compares file names: each UTF-16 code unit is upper-cased through the volume's own
 * $UpCase table (written by the format tool, so a name compares as Windows compared it when it
 * placed the name in the directory B-tree), then compared as unsigned 16-bit values.
 */
import type { BlockSource } from '../io/source.js';
import { ntfsError } from '../filesystems/ntfs-boot.js';
import type { Mft } from '../filesystems/ntfs-mft.js';

const UPCASE_RECORD = 10;
/** One upper-case code unit for each of the 65536 UTF-16 code units. */
const UPCASE_BYTES = 65536 * 2;

export type NameCollation = (a: string, b: string) => number;

/** Reads $UpCase and returns the collation of the volume's directory indexes. */
export async function readUpCase(volume: BlockSource, mft: Mft): Promise<NameCollation> {
  const where = `${volume.path}: $UpCase`;
  const stream = await mft.dataStream(await mft.record(UPCASE_RECORD));
  if (stream.dataSize !== UPCASE_BYTES) {
    throw ntfsError(`$UpCase holds ${stream.dataSize} bytes, not ${UPCASE_BYTES}`, where);
  }
  const bytes = await mft.readStream(stream, 0, UPCASE_BYTES, where);
  const table = new Uint16Array(UPCASE_BYTES / 2);
  for (let i = 0; i < table.length; i++) table[i] = bytes.readUInt16LE(i * 2);
  return (a, b) => compareNames(table, a, b);
}

/** Negative, zero or positive as `a` sorts before, equal to (ignoring case) or after `b`. */
function compareNames(table: Uint16Array, a: string, b: string): number {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    const difference = (table[a.charCodeAt(i)] ?? 0) - (table[b.charCodeAt(i)] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}
