import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { FerryError } from '../../shared/errors.js';
import { reserveSpace } from './reserve-space.js';

/**
 * Space is reserved ahead of appending writes in steps this large: few enough tool runs for a
 * big disk, little enough spare to hand back at the end.
 */
const RESERVE_STEP = 256 * 2 ** 20;

/**
 * An output file written under `<path>.partial` and renamed only when complete and flushed,
 * so a failed or cancelled job never leaves a file that looks finished.
 */
export class PartialFile {
  readonly partialPath: string;
  /** The end of the space reserved so far, and the reservation in flight. */
  private reservedEnd = 0;
  private reserving: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    readonly handle: FileHandle,
  ) {
    this.partialPath = `${path}.partial`;
  }

  static async create(path: string): Promise<PartialFile> {
    try {
      return new PartialFile(path, await open(`${path}.partial`, 'w'));
    } catch (error) {
      throw new FerryError('IO', `cannot create ${path}.partial: ${(error as Error).message}`, {
        where: path,
        hint: 'check that the folder exists, is writable and has free space',
        cause: error,
      });
    }
  }

  /** Writes all of `data` at `position`, looping over short writes. */
  async writeAt(data: Buffer, position: number): Promise<void> {
    let done = 0;
    try {
      while (done < data.length) {
        const { bytesWritten } = await this.handle.write(
          data,
          done,
          data.length - done,
          position + done,
        );
        done += bytesWritten;
      }
    } catch (error) {
      throw this.failure('cannot write', error);
    }
  }

  /**
   * Reserves the file's space ahead of writes that reach `end`, without changing its length:
   * ext4 and XFS then place the data in a few large extents instead of allocating as pages are
   * flushed, which halves the kernel's time for a large image (qemu-img preallocates likewise).
   * Only for files written front to back; a raw disk's holes must stay holes.
   */
  reserveThrough(end: number): void {
    if (end <= this.reservedEnd) return;
    const from = this.reservedEnd;
    this.reservedEnd = Math.max(end, from + RESERVE_STEP);
    const previous = this.reserving;
    this.reserving = previous.then(() =>
      reserveSpace(this.partialPath, from, this.reservedEnd - from),
    );
  }

  /**
   * Sets the final length (the current one when not given, which also hands back space reserved
   * past it), flushes, closes and renames to the final name.
   */
  async commit(length?: number): Promise<string> {
    try {
      await this.reserving;
      await this.handle.truncate(length ?? (await this.handle.stat()).size);
      await this.handle.sync();
      await this.handle.close();
      await rename(this.partialPath, this.path);
    } catch (error) {
      throw this.failure('cannot complete', error);
    }
    return this.path;
  }

  async discard(): Promise<void> {
    await this.reserving;
    await this.handle.close().catch(() => {});
    await rm(this.partialPath, { force: true });
  }

  /** An output error as the user should see it: which file, why, and the usual remedies. */
  failure(what: string, error: unknown): FerryError {
    return new FerryError('IO', `${what} ${this.partialPath}: ${(error as Error).message}`, {
      where: this.path,
      hint: 'check the free space and that the destination disk is still connected',
      cause: error,
    });
  }
}
