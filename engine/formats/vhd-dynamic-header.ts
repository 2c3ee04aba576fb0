/**
 * The dynamic disk header of a dynamic VHD (1024 bytes, big-endian, "cxsparse"): where the
 * block allocation table (BAT) lies, how many entries it has and how large a block is.
 */
import { FerryError } from '../../shared/errors.js';
import { vhdChecksum } from './vhd-footer.js';

export const VHD_DYNAMIC_HEADER_SIZE = 1024;
/** A BAT entry for a block with no data in the file. */
export const VHD_UNALLOCATED = 0xffffffff;

const COOKIE = 'cxsparse';
const FIELD = {
  cookie: 0,
  dataOffset: 8,
  tableOffset: 16,
  version: 24,
  maxTableEntries: 28,
  blockSize: 32,
  checksum: 36,
} as const;
const VERSION_1_0 = 0x00010000;
/**
 * "Unused, all bits set". The specification's text says 0xFFFFFFFF, but Microsoft's tools
 * expect all 64 bits set, as QEMU found out.
 */
const NO_NEXT_STRUCTURE = 0xffffffffffffffffn;

export interface VhdDynamicHeader {
  tableOffset: number;
  maxTableEntries: number;
  blockSize: number;
}

export function buildVhdDynamicHeader(fields: VhdDynamicHeader): Buffer {
  const header = Buffer.alloc(VHD_DYNAMIC_HEADER_SIZE);
  header.write(COOKIE, FIELD.cookie, 'latin1');
  header.writeBigUInt64BE(NO_NEXT_STRUCTURE, FIELD.dataOffset);
  header.writeBigUInt64BE(BigInt(fields.tableOffset), FIELD.tableOffset);
  header.writeUInt32BE(VERSION_1_0, FIELD.version);
  header.writeUInt32BE(fields.maxTableEntries, FIELD.maxTableEntries);
  header.writeUInt32BE(fields.blockSize, FIELD.blockSize);
  // The parent fields (unique id, time stamp, name, locators) stay zero: no parent.
  header.writeUInt32BE(vhdChecksum(header, FIELD.checksum), FIELD.checksum);
  return header;
}

/** Parses and checks a dynamic header; `header` holds at least VHD_DYNAMIC_HEADER_SIZE bytes. */
export function parseVhdDynamicHeader(header: Buffer, where: string): VhdDynamicHeader {
  const bad = (message: string): FerryError =>
    new FerryError('BAD_IMAGE', message, {
      where,
      hint: 'the VHD is damaged; `qemu-img info -f vpc` may say more',
    });
  if (header.length < VHD_DYNAMIC_HEADER_SIZE || header.toString('latin1', 0, 8) !== COOKIE) {
    throw bad('no "cxsparse" cookie where the footer puts the dynamic disk header');
  }
  const stored = header.readUInt32BE(FIELD.checksum);
  const computed = vhdChecksum(header.subarray(0, VHD_DYNAMIC_HEADER_SIZE), FIELD.checksum);
  if (stored !== computed) {
    throw bad(`dynamic header checksum is ${stored}, the header sums to ${computed}`);
  }
  const version = header.readUInt32BE(FIELD.version);
  if (version >>> 16 !== 1) {
    throw new FerryError(
      'UNSUPPORTED',
      `dynamic header version ${version.toString(16)} is not 1.x`,
      {
        where,
        hint: 'convert the disk with the tool that made it (Hyper-V: Convert-VHD) first',
      },
    );
  }
  const tableOffset = header.readBigUInt64BE(FIELD.tableOffset);
  if (tableOffset > BigInt(Number.MAX_SAFE_INTEGER))
    throw bad(`BAT offset ${tableOffset} is out of range`);
  const blockSize = header.readUInt32BE(FIELD.blockSize);
  // Powers of two from one sector up, as QEMU accepts; every known writer uses 2 MiB.
  if (blockSize < 512 || (blockSize & (blockSize - 1)) !== 0) {
    throw bad(`block size ${blockSize} is not a power of two of at least 512 bytes`);
  }
  return {
    tableOffset: Number(tableOffset),
    maxTableEntries: header.readUInt32BE(FIELD.maxTableEntries),
    blockSize,
  };
}
