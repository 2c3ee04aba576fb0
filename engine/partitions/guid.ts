import { FerryError } from '../../shared/errors.js';

/**
 * GUIDs as GPT, VHDX and Windows store them: the first three fields little-endian, the last
 * two big-endian ("mixed-endian"), shown as the lower-case standard string.
 */

const GUID_LENGTH = 16;

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a GUID or UUID in its standard text form, in either case. */
export function isGuidText(text: string): boolean {
  return GUID_PATTERN.test(text);
}

/** Reads the 16-byte on-disk GUID at `offset`. The caller makes sure the 16 bytes are there. */
export function readGuid(buffer: Uint8Array, offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + GUID_LENGTH > buffer.length) {
    throw new RangeError(`a GUID at ${offset} does not fit in ${buffer.length} bytes`);
  }
  const b = Buffer.from(buffer.buffer, buffer.byteOffset + offset, GUID_LENGTH);
  const hex = (start: number, end: number): string => b.subarray(start, end).toString('hex');
  const swapped = (start: number, end: number): string =>
    Buffer.from(b.subarray(start, end)).reverse().toString('hex');
  return `${swapped(0, 4)}-${swapped(4, 6)}-${swapped(6, 8)}-${hex(8, 10)}-${hex(10, 16)}`;
}

/** Writes `guid` (standard string form, any case) at `offset` in its on-disk byte order. */
export function writeGuid(guid: string, buffer: Uint8Array, offset: number): void {
  if (!GUID_PATTERN.test(guid)) {
    throw new FerryError('USAGE', `"${guid}" is not a GUID`, {
      where: 'GUID',
      hint: 'write it as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in hexadecimal',
    });
  }
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + GUID_LENGTH > buffer.length) {
    throw new RangeError(`a GUID at ${offset} does not fit in ${buffer.length} bytes`);
  }
  const [a, b, c, d, e] = guid.split('-') as [string, string, string, string, string];
  const bytes = Buffer.concat([
    Buffer.from(a, 'hex').reverse(),
    Buffer.from(b, 'hex').reverse(),
    Buffer.from(c, 'hex').reverse(),
    Buffer.from(d, 'hex'),
    Buffer.from(e, 'hex'),
  ]);
  buffer.set(bytes, offset);
}

export function isZeroGuid(buffer: Uint8Array, offset: number): boolean {
  for (let i = offset; i < offset + GUID_LENGTH; i++) if (buffer[i] !== 0) return false;
  return true;
}
