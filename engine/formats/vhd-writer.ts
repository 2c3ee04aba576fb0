/**
 * Writes dynamic VHDs laid out as Hyper-V lays them out: a copy of the footer at 0, the dynamic
 * header at 512, the BAT at 1536 (padded to a sector), then 2 MiB blocks, each behind its sector
 * bitmap, and the footer at the end. Each block's data starts on a 4 KiB boundary, its bitmap in
 * the sector before: Hyper-V's Best Practices Analyzer flags dynamic VHDs whose blocks are not so
 * aligned (slow on 4 KiB-sector disks), and aligned data can bypass the page cache as it is
 * written (PartialFile). QEMU packs blocks one sector apart; the BAT allows either. Blocks holding data are appended in the order
 * they arrive; the BAT, whose place is reserved up front, is written last. A thick `vhd` is a
 * fixed VHD (vhd-fixed-writer.ts), the VHD way of preallocating a disk.
 */
import { diskUuid } from './disk-uuid.js';
import { GrainCutter, isZeros, type Grain } from './grains.js';
import { PartialFile } from './partial-file.js';
import type { Extent, FormatWriterDriver, ImageWriter, WriterOptions } from './types.js';
import {
  VHD_DYNAMIC_HEADER_SIZE,
  VHD_UNALLOCATED,
  buildVhdDynamicHeader,
} from './vhd-dynamic-header.js';
import { createFixedVhdWriter } from './vhd-fixed-writer.js';
import { VHD_DISK_TYPE, VHD_FOOTER_SIZE, buildVhdFooter } from './vhd-footer.js';
import { vhdDiskSize } from './vhd-geometry.js';
import { WriteBatch } from './write-batch.js';

const SECTOR = 512;
/** Where each block's data starts in the file: on a multiple of this. */
const DATA_ALIGNMENT = 4096;
/** The block size every VHD writer uses and Hyper-V expects. */
const BLOCK_SIZE = 2 * 2 ** 20;
/** One bit per sector of a block, padded to a sector; all set: every sector holds data. */
const FULL_BITMAP = Buffer.alloc(Math.ceil(BLOCK_SIZE / SECTOR / 8 / SECTOR) * SECTOR, 0xff);
const HEADER_OFFSET = VHD_FOOTER_SIZE;
const BAT_OFFSET = HEADER_OFFSET + VHD_DYNAMIC_HEADER_SIZE;

export const vhdWriter: FormatWriterDriver = {
  name: 'vhd',
  outputFiles: (target) => [target],
  async create(target: string, options: WriterOptions): Promise<ImageWriter> {
    if (options.thick) return createFixedVhdWriter(target, options);
    const uuid = diskUuid(options.uuid);
    const size = vhdDiskSize(options.size, 'dynamic');
    return new DynamicVhdWriter(await PartialFile.create(target), size, uuid);
  },
};

export const vhdFixedWriter: FormatWriterDriver = {
  name: 'vhd-fixed',
  outputFiles: (target) => [target],
  create: createFixedVhdWriter,
};

class DynamicVhdWriter implements ImageWriter {
  /** Sector offset of each block's bitmap in the file, or VHD_UNALLOCATED. */
  private readonly bat: Uint32Array;
  private readonly batBytes: number;
  private readonly batch: WriteBatch;
  private readonly blocks: GrainCutter;
  /** Where the next block goes: the end of the file so far. */
  private next: number;

  constructor(
    private readonly file: PartialFile,
    private readonly size: number,
    private readonly uuid: string,
  ) {
    const entries = Math.ceil(size / BLOCK_SIZE);
    this.bat = new Uint32Array(entries).fill(VHD_UNALLOCATED);
    this.batBytes = Math.ceil((entries * 4) / SECTOR) * SECTOR;
    this.next = BAT_OFFSET + this.batBytes;
    this.batch = new WriteBatch(file);
    this.blocks = new GrainCutter(BLOCK_SIZE, size);
  }

  async write(extent: Extent): Promise<void> {
    for (const block of this.blocks.add(extent)) this.block(block);
    await this.batch.settle();
  }

  async finish(): Promise<string[]> {
    for (const block of this.blocks.finish()) this.block(block);
    const footer = buildVhdFooter(VHD_DISK_TYPE.dynamic, this.size, HEADER_OFFSET, this.uuid);
    const header = buildVhdDynamicHeader({
      tableOffset: BAT_OFFSET,
      maxTableEntries: this.bat.length,
      blockSize: BLOCK_SIZE,
    });
    const bat = Buffer.alloc(this.batBytes, 0xff);
    this.bat.forEach((entry, index) => bat.writeUInt32BE(entry, index * 4));
    this.batch.put(0, footer);
    this.batch.put(HEADER_OFFSET, header);
    this.batch.put(BAT_OFFSET, bat);
    this.batch.put(this.next, footer);
    await this.batch.flush();
    return [await this.file.commit(this.next + VHD_FOOTER_SIZE)];
  }

  async abort(): Promise<void> {
    await this.batch.abandon();
    await this.file.discard();
  }

  /** Appends `block` behind its sector bitmap, unless it holds only zeros. */
  private block(block: Grain): void {
    if (isZeros(block.parts)) {
      block.release();
      return;
    }
    const data = Math.ceil((this.next + FULL_BITMAP.length) / DATA_ALIGNMENT) * DATA_ALIGNMENT;
    const bitmap = data - FULL_BITMAP.length;
    this.bat[block.index] = bitmap / SECTOR;
    this.batch.put(bitmap, FULL_BITMAP);
    this.next = this.batch.putAll(data, block.parts);
    this.batch.onWritten(() => block.release());
  }
}
