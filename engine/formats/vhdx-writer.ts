/**
 * Writes VHDX files laid out as Hyper-V lays them out: the header section in the first MiB,
 * an empty 1 MiB log at 1 MiB, the metadata region at 2 MiB, the BAT at 3 MiB, then payload
 * blocks, each whole and 1 MiB aligned. Blocks are appended in the order they arrive; every
 * table is written at the end, in space reserved up front.
 *
 * Dynamic (the default) uses 1 MiB blocks. Hyper-V's default is 32 MiB, but a block holding a
 * single used byte is stored whole, and filesystems scatter small used runs (ext4 puts bitmaps
 * and inode tables in every 128 MiB group, NTFS its MFT and logs far apart), so after a
 * used-blocks-only conversion larger blocks mostly store zeros. Measured on a 4 GiB ext4 made
 * by mkfs.ext4 -d from 190 MiB of files: 208 MiB of VHDX with 1 MiB blocks, 218 MiB with 2 MiB,
 * 272 MiB with 8 MiB, 488 MiB with 32 MiB. 1 MiB is also the smallest block MS-VHDX allows,
 * what Microsoft recommends for Linux guests, and VDI's block size; its only cost, a larger
 * BAT, is 8 MiB per TiB. Above 16 TiB the block doubles as often as needed to keep the block
 * offsets in memory within 64 MiB. Blocks with no data get the ZERO state, which guarantees
 * zeros on every reader (NOT_PRESENT only allows them).
 *
 * Fixed (`thick`) uses 32 MiB blocks, as Hyper-V does, and stores every block in order at
 * its own place, unwritten ones as zeros, with "leave blocks allocated" set.
 */
import { randomUUID } from 'node:crypto';
import { FerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';
import { BlockArea } from './block-area.js';
import { diskUuid } from './disk-uuid.js';
import { PartialFile } from './partial-file.js';
import type { Extent, FormatWriterDriver, ImageWriter, WriterOptions } from './types.js';
import {
  BAT_ENTRY_SIZE,
  PAYLOAD_STATE,
  batGeometry,
  batPieces,
  type BatGeometry,
} from './vhdx-bat.js';
import {
  VHDX_HEADER_OFFSETS,
  VHDX_REGION,
  VHDX_REGION_TABLE_OFFSETS,
  buildFileIdentifier,
  buildRegionTable,
  buildVhdxHeader,
} from './vhdx-header.js';
import { VHDX_MAX_DISK_SIZE, buildVhdxMetadata } from './vhdx-metadata.js';
import { WriteBatch } from './write-batch.js';

const MiB = 2 ** 20;
const LOG_OFFSET = MiB;
const LOG_LENGTH = MiB;
const METADATA_OFFSET = 2 * MiB;
const METADATA_LENGTH = MiB;
const BAT_OFFSET = 3 * MiB;
const DYNAMIC_BLOCK_SIZE = MiB;
const FIXED_BLOCK_SIZE = 32 * MiB;
/** 64 MiB of block offsets in memory, whatever the disk size. */
const MAX_BLOCKS = 2 ** 24;
const LOGICAL_SECTOR_SIZE = 512;
/** What Hyper-V reports for a new VHDX: 4 KiB, the sector size of current disks. */
const PHYSICAL_SECTOR_SIZE = 4096;
const CREATOR = 'Ferry';

/**
 * The size in bytes of the disk a VHDX written for `requested` bytes presents: whole 512-byte
 * sectors. Throws UNSUPPORTED past the VHDX limit of 64 TiB.
 */
export function vhdxDiskSize(requested: number): number {
  const size = Math.max(1, Math.ceil(requested / LOGICAL_SECTOR_SIZE)) * LOGICAL_SECTOR_SIZE;
  if (size > VHDX_MAX_DISK_SIZE) {
    throw new FerryError('UNSUPPORTED', `a ${formatSize(requested)} disk is too large for VHDX`, {
      where: 'VHDX writer',
      hint: 'VHDX holds at most 64 TiB; choose a smaller disk size',
    });
  }
  return size;
}

export const vhdxWriter: FormatWriterDriver = {
  name: 'vhdx',
  outputFiles: (target) => [target],
  async create(target: string, options: WriterOptions): Promise<ImageWriter> {
    const uuid = diskUuid(options.uuid);
    const size = vhdxDiskSize(options.size);
    let blockSize = options.thick ? FIXED_BLOCK_SIZE : DYNAMIC_BLOCK_SIZE;
    while (Math.ceil(size / blockSize) > MAX_BLOCKS) blockSize *= 2;
    const geometry = batGeometry(size, blockSize, LOGICAL_SECTOR_SIZE);
    const file = await PartialFile.create(target);
    return new VhdxImageWriter(file, size, geometry, options.thick, uuid);
  },
};

class VhdxImageWriter implements ImageWriter {
  private readonly batLength: number;
  /** File offset in MiB of each payload block, 0 for a block not stored. */
  private readonly offsetsMiB: Uint32Array;
  private readonly batch: WriteBatch;
  private readonly area: BlockArea;

  constructor(
    private readonly file: PartialFile,
    private readonly size: number,
    private readonly geometry: BatGeometry,
    private readonly fixed: boolean,
    private readonly uuid: string,
  ) {
    this.batLength = Math.max(MiB, Math.ceil((geometry.entries * BAT_ENTRY_SIZE) / MiB) * MiB);
    const dataOffset = BAT_OFFSET + this.batLength;
    const { blockSize } = geometry;
    this.offsetsMiB = new Uint32Array(geometry.blocks);
    this.batch = new WriteBatch(file);
    this.area = new BlockArea(
      this.batch,
      { dataOffset, blockSize, diskSize: size, fixed },
      (index, stored) => {
        this.offsetsMiB[index] = (dataOffset + stored * blockSize) / MiB;
      },
    );
  }

  write(extent: Extent): Promise<void> {
    return this.area.write(extent);
  }

  async finish(): Promise<string[]> {
    await this.area.finish(this.geometry.blocks);
    await this.putTables();
    await this.batch.flush();
    return [await this.file.commit(this.area.end)];
  }

  async abort(): Promise<void> {
    await this.batch.abandon();
    await this.file.discard();
  }

  private async putTables(): Promise<void> {
    // The write GUIDs change with every session that writes the file (MS-VHDX 2.2.2); the
    // disk's lasting identity is the page 83 id.
    const fileWriteGuid = randomUUID();
    const dataWriteGuid = randomUUID();
    this.batch.put(0, buildFileIdentifier(CREATOR));
    VHDX_HEADER_OFFSETS.forEach((offset, index) => {
      const header = buildVhdxHeader({
        sequenceNumber: BigInt(index + 1),
        fileWriteGuid,
        dataWriteGuid,
        logOffset: LOG_OFFSET,
        logLength: LOG_LENGTH,
      });
      this.batch.put(offset, header);
    });
    const regions = buildRegionTable([
      {
        guid: VHDX_REGION.bat,
        fileOffset: BigInt(BAT_OFFSET),
        length: this.batLength,
        required: true,
      },
      {
        guid: VHDX_REGION.metadata,
        fileOffset: BigInt(METADATA_OFFSET),
        length: METADATA_LENGTH,
        required: true,
      },
    ]);
    for (const offset of VHDX_REGION_TABLE_OFFSETS) this.batch.put(offset, regions);
    const metadata = buildVhdxMetadata(
      {
        blockSize: this.geometry.blockSize,
        leaveBlocksAllocated: this.fixed,
        virtualDiskSize: this.size,
        logicalSectorSize: LOGICAL_SECTOR_SIZE,
        physicalSectorSize: PHYSICAL_SECTOR_SIZE,
      },
      this.uuid,
    );
    this.batch.put(METADATA_OFFSET, metadata);
    for (const [at, piece] of batPieces(this.offsetsMiB, this.geometry, PAYLOAD_STATE.zero)) {
      this.batch.put(BAT_OFFSET + at, piece);
      await this.batch.settle();
    }
  }
}
