/**
 * monolithicSparse: one hosted sparse extent with its descriptor embedded, the VMDK that VMware
 * Workstation, Player and VirtualBox create and open by default. Layout, as VMware and qemu
 * write it: header, descriptor, redundant grain directory and tables, grain directory and
 * tables, then 64 KiB grains from the first grain-aligned sector on, in the order they arrive.
 */
import { basename } from 'node:path';
import { FerryError } from '../../shared/errors.js';
import { diskUuid } from './disk-uuid.js';
import { GrainCutter, isZeros, type Grain } from './grains.js';
import { PartialFile } from './partial-file.js';
import type { Extent, FormatWriterDriver, ImageWriter, WriterOptions } from './types.js';
import { buildDescriptor, type DescriptorOptions } from './vmdk-descriptor.js';
import {
  DESCRIPTOR_SECTORS,
  FLAG_NEWLINE_TEST,
  FLAG_REDUNDANT_GD,
  GRAIN_BYTES,
  GRAIN_SECTORS,
  GT_ENTRIES,
  GT_SECTORS,
  MAX_GTE,
  SECTOR,
  embeddedDescriptor,
  encodeSparseHeader,
  tableGeometry,
  type SparseHeader,
} from './vmdk-sparse.js';
import { WriteBatch } from './write-batch.js';

/** Where everything of a monolithicSparse extent lies, in sectors. */
interface Layout {
  header: SparseHeader;
  tables: number;
  gdSectors: number;
  /** First sector of the redundant grain tables. */
  rgtStart: number;
  gdOffset: number;
  /** First sector of the grain tables. */
  gtStart: number;
}

function layoutFor(capacity: number, target: string): Layout {
  const { grains, tables, gdSectors } = tableGeometry(capacity);
  const rgdOffset = 1 + DESCRIPTOR_SECTORS;
  const rgtStart = rgdOffset + gdSectors;
  const gdOffset = rgtStart + tables * GT_SECTORS;
  const gtStart = gdOffset + gdSectors;
  const overhead = Math.ceil((gtStart + tables * GT_SECTORS) / GRAIN_SECTORS) * GRAIN_SECTORS;
  if (overhead + grains * GRAIN_SECTORS > MAX_GTE + 1) {
    throw new FerryError('UNSUPPORTED', 'a monolithicSparse VMDK holds at most 2 TiB', {
      where: target,
      hint: 'use --format vmdk-flat, or vhdx or qcow2, for a disk this large',
    });
  }
  const header: SparseHeader = {
    version: 1,
    flags: FLAG_NEWLINE_TEST | FLAG_REDUNDANT_GD,
    capacity,
    grainSectors: GRAIN_SECTORS,
    descriptorOffset: 1,
    descriptorSectors: DESCRIPTOR_SECTORS,
    gtEntries: GT_ENTRIES,
    rgdOffset,
    gdOffset,
    overhead,
    compressAlgorithm: 0,
  };
  return { header, tables, gdSectors, rgtStart, gdOffset, gtStart };
}

/** A grain directory whose tables lie back to back from `firstTable`. */
function directory(layout: Layout, firstTable: number): Buffer {
  const gd = Buffer.alloc(layout.gdSectors * SECTOR);
  for (let table = 0; table < layout.tables; table++) {
    gd.writeUInt32LE(firstTable + table * GT_SECTORS, table * 4);
  }
  return gd;
}

const RUN_TABLES = 256;
const GT_BYTES = GT_SECTORS * SECTOR;

/**
 * The grain tables as grains arrive: a run of up to 256 consecutive tables (8 GiB of disk) is
 * kept and queued for both copies when the stream moves past it.
 */
class GrainTableRun {
  private run = Buffer.alloc(RUN_TABLES * GT_BYTES);
  private first = 0;
  private count = 0;

  constructor(
    private readonly batch: WriteBatch,
    private readonly layout: Layout,
  ) {}

  set(grain: number, sector: number): void {
    const table = Math.floor(grain / GT_ENTRIES);
    if (this.count > 0 && table >= this.first + RUN_TABLES) this.flush();
    if (this.count === 0) this.first = table;
    this.count = table - this.first + 1;
    this.run.writeUInt32LE(sector, (grain - this.first * GT_ENTRIES) * 4);
  }

  flush(): void {
    if (this.count === 0) return;
    const tables = this.run.subarray(0, this.count * GT_BYTES);
    const offset = this.first * GT_BYTES;
    this.batch.put(this.layout.rgtStart * SECTOR + offset, tables);
    this.batch.put(this.layout.gtStart * SECTOR + offset, tables);
    // The batch writes the queued tables later: the next run gets a buffer of its own.
    this.run = Buffer.alloc(RUN_TABLES * GT_BYTES);
    this.count = 0;
  }
}

/** A monolithicSparse writer whose descriptor says `descriptor` (adapter, hardware version). */
export function monolithicSparseWriter(descriptor: DescriptorOptions = {}): FormatWriterDriver {
  return {
    name: 'vmdk',
    outputFiles: (target) => [target],
    async create(target: string, options: WriterOptions): Promise<ImageWriter> {
      const capacity = Math.ceil(options.size / SECTOR);
      const layout = layoutFor(capacity, target);
      const text = buildDescriptor(
        'monolithicSparse',
        { sectors: capacity, type: 'SPARSE', file: basename(target) },
        diskUuid(options.uuid),
        descriptor,
      );
      const head = Buffer.concat([
        encodeSparseHeader(layout.header),
        embeddedDescriptor(text, target),
        directory(layout, layout.rgtStart),
      ]);
      const file = await PartialFile.create(target);
      const batch = new WriteBatch(file);
      const tables = new GrainTableRun(batch, layout);
      const grains = new GrainCutter(GRAIN_BYTES, options.size);
      let nextSector = layout.header.overhead;

      const store = (grain: Grain): void => {
        if (isZeros(grain.parts)) {
          grain.release();
          return;
        }
        const sector = nextSector;
        nextSector += GRAIN_SECTORS;
        batch.putAll(sector * SECTOR, grain.parts);
        batch.onWritten(() => grain.release());
        tables.set(grain.index, sector);
      };

      batch.put(0, head);
      batch.put(layout.gdOffset * SECTOR, directory(layout, layout.gtStart));
      return {
        async write(extent: Extent): Promise<void> {
          for (const grain of grains.add(extent)) store(grain);
          await batch.settle();
        },
        async finish(): Promise<string[]> {
          for (const grain of grains.finish()) store(grain);
          tables.flush();
          await batch.flush();
          return [await file.commit(nextSector * SECTOR)];
        },
        async abort(): Promise<void> {
          await batch.abandon();
          await file.discard();
        },
      };
    },
  };
}

export const vmdkWriter = monolithicSparseWriter();
