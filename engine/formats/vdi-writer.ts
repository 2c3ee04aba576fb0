/**
 * Writes a VirtualBox VDI laid out as VirtualBox lays it out: header, block map at 1 MiB, data
 * from the next 1 MiB boundary, 1 MiB blocks. Dynamic (the default): blocks holding data are
 * appended in the order they arrive and numbered densely from 0, all-zero blocks are not stored.
 * Fixed (`thick`): every block is stored at its own index, the unwritten ones as zeros.
 */
import { FerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';
import { GrainAssembler } from './qcow2-grains.js';
import { WriteBatch } from './qcow2-write-batch.js';
import { PartialFile } from './partial-file.js';
import type { Extent, FormatWriterDriver, ImageWriter, WriterOptions } from './types.js';
import { VdiBlockMapWriter } from './vdi-block-map.js';
import { VDI_HEADER_BYTES, VDI_TYPE, buildVdiHeader } from './vdi-header.js';

const MiB = 2 ** 20;
const BLOCK_SIZE = MiB;
/** VirtualBox's VDI_DATA_ALIGN, for the block map and the data. */
const ALIGN = MiB;
/** QEMU's limit (and what keeps the data offset inside its 32-bit field). */
const MAX_BLOCKS = 0x3fffffff;
const ZERO_BLOCK = Buffer.alloc(BLOCK_SIZE);

const alignUp = (value: number): number => Math.ceil(value / ALIGN) * ALIGN;

export const vdiWriter: FormatWriterDriver = {
  name: 'vdi',
  outputFiles: (target) => [target],
  async create(target: string, options: WriterOptions): Promise<ImageWriter> {
    const blocks = Math.max(1, Math.ceil(options.size / BLOCK_SIZE));
    if (blocks > MAX_BLOCKS) {
      throw new FerryError(
        'UNSUPPORTED',
        `a ${formatSize(options.size)} disk is too large for VDI`,
        {
          where: 'VDI writer',
          hint: 'choose a smaller disk size or another format',
        },
      );
    }
    const file = await PartialFile.create(target);
    return new VdiImageWriter(file, blocks, options);
  },
};

class VdiImageWriter implements ImageWriter {
  private readonly blocksOffset = alignUp(VDI_HEADER_BYTES);
  private readonly dataOffset: number;
  private readonly batch: WriteBatch;
  private readonly map: VdiBlockMapWriter;
  private readonly grains: GrainAssembler;
  /** Dynamic: blocks stored so far. Fixed: blocks written (or zero-filled) so far. */
  private stored = 0;

  constructor(
    private readonly file: PartialFile,
    private readonly blocks: number,
    private readonly options: WriterOptions,
  ) {
    this.dataOffset = alignUp(this.blocksOffset + blocks * 4);
    this.batch = new WriteBatch(file);
    this.map = new VdiBlockMapWriter(this.blocksOffset, blocks, (position, slice) =>
      this.batch.put(position, slice),
    );
    this.grains = new GrainAssembler(BLOCK_SIZE, options.size, (index, data) =>
      options.thick ? this.fixedBlock(index, data) : this.dynamicBlock(index, data),
    );
  }

  write(extent: Extent): Promise<void> {
    return this.grains.add(extent);
  }

  async finish(): Promise<string[]> {
    await this.grains.flush();
    if (this.options.thick) await this.fillFixedUpTo(this.blocks);
    this.map.finish();
    const header = buildVdiHeader({
      type: this.options.thick ? VDI_TYPE.fixed : VDI_TYPE.dynamic,
      blocksOffset: this.blocksOffset,
      dataOffset: this.dataOffset,
      diskSize: this.options.size,
      blockSize: BLOCK_SIZE,
      blocks: this.blocks,
      blocksAllocated: this.stored,
    });
    this.batch.put(0, header);
    await this.batch.flush();
    await this.file.handle.truncate(this.dataOffset + this.stored * BLOCK_SIZE);
    return [await this.file.commit()];
  }

  async abort(): Promise<void> {
    await this.batch.abandon();
    await this.file.discard();
  }

  private async dynamicBlock(index: number, data: Buffer): Promise<void> {
    if (data.equals(ZERO_BLOCK)) return;
    const physical = this.stored++;
    this.batch.put(this.dataOffset + physical * BLOCK_SIZE, data);
    this.map.set(index, physical);
    await this.batch.settle();
  }

  private async fixedBlock(index: number, data: Buffer): Promise<void> {
    await this.fillFixedUpTo(index);
    this.batch.put(this.dataOffset + index * BLOCK_SIZE, data);
    this.map.set(index, index);
    this.stored = index + 1;
    await this.batch.settle();
  }

  /** Stores zeros in the fixed image's blocks from the last one stored up to `end`. */
  private async fillFixedUpTo(end: number): Promise<void> {
    for (; this.stored < end; this.stored++) {
      this.batch.put(this.dataOffset + this.stored * BLOCK_SIZE, ZERO_BLOCK);
      this.map.set(this.stored, this.stored);
      await this.batch.settle();
    }
  }
}
