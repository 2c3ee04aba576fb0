/**
 * The identity a virtual disk carries (`WriterOptions.uuid`, `ImageReader.uuid`). VDI, VHD and
 * VHDX store it as 16 bytes whose first three fields are little-endian: VirtualBox's RTUUID and
 * Windows' GUID both lay it out so, which is partitions/guid.ts's order. VMDK stores it as text.
 */
import { randomUUID } from 'node:crypto';
import { FerryError } from '../../shared/errors.js';
import { isZeroGuid, readGuid } from '../partitions/guid.js';
import { isGuidText } from '../partitions/guid.js';

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const UUID_BYTES = 16;

/**
 * The UUID a writer stores: `requested` in lower case, or a fresh random (version 4) one when
 * absent. Anything else, the nil UUID included (VirtualBox takes it for "no UUID"), is USAGE.
 */
export function diskUuid(requested: string | undefined): string {
  if (requested === undefined) return randomUUID();
  const uuid = requested.toLowerCase();
  if (isGuidText(uuid) && uuid !== NIL_UUID) return uuid;
  const shown = JSON.stringify(requested.length > 60 ? `${requested.slice(0, 60)}…` : requested);
  throw new FerryError(
    'USAGE',
    uuid === NIL_UUID ? 'the nil UUID names no disk' : `${shown} is not a UUID`,
    {
      where: 'disk UUID',
      hint: 'give xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in hexadecimal, not all zeros, or none for a random one',
    },
  );
}

/**
 * A UUID written as text (a VMDK descriptor value) in lower case; null when the text is not one
 * or is the nil UUID. Braces are allowed, as VirtualBox's RTUuidFromStr allows them.
 */
export function uuidFromText(text: string): string | null {
  const uuid = text
    .trim()
    .replace(/^\{(.*)\}$/, '$1')
    .toLowerCase();
  return isGuidText(uuid) && uuid !== NIL_UUID ? uuid : null;
}

/** The UUID in the 16 bytes at `offset`; null when they are all zero or do not fit in `bytes`. */
export function storedUuid(bytes: Buffer, offset: number): string | null {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + UUID_BYTES > bytes.length) {
    return null;
  }
  return isZeroGuid(bytes, offset) ? null : readGuid(bytes, offset);
}
