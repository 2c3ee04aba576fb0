/**
 * streamOptimized: the compressed, write-once VMDK of OVF/OVA appliances, laid out as VMware's
 * own tools write it, front to back with no seeking: header (version 3, grain directory "at
 * end"), descriptor, then compressed grains each behind a grain marker, each grain table after
 * its grains behind a table marker, the grain directory, the footer (the header again, now with
 * the directory's offset) and the end-of-stream marker.
 */
import { basename } from 'node:path';
import { FerryError } from '../../shared/errors.js';
import { diskUuid } from './disk-uuid.js';
import { GrainCutter, isZeros, joined, type Grain } from './grains.js';
import { OrderedCompressor } from './ordered-compressor.js';
import { PartialFile } from './partial-file.js';
import type { Extent, FormatWriterDriver, ImageWriter, WriterOptions } from './types.js';
import { buildDescriptor, type DescriptorOptions } from './vmdk-descriptor.js';
import { compressGrain } from './vmdk-deflate.js';
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
import { WriteBatch } from './write-batch.js';

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
        diskUuid(options.uuid),
        descriptor,
      );
      const head = Buffer.alloc(header.overhead * SECTOR);
      encodeSparseHeader(header).copy(head, 0);
      embeddedDescriptor(text, target).copy(head, header.descriptorOffset * SECTOR);

      const file = await PartialFile.create(target);
      const batch = new WriteBatch(file);
      const directory = Buffer.alloc(gdSectors * SECTOR);
      let table = Buffer.alloc(GT_SECTORS * SECTOR);
      const padding = Buffer.alloc(SECTOR);
      let tableIndex = -1;
      let tableUsed = false;
      let nextSector = 0;

      /**
       * Queues `parts` as one block padded to whole sectors; returns its first sector. The batch
       * writes them later, so none of them may change afterwards.
       */
      const append = (...parts: Buffer[]): number => {
        const start = nextSector;
        const end = batch.putAll(start * SECTOR, parts);
        const tail = end % SECTOR;
        if (tail !== 0) batch.put(end, padding.subarray(tail));
        nextSector = Math.ceil(end / SECTOR);
        if (nextSector > MAX_GTE) throw tooLarge(target);
        return start;
      };

      const appendTable = (): void => {
        if (!tableUsed) return;
        const marker = append(encodeMarker(MARKER_GT, GT_SECTORS));
        directory.writeUInt32LE(marker + 1, tableIndex * 4);
        append(table);
        table = Buffer.alloc(GT_SECTORS * SECTOR);
        tableUsed = false;
      };

      const appendGrain = async (grain: Grain, compressed: Buffer | null): Promise<void> => {
        // The compressed copy is all that is written: the grain's own bytes are free again.
        grain.release();
        const grainTable = Math.floor(grain.index / GT_ENTRIES);
        if (grainTable !== tableIndex) {
          appendTable();
          tableIndex = grainTable;
        }
        const marker = Buffer.allocUnsafe(GRAIN_MARKER_BYTES);
        marker.writeBigUInt64LE(BigInt(grain.index * GRAIN_SECTORS), 0);
        marker.writeUInt32LE(compressed!.length, 8);
        const sector = append(marker, compressed!);
        table.writeUInt32LE(sector, (grain.index % GT_ENTRIES) * 4);
        tableUsed = true;
        await batch.settle();
      };

      const deflater = new OrderedCompressor(compressGrain, appendGrain);
      const store = async (grain: Grain): Promise<void> => {
        if (isZeros(grain.parts)) grain.release();
        else await deflater.push(grain, joined(grain));
      };
      const grains = new GrainCutter(GRAIN_BYTES, options.size);

      append(head);
      return {
        async write(extent: Extent): Promise<void> {
          for (const grain of grains.add(extent)) await store(grain);
        },
        async finish(): Promise<string[]> {
          for (const grain of grains.finish()) await store(grain);
          await deflater.drain();
          appendTable();
          const gdOffset = append(encodeMarker(MARKER_GD, gdSectors)) + 1;
          append(directory);
          append(encodeMarker(MARKER_FOOTER, 1));
          append(encodeSparseHeader({ ...header, gdOffset }));
          append(encodeMarker(MARKER_EOS, 0));
          await batch.flush();
          return [await file.commit(nextSector * SECTOR)];
        },
        async abort(): Promise<void> {
          await deflater.settle();
          await batch.abandon();
          await file.discard();
        },
      };
    },
  };
}

export const vmdkStreamWriter = streamOptimizedWriter();
