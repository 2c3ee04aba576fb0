/**
 * The scratch file a filesystem is resized in, so that its tools never touch the source: a sparse
 * file holding only the partition's used bytes, with all-zero granules left as holes. Allocated
 * but never written blocks (preallocated files, most of a fresh inode table) cost no space.
 */
import { randomBytes } from 'node:crypto';
import { open, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';
import { openFileSource } from '../io/file-source.js';
import type { BlockSource } from '../io/source.js';
import { readExtents } from '../jobs/read-extents.js';
import { totalLength, type ByteRange } from '../ranges.js';

/** Source bytes [start, start + length) land at `to` in the copy. */
export interface Placement {
  start: number;
  length: number;
  to: number;
}

export interface TemporaryCopyInput {
  /** The partition, read-only. */
  volume: BlockSource;
  /** Its bytes in use, relative to the volume: all the copy holds. */
  used: readonly ByteRange[];
  /** The copy's size in bytes. */
  size: number;
  tempDir: string;
  /**
   * Where the used bytes go. Without placements every byte keeps its offset; with them, used
   * bytes outside every placement are left out.
   */
  placements?: readonly Placement[];
  signal?: AbortSignal | undefined;
  /** Called with the used bytes read so far. */
  onProgress?: ((bytes: number) => void) | undefined;
}

export class TemporaryCopy {
  private views: BlockSource[] = [];
  private disposed = false;

  private constructor(
    readonly path: string,
    /** The partition it copies, named in messages instead of the scratch file. */
    readonly where: string,
  ) {}

  /**
   * Makes the copy and hands it to `work`, which resizes it. If the work fails, the copy is
   * deleted; on success it is the caller's until `dispose`.
   */
  static async use<T>(
    input: TemporaryCopyInput,
    work: (copy: TemporaryCopy) => Promise<T>,
  ): Promise<T> {
    const copy = await TemporaryCopy.create(input);
    try {
      return await work(copy);
    } catch (error) {
      await copy.dispose();
      throw error;
    }
  }

  /** Makes the copy. Whatever goes wrong on the way (a cancel included), no file is left. */
  static async create(input: TemporaryCopyInput): Promise<TemporaryCopy> {
    const where = input.volume.path;
    await checkFreeSpace(input.tempDir, totalLength(input.used), where);
    const path = join(input.tempDir, `ferry-resize-${randomBytes(6).toString('hex')}.img`);
    const copy = new TemporaryCopy(path, where);
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, 'wx');
      await handle.truncate(input.size);
      await fill(handle, input, where);
      await handle.close();
      handle = undefined;
      return copy;
    } catch (error) {
      await handle?.close().catch(() => {});
      await copy.dispose();
      throw error instanceof FerryError ? error : ioError('cannot write', error, path, where);
    }
  }

  /** Writes `data` at `offset` of the copy. */
  async writeAt(offset: number, data: Buffer): Promise<void> {
    await this.withHandle('r+', (handle) => writeFully(handle, data, offset));
  }

  async readAt(offset: number, length: number): Promise<Buffer> {
    return this.withHandle('r', async (handle) => {
      const data = Buffer.alloc(length);
      const { bytesRead } = await handle.read(data, 0, length, offset);
      if (bytesRead !== length) {
        throw new FerryError('IO', `the temporary copy ended before byte ${offset + length}`, {
          where: this.where,
          hint: 'something else changed the temporary file; try again',
        });
      }
      return data;
    });
  }

  async truncate(size: number): Promise<void> {
    await this.withHandle('r+', (handle) => handle.truncate(size));
  }

  /** Disk space the copy takes now: its allocated blocks, holes not counted. */
  async allocatedBytes(): Promise<number> {
    try {
      return (await stat(this.path)).blocks * 512;
    } catch (error) {
      throw ioError('cannot measure', error, this.path, this.where);
    }
  }

  /** The copy as a read-only source, closed by `dispose`. */
  async open(): Promise<BlockSource> {
    const view = await openFileSource(this.path);
    this.views.push(view);
    return view;
  }

  /** Reads the copy through a source that lives only as long as `body`. */
  async withView<T>(body: (view: BlockSource) => Promise<T>): Promise<T> {
    const view = await openFileSource(this.path);
    try {
      return await body(view);
    } finally {
      await view.close();
    }
  }

  /** Closes what was opened and deletes the file; calling it again does nothing. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.allSettled(this.views.map((view) => view.close()));
    await rm(this.path, { force: true });
  }

  private async withHandle<T>(
    flags: 'r' | 'r+',
    body: (handle: FileHandle) => Promise<T>,
  ): Promise<T> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.path, flags);
      return await body(handle);
    } catch (error) {
      if (error instanceof FerryError) throw error;
      throw ioError(flags === 'r' ? 'cannot read' : 'cannot write', error, this.path, this.where);
    } finally {
      await handle?.close();
    }
  }
}

/** Writes the used bytes, zero granules skipped, each at its placement. */
async function fill(handle: FileHandle, input: TemporaryCopyInput, where: string): Promise<void> {
  const place = placer(input.placements);
  const extents = readExtents(input.volume, input.used, {
    signal: input.signal,
    onRead: input.onProgress,
  });
  for await (const extent of extents) {
    try {
      for (const piece of place(extent.offset, extent.data.length)) {
        await writeFully(
          handle,
          extent.data.subarray(piece.from, piece.from + piece.length),
          piece.to,
        );
      }
    } finally {
      extent.release?.();
    }
  }
  if (input.signal?.aborted) {
    throw new FerryError('CANCELLED', 'cancelled while copying the partition', {
      where,
      hint: 'the temporary copy was removed; the source is untouched',
    });
  }
}

async function writeFully(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

interface Piece {
  /** Offset inside the extent. */
  from: number;
  length: number;
  /** Offset in the copy. */
  to: number;
}

/** Splits a run of source bytes into the pieces that land somewhere in the copy. */
function placer(
  placements: readonly Placement[] | undefined,
): (start: number, length: number) => Piece[] {
  if (!placements) return (start, length) => [{ from: 0, length, to: start }];
  const sorted = [...placements].sort((a, b) => a.start - b.start);
  return (start, length) => {
    const pieces: Piece[] = [];
    for (const placement of sorted) {
      const from = Math.max(start, placement.start);
      const end = Math.min(start + length, placement.start + placement.length);
      if (from < end) {
        pieces.push({
          from: from - start,
          length: end - from,
          to: placement.to + from - placement.start,
        });
      }
    }
    return pieces;
  };
}

/**
 * The copy needs at most the used bytes (zero granules need none). Refusing up front beats
 * filling the disk and failing half-way.
 */
async function checkFreeSpace(tempDir: string, needed: number, where: string): Promise<void> {
  let free: number;
  try {
    const stats = await statfs(tempDir);
    free = stats.bavail * stats.bsize;
  } catch (error) {
    throw ioError('cannot use the temporary folder', error, tempDir, where);
  }
  if (free < needed) {
    throw new FerryError(
      'IO',
      `the temporary copy needs up to ${formatSize(needed)} but ${tempDir} has ${formatSize(free)} free`,
      { where, hint: 'free some space there, or choose a temporary folder on a larger disk' },
    );
  }
}

function ioError(what: string, error: unknown, path: string, where: string): FerryError {
  const reason = error instanceof Error ? error.message : String(error);
  return new FerryError('IO', `${what} the temporary copy ${path}: ${reason}`, {
    where,
    hint: 'check that the temporary folder exists, is writable and has free space',
    cause: error,
  });
}
