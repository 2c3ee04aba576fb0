import { FerryError } from '../../shared/errors.js';
import type { PartialFile } from './partial-file.js';

const BUFFER_BYTES = 8 << 20;

/**
 * Gathers writes at increasing positions into large writes: what lands right after the previous
 * write is appended to an 8 MiB buffer, anything else starts a new one. One buffer is written
 * while the other fills, so reading the source and writing the image overlap. Memory: 16 MiB.
 */
export class CoalescingWriter {
  private filling = Buffer.allocUnsafe(BUFFER_BYTES);
  private spare = Buffer.allocUnsafe(BUFFER_BYTES);
  private start = 0;
  private used = 0;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly file: PartialFile) {}

  /** Copies `data` (the caller may reuse it once this resolves) to be written at `position`. */
  async write(position: number, data: Buffer): Promise<void> {
    if (this.used > 0 && position !== this.start + this.used) await this.flush();
    if (this.used === 0) this.start = position;
    let done = 0;
    while (done < data.length) {
      const copied = data.copy(this.filling, this.used, done);
      this.used += copied;
      done += copied;
      if (this.used === this.filling.length) await this.flush();
    }
  }

  /** Writes everything buffered and waits for it. */
  async drain(): Promise<void> {
    if (this.used > 0) await this.flush();
    await this.inFlight;
  }

  /** Waits for the write in flight, ignoring its outcome: the file is being thrown away. */
  async settle(): Promise<void> {
    await this.inFlight?.catch(() => {});
  }

  private async flush(): Promise<void> {
    await this.inFlight;
    const data = this.filling.subarray(0, this.used);
    const position = this.start;
    const write = writeAt(this.file, data, position);
    // Marked handled now; the error still reaches whoever awaits it next.
    write.catch(() => {});
    this.inFlight = write;
    [this.filling, this.spare] = [this.spare, this.filling];
    this.start = position + data.length;
    this.used = 0;
  }
}

/** Writes `data` at `position`; an OS error becomes an IO FerryError naming the file. */
export async function writeAt(file: PartialFile, data: Buffer, position: number): Promise<void> {
  try {
    await file.writeAt(data, position);
  } catch (error) {
    throw new FerryError(
      'IO',
      `write of ${data.length} bytes at ${position} failed: ${(error as Error).message}`,
      {
        where: file.partialPath,
        hint: 'check free space and that the destination disk is still attached',
        cause: error,
      },
    );
  }
}

/** Sets the file's final length, flushes it and renames it; an OS error becomes an IO FerryError. */
export async function commitAt(file: PartialFile, length: number): Promise<string> {
  try {
    await file.handle.truncate(length);
    return await file.commit();
  } catch (error) {
    throw new FerryError('IO', `cannot finish the file: ${(error as Error).message}`, {
      where: file.partialPath,
      hint: 'check free space and that the destination disk is still attached',
      cause: error,
    });
  }
}
