/**
 * streamOptimized: the compressed, write-once VMDK of OVF/OVA appliances, laid out as VMware's
 * own tools write it, front to back with no seeking: header (version 3, grain directory "at
 * end"), descriptor, then compressed grains each behind a grain marker, each grain table after
 * its grains behind a table marker, the grain directory, the footer (the header again, now with
 * the directory's offset) and the end-of-stream marker.
 */
import { basename } from 'node:path';
import { FerryError } from '../../shared/errors.js';
import { PartialFile } from './partial-file.js';
import type { Extent, FormatWriterDriver, ImageWriter, WriterOptions } from './types.js';
import { buildDescriptor, type DescriptorOptions } from './vmdk-descriptor.js';
import { compressGrain } from './vmdk-deflate.js';
import { OrderedCompressor } from './ordered-compressor.js';
import { GrainAssembler, isZeros, type Grain } from './vmdk-grains.js';
import { CoalescingWriter, commitAt } from './vmdk-output.js';
import {
  COMPRESS_DEFLATE,
  DESCRIPTOR_SECTORS,
  FLAG_COMPRESSED,
  FLAG_MARKERS,
  FLAG_NEWLINE_TEST,
  GRAIN_BYTES,
  GRAIN_MARKER_BYTES,
  GRAIN_SECTORS,
  GT_ENTRIES,
  GT_SECTORS,
  MARKER_EOS,
  MARKER_FOOTER,
  MARKER_GD,
  MARKER_GT,
  MAX_GTE,
  SECTOR,
  embeddedDescriptor,
  encodeMarker,
  encodeSparseHeader,
  tableGeometry,
  type SparseHeader,
} from './vmdk-sparse.js';

/** ESXi's largest virtual disk (62 TiB); it also bounds the grain directory kept in memory. */
const MAX_CAPACITY_BYTES = 62 * 2 ** 40;

function tooLarge(where: string): FerryError {
  return new FerryError(
    'UNSUPPORTED',
    'a streamOptimized VMDK holds at most 2 TiB of compressed data',
    {
      where,
      hint: 'use --format vmdk or vmdk-flat for a disk this large',
    },
  );
}

/** A streamOptimized writer whose descriptor says `descriptor` (adapter, hardware version). */
export function streamOptimizedWriter(descriptor: DescriptorOptions = {}): FormatWriterDriver {
  return {
    name: 'vmdk-stream',
    outputFiles: (target) => [target],
    async create(target: string, options: WriterOptions): Promise<ImageWriter> {
      if (options.size > MAX_CAPACITY_BYTES) {
        throw new FerryError('UNSUPPORTED', 'VMware disks hold at most 62 TiB', {
          where: target,
          hint: 'make the disk smaller with --disk-size or --resize',
        });
      }
      const capacity = Math.ceil(options.size / SECTOR);
      const { gdSectors } = tableGeometry(capacity);
      const header: SparseHeader = {
        version: 3,
        flags: FLAG_NEWLINE_TEST | FLAG_COMPRESSED | FLAG_MARKERS,
        capacity,
        grainSectors: GRAIN_SECTORS,
        descriptorOffset: 1,
        descriptorSectors: DESCRIPTOR_SECTORS,
        gtEntries: GT_ENTRIES,
        rgdOffset: 0,
        gdOffset: 'at-end',
        overhead: GRAIN_SECTORS,
        compressAlgorithm: COMPRESS_DEFLATE,
      };
      const text = buildDescriptor(
        'streamOptimized',
        { sectors: capacity, type: 'SPARSE', file: basename(target) },
        descriptor,
      );
      const head = Buffer.alloc(header.overhead * SECTOR);
      encodeSparseHeader(header).copy(head, 0);
      embeddedDescriptor(text, target).copy(head, header.descriptorOffset * SECTOR);

      const file = await PartialFile.create(target);
      const output = new CoalescingWriter(file);
      const directory = Buffer.alloc(gdSectors * SECTOR);
      const table = Buffer.alloc(GT_SECTORS * SECTOR);
      const grainMarker = Buffer.alloc(GRAIN_MARKER_BYTES);
      const padding = Buffer.alloc(SECTOR);
      let tableIndex = -1;
      let tableUsed = false;
      let nextSector = 0;

      /** Appends `parts` as one block padded to whole sectors; returns its first sector. */
      const append = async (...parts: Buffer[]): Promise<number> => {
        const start = nextSector;
        let position = start * SECTOR;
        for (const part of parts) {
          await output.write(position, part);
          position += part.length;
        }
        const tail = position % SECTOR;
        if (tail !== 0) await output.write(position, padding.subarray(tail));
        nextSector = Math.ceil(position / SECTOR);
        if (nextSector > MAX_GTE) throw tooLarge(target);
        return start;
      };

      const appendTable = async (): Promise<void> => {
        if (!tableUsed) return;
        const marker = await append(encodeMarker(MARKER_GT, GT_SECTORS));
        directory.writeUInt32LE(marker + 1, tableIndex * 4);
        await append(table);
        table.fill(0);
        tableUsed = false;
      };

      const appendGrain = async (index: number, compressed: Buffer): Promise<void> => {
        const grainTable = Math.floor(index / GT_ENTRIES);
        if (grainTable !== tableIndex) {
          await appendTable();
          tableIndex = grainTable;
        }
        grainMarker.writeBigUInt64LE(BigInt(index * GRAIN_SECTORS), 0);
        grainMarker.writeUInt32LE(compressed.length, 8);
        const sector = await append(grainMarker, compressed);
        table.writeUInt32LE(sector, (index % GT_ENTRIES) * 4);
        tableUsed = true;
      };

      const deflater = new OrderedCompressor(compressGrain, (index, _data, compressed) =>
        appendGrain(index, compressed!),
      );
      const store = async ({ index, data }: Grain): Promise<void> => {
        if (!isZeros(data)) await deflater.push(index, data);
      };
      const grains = new GrainAssembler(GRAIN_BYTES, options.size);

      await append(head);
      return {
        async write(extent: Extent): Promise<void> {
          for (const grain of grains.add(extent)) await store(grain);
        },
        async finish(): Promise<string[]> {
          for (const grain of grains.end()) await store(grain);
          await deflater.drain();
          await appendTable();
          const gdOffset = (await append(encodeMarker(MARKER_GD, gdSectors))) + 1;
          await append(directory);
          await append(encodeMarker(MARKER_FOOTER, 1));
          await append(encodeSparseHeader({ ...header, gdOffset }));
          await append(encodeMarker(MARKER_EOS, 0));
          await output.drain();
          return [await commitAt(file, nextSector * SECTOR)];
        },
        async abort(): Promise<void> {
          await deflater.settle();
          await output.settle();
          await file.discard();
        },
      };
    },
  };
}

export const vmdkStreamWriter = streamOptimizedWriter();
