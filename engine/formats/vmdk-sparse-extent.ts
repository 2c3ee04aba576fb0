/**
 * Reads one hosted sparse extent: monolithicSparse, a piece of twoGbMaxExtentSparse, or
 * streamOptimized (compressed grains, grain directory found through the footer). Every offset
 * taken from the file is checked against the file's size before it is read, and nothing is
 * allocated that the file's size does not justify.
 */
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import { FerryError } from '../../shared/errors.js';
import type { RangeBuilder } from '../ranges.js';
import type { ExtentFile, ExtentReader } from './vmdk-extent-file.js';
import {
  FLAG_COMPRESSED,
  FLAG_MARKERS,
  GRAIN_MARKER_BYTES,
  MARKER_EOS,
  MARKER_FOOTER,
  SECTOR,
  decodeSparseHeader,
  type SparseHeader,
} from './vmdk-sparse.js';

const inflateAsync = promisify(inflate);

/** Room for zlib's framing of an incompressible grain (stored blocks add 5 bytes per 64 KiB). */
const COMPRESSION_SLACK = 4096;
/** Descriptors are a few hundred bytes; VMware reserves 10 KiB. */
const MAX_DESCRIPTOR_BYTES = 1 << 20;
/** Grain tables kept in memory at once. */
const TABLE_CACHE_BYTES = 4 << 20;
/** Compressed grains inflated at once by one read. */
const PARALLEL_GRAINS = 16;
/** Grain tables read at once when listing what is allocated. */
const TABLE_RUN_BYTES = 1 << 20;

export interface OpenedSparseExtent {
  extent: SparseExtent;
  /** The embedded descriptor's text, if the extent has one. */
  descriptor: string | null;
}

export class SparseExtent implements ExtentReader {
  private readonly grainBytes: number;
  private readonly capacityBytes: number;
  private readonly grains: number;
  private readonly tableBytes: number;
  private readonly compressed: boolean;
  private readonly tables = new Map<number, Uint32Array>();
  private lastGrain: { index: number; data: Buffer } | undefined;

  private constructor(
    private readonly file: ExtentFile,
    private readonly header: SparseHeader,
    private readonly directory: Uint32Array,
    readonly size: number,
  ) {
    this.grainBytes = header.grainSectors * SECTOR;
    this.capacityBytes = header.capacity * SECTOR;
    this.grains = Math.ceil(header.capacity / header.grainSectors);
    this.tableBytes = header.gtEntries * 4;
    this.compressed = (header.flags & FLAG_COMPRESSED) !== 0;
  }

  /** Opens the extent; `size` is how much of it the descriptor uses (default: its capacity). */
  static async open(file: ExtentFile, size?: number): Promise<OpenedSparseExtent> {
    const bad = badImage(file.path);
    if (file.size < SECTOR) throw bad('the file is shorter than a sparse extent header');
    const first = decodeSparseHeader(await file.read(0, SECTOR), file.path);
    const header =
      first.gdOffset === 'at-end' ? await readFooter(file) : { ...first, gdOffset: first.gdOffset };
    const { gdOffset } = header;
    const capacityBytes = header.capacity * SECTOR;
    if (size !== undefined && size > capacityBytes) {
      throw bad(`the descriptor gives the extent ${size} bytes, its header only ${capacityBytes}`);
    }
    const tables = Math.ceil(Math.ceil(header.capacity / header.grainSectors) / header.gtEntries);
    if (gdOffset * SECTOR + tables * 4 > file.size) {
      throw bad(
        `the grain directory (${tables} entries at sector ${gdOffset}) lies beyond the end of the file`,
      );
    }
    const raw = await file.read(gdOffset * SECTOR, tables * 4);
    const directory = new Uint32Array(tables);
    for (let table = 0; table < tables; table++) directory[table] = raw.readUInt32LE(table * 4);
    return {
      extent: new SparseExtent(file, header, directory, size ?? capacityBytes),
      descriptor: await readDescriptor(file, first),
    };
  }

  async readInto(offset: number, length: number, into: Buffer, at: number): Promise<void> {
    const end = offset + length;
    let run: { position: number; at: number; length: number } | undefined;
    let inflating: Promise<void>[] = [];
    for (let position = offset; position < end;) {
      const index = Math.floor(position / this.grainBytes);
      const within = position - index * this.grainBytes;
      const count = Math.min(this.grainBytes - within, end - position);
      const target = at + position - offset;
      const sector = await this.entry(index);
      if (sector <= 1) {
        // 0: never written; 1: written as zeros (VMware's zeroed-grain entry).
        into.fill(0, target, target + count);
      } else if (this.compressed) {
        const copied = this.inflated(index, sector).then(
          (grain) => void grain.copy(into, target, within, within + count),
        );
        // Marked handled now; Promise.all below still rejects with its error.
        copied.catch(() => {});
        inflating.push(copied);
        if (inflating.length >= PARALLEL_GRAINS) {
          await Promise.all(inflating);
          inflating = [];
        }
      } else {
        const stored = this.storedStart(index, sector) + within;
        if (run && run.position + run.length === stored && run.at + run.length === target) {
          run.length += count;
        } else {
          if (run) await this.file.readInto(into, run.at, run.length, run.position);
          run = { position: stored, at: target, length: count };
        }
      }
      position += count;
    }
    if (run) await this.file.readInto(into, run.at, run.length, run.position);
    await Promise.all(inflating);
  }

  async allocated(base: number, ranges: RangeBuilder): Promise<void> {
    const entries = this.header.gtEntries;
    for (let table = 0; table < this.directory.length;) {
      if (this.directory[table] === 0) {
        table++;
        continue;
      }
      const run = await this.tableRun(table);
      for (let slot = 0; slot < run.length * entries; slot++) {
        const index = table * entries + slot;
        const sector = run.raw.readUInt32LE(slot * 4);
        if (sector <= 1 || index >= this.grains) continue;
        if (sector * SECTOR >= this.file.size) throw this.beyondEnd(index, sector);
        const start = index * this.grainBytes;
        if (start >= this.size) continue;
        ranges.add(base + start, Math.min(this.grainBytes, this.size - start));
      }
      table += run.length;
    }
  }

  /** Reads the tables from `first` on that lie back to back in the file, up to 1 MiB. */
  private async tableRun(first: number): Promise<{ length: number; raw: Buffer }> {
    const tableSectors = this.tableBytes / SECTOR;
    let length = 1;
    while (
      first + length < this.directory.length &&
      (length + 1) * this.tableBytes <= TABLE_RUN_BYTES &&
      this.directory[first + length] === this.directory[first]! + length * tableSectors
    ) {
      length++;
    }
    return { length, raw: await this.readTables(first, length) };
  }

  private async readTables(first: number, count: number): Promise<Buffer> {
    const start = this.directory[first]! * SECTOR;
    if (start + count * this.tableBytes > this.file.size) {
      throw badImage(this.file.path)(
        `grain table ${first} (sector ${this.directory[first]}) lies beyond the end of the file`,
      );
    }
    return this.file.read(start, count * this.tableBytes);
  }

  /** The grain table entry of grain `index`: 0 if it was never written. */
  private async entry(index: number): Promise<number> {
    const tableIndex = Math.floor(index / this.header.gtEntries);
    if (this.directory[tableIndex] === 0) return 0;
    let table = this.tables.get(tableIndex);
    if (!table) {
      const raw = await this.readTables(tableIndex, 1);
      table = new Uint32Array(this.header.gtEntries);
      for (let slot = 0; slot < table.length; slot++) table[slot] = raw.readUInt32LE(slot * 4);
      if (this.tables.size * this.tableBytes >= TABLE_CACHE_BYTES) this.tables.clear();
      this.tables.set(tableIndex, table);
    }
    return table[index % this.header.gtEntries]!;
  }

  /** Bytes of grain `index` that lie inside the disk (all of it but for a partial last grain). */
  private usedBytes(index: number): number {
    return Math.min(this.grainBytes, this.capacityBytes - index * this.grainBytes);
  }

  /** Where an uncompressed grain starts in the file, checked to lie wholly inside it. */
  private storedStart(index: number, sector: number): number {
    const start = sector * SECTOR;
    if (start + this.usedBytes(index) > this.file.size) throw this.beyondEnd(index, sector);
    return start;
  }

  /** A compressed grain, inflated; the last one read is kept for the reads that follow. */
  private async inflated(index: number, sector: number): Promise<Buffer> {
    if (this.lastGrain?.index === index) return this.lastGrain.data;
    const bad = badImage(`${this.file.path}: grain ${index} at sector ${sector}`);
    const markers = (this.header.flags & FLAG_MARKERS) !== 0;
    const headerBytes = markers ? GRAIN_MARKER_BYTES : 4;
    const start = sector * SECTOR;
    if (start + headerBytes > this.file.size) throw this.beyondEnd(index, sector);
    const raw = await this.file.read(
      start,
      Math.min(this.file.size - start, headerBytes + this.grainBytes + COMPRESSION_SLACK),
    );
    if (markers) {
      const lba = raw.readBigUInt64LE(0);
      if (lba !== BigInt(index * this.header.grainSectors))
        throw bad(`its marker says it is the grain at sector ${lba}`);
    }
    const length = raw.readUInt32LE(markers ? 8 : 0);
    if (length === 0 || headerBytes + length > raw.length) {
      throw bad(`its compressed length of ${length} bytes does not fit a grain or the file`);
    }
    let data: Buffer;
    try {
      data = await inflateAsync(raw.subarray(headerBytes, headerBytes + length), {
        maxOutputLength: this.grainBytes,
      });
    } catch (error) {
      throw bad(`it does not inflate: ${(error as Error).message}`);
    }
    if (data.length < this.usedBytes(index))
      throw bad(`it inflates to ${data.length} bytes, short of a grain`);
    this.lastGrain = { index, data };
    return data;
  }

  private beyondEnd(index: number, sector: number): FerryError {
    return badImage(this.file.path)(
      `grain ${index} (sector ${sector}) lies beyond the end of the file`,
    );
  }
}

function badImage(where: string): (message: string) => FerryError {
  return (message) =>
    new FerryError('BAD_IMAGE', message, {
      where,
      hint: 'the VMDK is damaged or incomplete; copy or export it again from its source',
    });
}

/** The footer of a streamOptimized extent: footer marker, footer, end-of-stream marker. */
async function readFooter(file: ExtentFile): Promise<SparseHeader & { gdOffset: number }> {
  const end = Math.floor(file.size / SECTOR) * SECTOR;
  const missing = (): FerryError =>
    new FerryError('BAD_IMAGE', 'the streamOptimized VMDK ends without its footer', {
      where: file.path,
      hint: 'the file was cut short (an interrupted download or copy?); get it again',
    });
  if (end < 4 * SECTOR) throw missing();
  const tail = await file.read(end - 3 * SECTOR, 3 * SECTOR);
  const marker = (at: number, type: number): boolean =>
    tail.readUInt32LE(at + 8) === 0 && tail.readUInt32LE(at + 12) === type;
  if (!marker(0, MARKER_FOOTER) || !marker(2 * SECTOR, MARKER_EOS)) throw missing();
  const footer = decodeSparseHeader(tail.subarray(SECTOR, 2 * SECTOR), `${file.path} (footer)`);
  if (footer.gdOffset === 'at-end') {
    throw badImage(`${file.path} (footer)`)('the footer does not say where the grain directory is');
  }
  return { ...footer, gdOffset: footer.gdOffset };
}

async function readDescriptor(file: ExtentFile, header: SparseHeader): Promise<string | null> {
  if (header.descriptorOffset === 0 || header.descriptorSectors === 0) return null;
  const start = header.descriptorOffset * SECTOR;
  const length = Math.min(header.descriptorSectors * SECTOR, MAX_DESCRIPTOR_BYTES);
  if (start + length > file.size) {
    throw badImage(file.path)(
      `the embedded descriptor (sector ${header.descriptorOffset}) lies beyond the end of the file`,
    );
  }
  const text = (await file.read(start, length)).toString('utf8');
  const nul = text.indexOf('\0');
  return nul === -1 ? text : text.slice(0, nul);
}
