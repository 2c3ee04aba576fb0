/**
 * The pieces a VMDK reader is assembled from: an extent file opened read-only, and the extents
 * that need no table (flat data, all-zero). Each extent fills part of a caller's buffer.
 */
import type { FileHandle } from 'node:fs/promises';
import { checkReadRange, openReadOnly, readHandle } from '../io/file-source.js';
import type { RangeBuilder } from '../ranges.js';
import { FerryError } from '../../shared/errors.js';

/** One extent of a VMDK: `size` bytes of the virtual disk, from wherever it keeps them. */
export interface ExtentReader {
  readonly size: number;
  /** Fills `into[at, at + length)` with the extent's bytes from `offset` on. */
  readInto(offset: number, length: number, into: Buffer, at: number): Promise<void>;
  /** Adds the ranges the extent stores data for, shifted by `base`, to `ranges`. */
  allocated(base: number, ranges: RangeBuilder): Promise<void>;
}

/** A file of a VMDK, opened read-only, whose reads never leave it. */
export class ExtentFile {
  private constructor(
    readonly path: string,
    readonly size: number,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string): Promise<ExtentFile> {
    const handle = await openReadOnly(path);
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        throw new FerryError('BAD_IMAGE', 'a VMDK extent must be a regular file', {
          where: path,
          hint: 'keep the VMDK files together in one folder',
        });
      }
      return new ExtentFile(path, stats.size, handle);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async read(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length);
    await this.readInto(buffer, 0, length, position);
    return buffer;
  }

  async readInto(buffer: Buffer, at: number, length: number, position: number): Promise<void> {
    checkReadRange(position, length, this.size, this.path);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await readHandle(
        this.handle,
        buffer,
        at + done,
        length - done,
        position + done,
        this.path,
      );
      if (bytesRead === 0) {
        throw new FerryError('SOURCE_TRUNCATED', `ended at byte ${position + done} while reading`, {
          where: this.path,
          hint: 'the file got smaller while Ferry was reading it',
        });
      }
      done += bytesRead;
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** A FLAT (or VMFS) extent: the disk's bytes as they are, from `start` in the file. */
export class FlatExtent implements ExtentReader {
  constructor(
    private readonly file: ExtentFile,
    private readonly start: number,
    readonly size: number,
  ) {
    if (start + size > file.size) {
      throw new FerryError(
        'BAD_IMAGE',
        `flat extent holds ${file.size - Math.min(start, file.size)} bytes where the descriptor says ${size}`,
        { where: file.path, hint: 'the flat file is truncated; copy it again from its source' },
      );
    }
  }

  readInto(offset: number, length: number, into: Buffer, at: number): Promise<void> {
    return this.file.readInto(into, at, length, this.start + offset);
  }

  async allocated(base: number, ranges: RangeBuilder): Promise<void> {
    ranges.add(base, this.size);
  }
}

/** A ZERO extent: reads as zeros, stores nothing. */
export class ZeroExtent implements ExtentReader {
  constructor(readonly size: number) {}

  async readInto(_offset: number, length: number, into: Buffer, at: number): Promise<void> {
    into.fill(0, at, at + length);
  }

  async allocated(): Promise<void> {}
}
