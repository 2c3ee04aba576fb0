/**
 * Compresses qcow2 clusters on every core and hands the results back in order. Each cluster is
 * one asynchronous zlib call, which runs on libuv's thread pool; keeping several in flight
 * keeps every pool thread busy (the pool has UV_THREADPOOL_SIZE threads, 4 unless the process
 * sets more before its first I/O). At most `inFlight` clusters are held, so memory is bounded.
 */
import { availableParallelism } from 'node:os';
import { deflateRaw, type ZlibOptions } from 'node:zlib';
import { FerryError } from '../../shared/errors.js';

/** QEMU's choice: raw deflate with a 4 KiB window (windowBits -12), default level, memLevel 9. */
const QCOW2_DEFLATE: ZlibOptions = { windowBits: 12, memLevel: 9 };

/** Receives cluster `index`, its bytes and their compressed form. */
export type PlaceCompressed = (index: number, data: Buffer, compressed: Buffer) => Promise<void>;

interface Job {
  index: number;
  data: Buffer;
  compressed: Promise<Buffer>;
}

export class OrderedDeflate {
  private readonly jobs: Job[] = [];

  constructor(
    private readonly place: PlaceCompressed,
    private readonly inFlight = Math.max(4, 2 * availableParallelism()),
  ) {}

  /** Starts compressing `data` (which must stay unchanged until placed). */
  async push(index: number, data: Buffer): Promise<void> {
    const compressed = compress(data);
    // Handled here so that a failure while an earlier job is awaited is not "unhandled"; it is
    // rethrown when this job's turn comes.
    compressed.catch(() => {});
    this.jobs.push({ index, data, compressed });
    while (this.jobs.length > this.inFlight) await this.placeFirst();
  }

  /** Places every job still in flight. */
  async drain(): Promise<void> {
    while (this.jobs.length > 0) await this.placeFirst();
  }

  private async placeFirst(): Promise<void> {
    const job = this.jobs.shift()!;
    await this.place(job.index, job.data, await job.compressed);
  }
}

function compress(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    deflateRaw(data, QCOW2_DEFLATE, (error, result) => {
      if (error) {
        reject(
          new FerryError('IO', `compressing a cluster failed: ${error.message}`, {
            where: 'qcow2 compression',
            hint: 'retry without --compress',
            cause: error,
          }),
        );
      } else {
        resolve(result);
      }
    });
  });
}
