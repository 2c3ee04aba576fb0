/**
 * The VHDX metadata region (MS-VHDX 2.6): a 64 KiB table of items, then the items it points
 * to. Five system items describe a disk: file parameters (block size, whether blocks stay
 * allocated, whether there is a parent), the virtual disk size, the page 83 id (the
 * VirtualDiskId: the GUID Hyper-V reports as the disk's identity and a VM sees as its SCSI
 * identity), and the logical and physical sector sizes.
 */
import { FerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';
import type { BlockSource } from '../io/source.js';
import { readGuid, writeGuid } from '../partitions/guid.js';
import { storedUuid } from './disk-uuid.js';

const VHDX_METADATA_TABLE_SIZE = 64 * 1024;
/** MS-VHDX's largest virtual disk: 64 TiB. */
export const VHDX_MAX_DISK_SIZE = 64 * 2 ** 40;

const SIGNATURE = 'metadata';
const MAX_ENTRIES = 2047;
const ENTRY_SIZE = 32;
const ENTRIES_OFFSET = 32;
const FLAG = { isUser: 1, isVirtualDisk: 2, isRequired: 4 } as const;
const FILE_PARAMETERS = { leaveBlocksAllocated: 1, hasParent: 2 } as const;
const MiB = 2 ** 20;

const ITEM = {
  fileParameters: 'caa16737-fa36-4d43-b3b6-33f0aa44e76b',
  virtualDiskSize: '2fa54224-cd1b-4876-b211-5dbed83bf4b8',
  page83: 'beca12ab-b2e6-4523-93ef-c309e000c746',
  logicalSectorSize: '8141bf1d-a96f-4709-ba47-f233a8faab5f',
  physicalSectorSize: 'cda348c7-445d-4471-9cc9-e9885251c556',
} as const;
const KNOWN_ITEMS = new Set<string>(Object.values(ITEM));
/** Present only in differencing disks. */
const PARENT_LOCATOR = 'a8d35f2d-b30b-454d-abf7-d3d84834ab0c';

export interface VhdxMetadata {
  blockSize: number;
  leaveBlocksAllocated: boolean;
  virtualDiskSize: number;
  logicalSectorSize: number;
  physicalSectorSize: number;
}

/** What a reader learns from the region: the metadata, and the disk's identity. */
export interface VhdxDiskMetadata extends VhdxMetadata {
  /** The page 83 VirtualDiskId; null when the item is missing, short or all zeros. */
  virtualDiskId: string | null;
}

/** The table and the items of a new disk known by `virtualDiskId`, ready for the region's start. */
export function buildVhdxMetadata(metadata: VhdxMetadata, virtualDiskId: string): Buffer {
  const items: [string, number, Buffer][] = [
    [ITEM.fileParameters, FLAG.isRequired, fileParameters(metadata)],
    [ITEM.virtualDiskSize, FLAG.isRequired | FLAG.isVirtualDisk, u64(metadata.virtualDiskSize)],
    [ITEM.page83, FLAG.isRequired | FLAG.isVirtualDisk, guid(virtualDiskId)],
    [ITEM.logicalSectorSize, FLAG.isRequired | FLAG.isVirtualDisk, u32(metadata.logicalSectorSize)],
    [
      ITEM.physicalSectorSize,
      FLAG.isRequired | FLAG.isVirtualDisk,
      u32(metadata.physicalSectorSize),
    ],
  ];
  const itemBytes = items.reduce((sum, [, , data]) => sum + data.length, 0);
  const region = Buffer.alloc(VHDX_METADATA_TABLE_SIZE + itemBytes);
  region.write(SIGNATURE, 0, 'latin1');
  region.writeUInt16LE(items.length, 10);
  let offset = VHDX_METADATA_TABLE_SIZE;
  items.forEach(([id, flags, data], index) => {
    const at = ENTRIES_OFFSET + index * ENTRY_SIZE;
    writeGuid(id, region, at);
    region.writeUInt32LE(offset, at + 16);
    region.writeUInt32LE(data.length, at + 20);
    region.writeUInt32LE(flags, at + 24);
    data.copy(region, offset);
    offset += data.length;
  });
  return region;
}

/**
 * Reads and checks the metadata region at `offset` (`length` bytes, inside the file).
 * Differencing disks and unknown required items are UNSUPPORTED; anything malformed is
 * BAD_IMAGE.
 */
export async function readVhdxMetadata(
  file: BlockSource,
  offset: number,
  length: number,
): Promise<VhdxDiskMetadata> {
  const where = `${file.path}: VHDX metadata region at ${offset}`;
  const bad = (message: string): FerryError =>
    new FerryError('BAD_IMAGE', message, {
      where,
      hint: 'the VHDX is damaged; `qemu-img check -f vhdx` may say more',
    });
  if (length < VHDX_METADATA_TABLE_SIZE) throw bad(`the region is only ${length} bytes long`);
  const table = await file.read(offset, VHDX_METADATA_TABLE_SIZE);
  if (table.toString('latin1', 0, 8) !== SIGNATURE) throw bad('no "metadata" signature');
  const count = table.readUInt16LE(10);
  if (count > MAX_ENTRIES) throw bad(`${count} entries, more than the ${MAX_ENTRIES} allowed`);

  const items = new Map<string, Buffer>();
  for (let index = 0; index < count; index++) {
    const at = ENTRIES_OFFSET + index * ENTRY_SIZE;
    const id = readGuid(table, at);
    const itemOffset = table.readUInt32LE(at + 16);
    const itemLength = table.readUInt32LE(at + 20);
    const flags = table.readUInt32LE(at + 24);
    if (flags & FLAG.isUser) continue;
    if (id === PARENT_LOCATOR) throw differencing(where);
    if (!KNOWN_ITEMS.has(id)) {
      if (flags & FLAG.isRequired) {
        throw new FerryError(
          'UNSUPPORTED',
          `the VHDX requires metadata item ${id}, unknown to Ferry`,
          {
            where,
            hint: 'convert the disk with Hyper-V (Convert-VHD) to a plain dynamic or fixed VHDX first',
          },
        );
      }
      continue;
    }
    if (
      itemLength > 0 &&
      (itemOffset < VHDX_METADATA_TABLE_SIZE || itemOffset + itemLength > length)
    ) {
      throw bad(`item ${id} (${itemLength} bytes at ${itemOffset}) lies outside the region`);
    }
    if (itemLength > MiB) throw bad(`item ${id} is ${itemLength} bytes long, more than 1 MiB`);
    items.set(
      id,
      itemLength === 0 ? Buffer.alloc(0) : await file.read(offset + itemOffset, itemLength),
    );
  }

  const item = (id: string, name: string, size: number): Buffer => {
    const data = items.get(id);
    if (!data) throw bad(`the ${name} item is missing`);
    if (data.length < size) throw bad(`the ${name} item is ${data.length} bytes, not ${size}`);
    return data;
  };
  const parameters = item(ITEM.fileParameters, 'file parameters', 8);
  const blockSize = parameters.readUInt32LE(0);
  const bits = parameters.readUInt32LE(4);
  if (bits & FILE_PARAMETERS.hasParent) throw differencing(where);
  if (blockSize < MiB || blockSize > 256 * MiB || (blockSize & (blockSize - 1)) !== 0) {
    throw bad(`block size ${blockSize} is not a power of two from 1 MiB to 256 MiB`);
  }
  const logicalSectorSize = item(ITEM.logicalSectorSize, 'logical sector size', 4).readUInt32LE(0);
  const physicalSectorSize = item(ITEM.physicalSectorSize, 'physical sector size', 4).readUInt32LE(
    0,
  );
  for (const [name, value] of [
    ['logical', logicalSectorSize],
    ['physical', physicalSectorSize],
  ] as const) {
    if (value !== 512 && value !== 4096)
      throw bad(`${name} sector size ${value} is neither 512 nor 4096`);
  }
  const rawSize = item(ITEM.virtualDiskSize, 'virtual disk size', 8).readBigUInt64LE(0);
  if (rawSize > BigInt(VHDX_MAX_DISK_SIZE))
    throw bad(`virtual disk size ${rawSize} is more than 64 TiB`);
  const virtualDiskSize = Number(rawSize);
  if (virtualDiskSize % logicalSectorSize !== 0) {
    throw bad(
      `virtual disk size ${formatSize(virtualDiskSize)} is not a whole number of ${logicalSectorSize}-byte sectors`,
    );
  }
  return {
    blockSize,
    leaveBlocksAllocated: (bits & FILE_PARAMETERS.leaveBlocksAllocated) !== 0,
    virtualDiskSize,
    logicalSectorSize,
    physicalSectorSize,
    virtualDiskId: storedUuid(items.get(ITEM.page83) ?? Buffer.alloc(0), 0),
  };
}

function differencing(where: string): FerryError {
  return new FerryError('UNSUPPORTED', 'a differencing VHDX holds only changes to its parent', {
    where,
    hint: 'merge it into its parent first (Hyper-V: Merge-VHD) and convert the result',
  });
}

function fileParameters({ blockSize, leaveBlocksAllocated }: VhdxMetadata): Buffer {
  const data = Buffer.alloc(8);
  data.writeUInt32LE(blockSize, 0);
  data.writeUInt32LE(leaveBlocksAllocated ? FILE_PARAMETERS.leaveBlocksAllocated : 0, 4);
  return data;
}

function u64(value: number): Buffer {
  const data = Buffer.alloc(8);
  data.writeBigUInt64LE(BigInt(value));
  return data;
}

function u32(value: number): Buffer {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(value);
  return data;
}

function guid(value: string): Buffer {
  const data = Buffer.alloc(16);
  writeGuid(value, data, 0);
  return data;
}
