import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { FerryError } from '../../shared/errors.js';

/**
 * An output file written under `<path>.partial` and renamed only when complete and flushed,
 * so a failed or cancelled job never leaves a file that looks finished.
 */
export class PartialFile {
  readonly partialPath: string;

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

  /** Sets the final length (when given), flushes, closes and renames to the final name. */
  async commit(length?: number): Promise<string> {
    try {
      if (length !== undefined) await this.handle.truncate(length);
      await this.handle.sync();
      await this.handle.close();
      await rename(this.partialPath, this.path);
    } catch (error) {
      throw this.failure('cannot complete', error);
    }
    return this.path;
  }

  async discard(): Promise<void> {
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
