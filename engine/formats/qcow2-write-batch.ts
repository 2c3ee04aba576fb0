/**
 * Gathers many small writes (64 KiB clusters, compressed runs of a few KiB, 1 MiB blocks) into
 * few large vectored ones, and writes one batch while the next is gathered, so reading the
 * source and writing the image overlap as in `qemu-img convert`. Writes that continue the
 * previous one join its run; each run becomes one writev at its position.
 *
 * Buffers handed to `put` are written later: they must not change afterwards. Extents own their
 * data (every source returns fresh buffers), so writers pass extent bytes on without copying.
 */
import { FerryError } from '../../shared/errors.js';
import type { PartialFile } from './partial-file.js';

/** Big enough to reach disk speed, small enough to stay a rounding error in memory. */
const BATCH_BYTES = 8 * 2 ** 20;
/** Below the iovec limit of every platform (IOV_MAX is 1024 on Linux and macOS). */
const BATCH_PARTS = 1024;

interface Run {
  position: number;
  length: number;
  parts: Buffer[];
}

export class WriteBatch {
  private runs: Run[] = [];
  private bytes = 0;
  private parts = 0;
  /** The batch being written; its failure surfaces at the next settle or flush. */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: PartialFile) {}

  /** Queues `data` for `position`. */
  put(position: number, data: Buffer): void {
    const last = this.runs[this.runs.length - 1];
    if (last && last.position + last.length === position) {
      last.parts.push(data);
      last.length += data.length;
    } else {
      this.runs.push({ position, length: data.length, parts: [data] });
    }
    this.bytes += data.length;
    this.parts++;
  }

  /** Starts writing what is queued once there is enough of it, after the batch in flight. */
  async settle(): Promise<void> {
    if (this.bytes < BATCH_BYTES && this.parts < BATCH_PARTS) return;
    await this.writing;
    const writing = this.writeRuns(this.take());
    writing.catch(() => {});
    this.writing = writing;
  }

  /** Writes everything queued and waits until it is written. */
  async flush(): Promise<void> {
    await this.writing;
    await this.writeRuns(this.take());
  }

  /** Waits for the write in flight, ignoring its outcome: the file is being thrown away. */
  async abandon(): Promise<void> {
    this.take();
    await this.writing.catch(() => {});
  }

  private take(): Run[] {
    const runs = this.runs;
    this.runs = [];
    this.bytes = 0;
    this.parts = 0;
    return runs;
  }

  private async writeRuns(runs: Run[]): Promise<void> {
    for (const run of runs) await this.writeRun(run);
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
