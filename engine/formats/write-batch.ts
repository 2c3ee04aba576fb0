/**
 * Gathers the many writes of an image (64 KiB grains, compressed runs of a few KiB, 1 MiB
 * blocks, tables) into few large vectored ones, and writes one batch while the next is gathered,
 * so reading the source and writing the image overlap as in `qemu-img convert`. Writes that
 * continue the previous one join its run; each run becomes one writev at its position. Nothing
 * is copied: a buffer handed to `put` is written later and must not change until then, and
 * `onWritten` says when that is.
 */
import { FerryError } from '../../shared/errors.js';
import type { PartialFile } from './partial-file.js';

/**
 * Big enough to reach disk speed (qemu-img writes 2 MiB at a time), small enough to stay a
 * rounding error in memory.
 */
const BATCH_BYTES = 4 * 2 ** 20;
/** Below the iovec limit of every platform (IOV_MAX is 1024 on Linux and macOS). */
const BATCH_PARTS = 1024;

interface Run {
  position: number;
  length: number;
  parts: Buffer[];
}

interface Batch {
  runs: Run[];
  /** Called once the batch is written (or has failed to be): its buffers are free again. */
  written: (() => void)[];
}

export class WriteBatch {
  private queued: Batch = { runs: [], written: [] };
  private bytes = 0;
  private parts = 0;
  /** The batch being written; its failure surfaces at the next settle or flush. */
  private writing: Promise<void> = Promise.resolve();

  /**
   * `appending`: the file grows front to back (grains, blocks, clusters added at its end), so
   * space ahead of the writes can be reserved; a disk image with holes says false.
   */
  constructor(
    private readonly file: PartialFile,
    private readonly appending = true,
  ) {}

  /** Queues `data` for `position`. */
  put(position: number, data: Buffer): void {
    if (this.appending) this.file.reserveThrough(position + data.length);
    const { runs } = this.queued;
    const last = runs[runs.length - 1];
    if (last && last.position + last.length === position) {
      const tail = last.parts[last.parts.length - 1]!;
      if (tail.buffer === data.buffer && tail.byteOffset + tail.length === data.byteOffset) {
        // Grains cut from one chunk and stored one after another: one iovec serves them all.
        last.parts[last.parts.length - 1] = Buffer.from(
          tail.buffer,
          tail.byteOffset,
          tail.length + data.length,
        );
      } else {
        last.parts.push(data);
        this.parts++;
      }
      last.length += data.length;
    } else {
      runs.push({ position, length: data.length, parts: [data] });
      this.parts++;
    }
    this.bytes += data.length;
  }

  /** Queues `parts` one after another from `position`; returns the position after them. */
  putAll(position: number, parts: readonly Buffer[]): number {
    let at = position;
    for (const part of parts) {
      this.put(at, part);
      at += part.length;
    }
    return at;
  }

  /** Calls `callback` once everything queued so far has been written. */
  onWritten(callback: () => void): void {
    this.queued.written.push(callback);
  }

  /** Starts writing what is queued once there is enough of it, after the batch in flight. */
  async settle(): Promise<void> {
    if (this.bytes < BATCH_BYTES && this.parts < BATCH_PARTS) return;
    await this.writing;
    const writing = this.write(this.take());
    writing.catch(() => {});
    this.writing = writing;
  }

  /** Writes everything queued and waits until it is written. */
  async flush(): Promise<void> {
    await this.writing;
    await this.write(this.take());
  }

  /** Waits for the write in flight, ignoring its outcome: the file is being thrown away. */
  async abandon(): Promise<void> {
    const { written } = this.take();
    await this.writing.catch(() => {});
    for (const callback of written) callback();
  }

  private take(): Batch {
    const batch = this.queued;
    this.queued = { runs: [], written: [] };
    this.bytes = 0;
    this.parts = 0;
    return batch;
  }

  private async write({ runs, written }: Batch): Promise<void> {
    try {
      for (const run of runs) await this.writeRun(run);
    } finally {
      for (const callback of written) callback();
    }
  }

  private async writeRun({ position, parts }: Run): Promise<void> {
    let pending = parts;
    let at = position;
    try {
      while (pending.length > 0) {
        const { bytesWritten } = await this.file.handle.writev(pending, at);
        if (bytesWritten === 0) throw new Error('the file system accepted no bytes');
        at += bytesWritten;
        pending = skipWritten(pending, bytesWritten);
      }
    } catch (error) {
      throw new FerryError('IO', `write at ${at} failed: ${(error as Error).message}`, {
        where: this.file.partialPath,
        hint: 'check that the destination has free space and is still connected',
        cause: error,
      });
    }
  }
}

/** What remains of `parts` after the first `written` bytes. */
function skipWritten(parts: Buffer[], written: number): Buffer[] {
  let left = written;
  let index = 0;
  while (index < parts.length && left >= parts[index]!.length) {
    left -= parts[index]!.length;
    index++;
  }
  const rest = parts.slice(index);
  if (left > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(left);
  return rest;
}
