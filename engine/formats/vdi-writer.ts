/**
 * Writes a VirtualBox VDI laid out as VirtualBox lays it out: header, block map at 1 MiB, data
 * from the next 1 MiB boundary, 1 MiB blocks. Dynamic (the default): blocks holding data are
 * appended in the order they arrive and numbered densely from 0, all-zero blocks are not stored.
 * Fixed (`thick`): every block is stored at its own index, the unwritten ones as zeros.
 */
import { FerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';
import { BlockArea } from './block-area.js';
import { diskUuid } from './disk-uuid.js';
import { PartialFile } from './partial-file.js';
import type { Extent, FormatWriterDriver, ImageWriter, WriterOptions } from './types.js';
import { VdiBlockMapWriter } from './vdi-block-map.js';
import { VDI_HEADER_BYTES, VDI_TYPE, buildVdiHeader } from './vdi-header.js';
import { WriteBatch } from './write-batch.js';

const MiB = 2 ** 20;
const BLOCK_SIZE = MiB;
/** VirtualBox's VDI_DATA_ALIGN, for the block map and the data. */
const ALIGN = MiB;
/** QEMU's limit (and what keeps the data offset inside its 32-bit field). */
const MAX_BLOCKS = 0x3fffffff;

const alignUp = (value: number): number => Math.ceil(value / ALIGN) * ALIGN;

export const vdiWriter: FormatWriterDriver = {
  name: 'vdi',
  outputFiles: (target) => [target],
  async create(target: string, options: WriterOptions): Promise<ImageWriter> {
    const uuid = diskUuid(options.uuid);
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
    return new VdiImageWriter(file, blocks, options, uuid);
  },
};

class VdiImageWriter implements ImageWriter {
  private readonly blocksOffset = alignUp(VDI_HEADER_BYTES);
  private readonly dataOffset: number;
  private readonly batch: WriteBatch;
  private readonly map: VdiBlockMapWriter;
  private readonly area: BlockArea;

  constructor(
    private readonly file: PartialFile,
    private readonly blocks: number,
    private readonly options: WriterOptions,
    private readonly uuid: string,
  ) {
    this.dataOffset = alignUp(this.blocksOffset + blocks * 4);
    this.batch = new WriteBatch(file);
    this.map = new VdiBlockMapWriter(this.blocksOffset, blocks, (position, slice) =>
      this.batch.put(position, slice),
    );
    this.area = new BlockArea(
      this.batch,
      {
        dataOffset: this.dataOffset,
        blockSize: BLOCK_SIZE,
        diskSize: options.size,
        fixed: options.thick,
      },
      (index, stored) => this.map.set(index, stored),
    );
  }

  write(extent: Extent): Promise<void> {
    return this.area.write(extent);
  }

  async finish(): Promise<string[]> {
    await this.area.finish(this.blocks);
    this.map.finish();
    const header = buildVdiHeader({
      type: this.options.thick ? VDI_TYPE.fixed : VDI_TYPE.dynamic,
      blocksOffset: this.blocksOffset,
      dataOffset: this.dataOffset,
      diskSize: this.options.size,
      blockSize: BLOCK_SIZE,
      blocks: this.blocks,
      blocksAllocated: this.area.stored,
      uuid: this.uuid,
    });
    this.batch.put(0, header);
    await this.batch.flush();
    return [await this.file.commit(this.area.end)];
  }

  async abort(): Promise<void> {
    await this.batch.abandon();
    await this.file.discard();
  }
}
