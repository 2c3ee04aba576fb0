/**
 * The VirtualBox VDI header (little-endian), as VirtualBox's VDICore.h lays it out: a 64-byte
 * text, the signature and version (the pre-header), then header version 1.1 ("1plus", 400
 * bytes). Offsets below are from the start of the file.
 */
import { randomUUID } from 'node:crypto';
import { FerryError } from '../../shared/errors.js';
import { writeGuid } from '../partitions/guid.js';
import { storedUuid } from './disk-uuid.js';

export const VDI_SIGNATURE = 0xbeda107f;
export const VDI_SIGNATURE_OFFSET = 0x40;
/** The text VirtualBox writes (VDI_IMAGE_FILE_INFO); readers ignore it. */
const FILE_INFO = '<<< Oracle VM VirtualBox Disk Image >>>\n';
const VERSION_1_1 = 0x00010001;
const PRE_HEADER_SIZE = 72;
/** sizeof(VDIHEADER1PLUS), what VirtualBox writes; VDIHEADER1 (no LCHS geometry) is 384. */
const HEADER_1PLUS_SIZE = 400;
const HEADER_1_SIZE = 384;
/** The whole header, pre-header included. */
export const VDI_HEADER_BYTES = PRE_HEADER_SIZE + HEADER_1PLUS_SIZE;
const SECTOR = 512;

export const VDI_TYPE = { dynamic: 1, fixed: 2, undo: 3, diff: 4 } as const;
/** A block map entry for a block with no data in the file (VDI_IMAGE_BLOCK_FREE). */
export const VDI_BLOCK_FREE = 0xffffffff;
/** A discarded block, reading as zeros (VDI_IMAGE_BLOCK_ZERO); this and above hold no data. */
export const VDI_BLOCK_ZERO = 0xfffffffe;

const FIELD = {
  version: 0x44,
  headerSize: 0x48,
  type: 0x4c,
  flags: 0x50,
  blocksOffset: 0x154,
  dataOffset: 0x158,
  legacyGeometry: 0x15c,
  diskSize: 0x170,
  blockSize: 0x178,
  blockExtra: 0x17c,
  blocks: 0x180,
  blocksAllocated: 0x184,
  uuidCreate: 0x188,
  uuidModify: 0x198,
  uuidLinkage: 0x1a8,
  uuidParentModify: 0x1b8,
  lchsGeometry: 0x1c8,
} as const;

export interface VdiHeader {
  type: number;
  blocksOffset: number;
  dataOffset: number;
  diskSize: number;
  blockSize: number;
  blockExtra: number;
  blocks: number;
  blocksAllocated: number;
  /** The creation UUID, the one VirtualBox knows the disk by; null when it is all zeros. */
  uuid: string | null;
}

export type NewVdiHeader = Omit<VdiHeader, 'blockExtra' | 'uuid'> & { uuid: string };

/**
 * The header VirtualBox would write for these fields: `uuid` as the creation UUID (VirtualBox
 * takes the caller's too), a fresh modification UUID.
 */
export function buildVdiHeader(fields: NewVdiHeader): Buffer {
  const header = Buffer.alloc(SECTOR);
  header.write(FILE_INFO, 0, 'latin1');
  header.writeUInt32LE(VDI_SIGNATURE, VDI_SIGNATURE_OFFSET);
  header.writeUInt32LE(VERSION_1_1, FIELD.version);
  header.writeUInt32LE(HEADER_1PLUS_SIZE, FIELD.headerSize);
  header.writeUInt32LE(fields.type, FIELD.type);
  header.writeUInt32LE(fields.blocksOffset, FIELD.blocksOffset);
  header.writeUInt32LE(fields.dataOffset, FIELD.dataOffset);
  // VirtualBox leaves both geometries "not calculated" (zero C/H/S) at creation and fills in
  // the logical one when a VM first uses the disk; only the sector size is set.
  header.writeUInt32LE(SECTOR, FIELD.legacyGeometry + 12);
  header.writeUInt32LE(SECTOR, FIELD.lchsGeometry + 12);
  header.writeBigUInt64LE(BigInt(fields.diskSize), FIELD.diskSize);
  header.writeUInt32LE(fields.blockSize, FIELD.blockSize);
  header.writeUInt32LE(fields.blocks, FIELD.blocks);
  header.writeUInt32LE(fields.blocksAllocated, FIELD.blocksAllocated);
  writeGuid(fields.uuid, header, FIELD.uuidCreate);
  writeGuid(randomUUID(), header, FIELD.uuidModify);
  // The linkage and parent UUIDs stay zero: a base image has no parent.
  return header;
}

/**
 * Reads and checks the header at the start of `head` (of a file of `fileSize` bytes). Throws
 * BAD_IMAGE for a damaged header and UNSUPPORTED for images that need another file.
 */
export function parseVdiHeader(head: Buffer, fileSize: number, where: string): VdiHeader {
  const bad = (message: string): FerryError =>
    new FerryError('BAD_IMAGE', message, {
      where: `${where}: VDI header`,
      hint: 'the image is damaged; `qemu-img check` may say more',
    });
  if (head.length < PRE_HEADER_SIZE || head.readUInt32LE(VDI_SIGNATURE_OFFSET) !== VDI_SIGNATURE) {
    throw bad('not a VDI header');
  }
  const version = head.readUInt32LE(FIELD.version);
  if (version >>> 16 !== 1) {
    throw new FerryError(
      'UNSUPPORTED',
      `VDI version ${version >>> 16}.${version & 0xffff} is not supported`,
      {
        where: `${where}: VDI header`,
        hint: 'open the disk in a current VirtualBox once, or `VBoxManage clonemedium` it, to update it',
      },
    );
  }
  if (head.length < VDI_HEADER_BYTES) throw bad('the header is cut short');
  const headerSize = head.readUInt32LE(FIELD.headerSize);
  if (headerSize < HEADER_1_SIZE) throw bad(`header size ${headerSize} is below ${HEADER_1_SIZE}`);
  const diskSize = head.readBigUInt64LE(FIELD.diskSize);
  if (diskSize > BigInt(Number.MAX_SAFE_INTEGER))
    throw bad(`disk size ${diskSize} is out of range`);
  const header: VdiHeader = {
    type: head.readUInt32LE(FIELD.type),
    blocksOffset: head.readUInt32LE(FIELD.blocksOffset),
    dataOffset: head.readUInt32LE(FIELD.dataOffset),
    diskSize: Number(diskSize),
    blockSize: head.readUInt32LE(FIELD.blockSize),
    blockExtra: head.readUInt32LE(FIELD.blockExtra),
    blocks: head.readUInt32LE(FIELD.blocks),
    blocksAllocated: head.readUInt32LE(FIELD.blocksAllocated),
    uuid: storedUuid(head, FIELD.uuidCreate),
  };
  if (header.type === VDI_TYPE.undo || header.type === VDI_TYPE.diff) {
    throw new FerryError(
      'UNSUPPORTED',
      'this VDI is a differencing image: it holds only changes to its parent',
      {
        where: `${where}: VDI header`,
        hint: 'clone the whole chain into one disk first: `VBoxManage clonemedium <disk> flat.vdi`',
      },
    );
  }
  if (header.type !== VDI_TYPE.dynamic && header.type !== VDI_TYPE.fixed) {
    throw bad(`image type ${header.type} is unknown`);
  }
  const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;
  if (!isPowerOfTwo(header.blockSize) || header.blockSize < SECTOR) {
    throw bad(`block size ${header.blockSize} is not a power of two of at least ${SECTOR}`);
  }
  if (header.blockExtra !== 0 && !isPowerOfTwo(header.blockExtra)) {
    throw bad(`block extra size ${header.blockExtra} is not a power of two`);
  }
  if (header.blocks * header.blockSize < header.diskSize) {
    throw bad(
      `${header.blocks} blocks of ${header.blockSize} bytes cannot hold ${header.diskSize} bytes`,
    );
  }
  if (header.blocksAllocated > header.blocks) {
    throw bad(`${header.blocksAllocated} blocks allocated out of ${header.blocks}`);
  }
  const mapEnd = header.blocksOffset + header.blocks * 4;
  if (header.blocksOffset < PRE_HEADER_SIZE + HEADER_1_SIZE || mapEnd > fileSize) {
    throw bad(
      `the block map (${header.blocks} entries at ${header.blocksOffset}) does not fit in the file`,
    );
  }
  if (header.dataOffset < mapEnd) {
    throw bad(`data offset ${header.dataOffset} lies inside the block map`);
  }
  return header;
}
