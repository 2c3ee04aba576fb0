import { FerryError } from '../../shared/errors.js';
import { SharedRelease } from '../formats/shared-release.js';
import type { Extent } from '../formats/types.js';
import { alignedBuffers } from '../io/aligned-memory.js';
import type { BlockSource } from '../io/source.js';
import type { ByteRange } from '../ranges.js';

/** Reads are this large: big enough to stream at disk speed, small enough to bound memory. */
export const READ_CHUNK = 1 << 20;
/** All-zero runs are dropped at this granularity, aligned on the disk. */
export const ZERO_GRANULE = 64 << 10;
/** Reads kept in flight ahead of the consumer, so reading overlaps compressing and writing. */
const READ_AHEAD = 8;
/**
 * Chunk buffers kept for reuse: the reads in flight and what a writer holds until its batches
 * are written. Filling fresh memory costs a page fault per 4 KiB; reused buffers cost none. They
 * are page-aligned, so a writer can store them straight to disk (PartialFile, O_DIRECT).
 */
const POOL_CHUNKS = 32;

const ZEROS = Buffer.alloc(ZERO_GRANULE);

export interface ReadExtentsOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the bytes of `ranges` read so far (zeros included). */
  onRead?: (bytes: number) => void;
  /** At most this many bytes per second are read, to spare a machine in use (`--throttle`). */
  throttle?: number;
  /** Called with each chunk's place and bytes, zeros included, before its extents go out. */
  onChunk?: (start: number, bytes: Buffer) => void;
}

/**
 * The extent stream of DESIGN.md: the bytes of `ranges`, in increasing order, with all-zero
 * granules left out, so no writer ever stores or even sees them.
 */
export async function* readExtents(
  source: BlockSource,
  ranges: readonly ByteRange[],
  options: ReadExtentsOptions = {},
): AsyncGenerator<Extent> {
  const readChunk = chunkReader(source);
  const chunks = chunksOf(ranges);
  const pending: { chunk: ByteRange; data: Promise<Chunk> }[] = [];
  const refill = (): void => {
    while (pending.length < READ_AHEAD) {
      const next = chunks.next();
      if (next.done) return;
      const data = readChunk(next.value);
      // A read that fails after a cancel is reported by the cancel, not as an unhandled rejection.
      data.catch(() => {});
      pending.push({ chunk: next.value, data });
    }
  };
  let read = 0;
  const started = performance.now();
  refill();
  while (pending.length > 0) {
    throwIfAborted(options.signal, source.path);
    const { chunk, data } = pending.shift()!;
    const { bytes, loan } = await data;
    if (options.throttle)
      await waitForBudget(started, read + chunk.length, options.throttle, options.signal);
    refill();
    read += chunk.length;
    options.onChunk?.(chunk.start, bytes);
    options.onRead?.(read);
    try {
      for (const extent of nonZeroRuns(chunk.start, bytes)) {
        yield loan ? { ...extent, release: loan.hold() } : extent;
      }
    } finally {
      loan?.drop();
    }
  }
}

/** A chunk's bytes and, when they live in a pooled buffer, what gives the buffer back. */
interface Chunk {
  bytes: Buffer;
  loan?: SharedRelease;
}

/** Reads chunks into pooled buffers where the source allows it, else into fresh ones. */
function chunkReader(source: BlockSource): (chunk: ByteRange) => Promise<Chunk> {
  const { readInto } = source;
  if (!readInto) {
    return async ({ start, length }) => ({ bytes: await source.read(start, length) });
  }
  const free = alignedBuffers(POOL_CHUNKS, READ_CHUNK) ?? [];
  const giveBack = (buffer: Buffer): void => {
    if (free.length < POOL_CHUNKS) free.push(buffer);
  };
  return async ({ start, length }) => {
    // An empty pool (a writer that holds many chunks, or never releases) just costs memory.
    const buffer = free.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK);
    const bytes = buffer.subarray(0, length);
    await readInto.call(source, start, bytes);
    return { bytes, loan: new SharedRelease(() => giveBack(buffer)) };
  };
}

/** Sleeps until reading `bytes` since `started` keeps within `rate`; wakes early on cancel. */
async function waitForBudget(
  started: number,
  bytes: number,
  rate: number,
  signal?: AbortSignal,
): Promise<void> {
  const due = started + (bytes / rate) * 1000 - performance.now();
  if (due <= 0) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, due);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** `ranges` cut into the chunks the extent stream reads, each within one READ_CHUNK of the disk. */
export function* chunksOf(ranges: readonly ByteRange[]): Generator<ByteRange> {
  for (const range of ranges) {
    for (let start = range.start; start < range.start + range.length;) {
      // Chunk ends fall on READ_CHUNK boundaries of the disk, so zero granules stay aligned.
      const end = Math.min(
        range.start + range.length,
        (Math.floor(start / READ_CHUNK) + 1) * READ_CHUNK,
      );
      yield { start, length: end - start };
      start = end;
    }
  }
}

/** Splits a chunk into its runs of granules holding at least one non-zero byte. */
function* nonZeroRuns(start: number, data: Buffer): Generator<Extent> {
  let runStart = -1;
  let position = 0;
  while (position < data.length) {
    const granuleEnd = Math.min(
      data.length,
      (Math.floor((start + position) / ZERO_GRANULE) + 1) * ZERO_GRANULE - start,
    );
    const granule = data.subarray(position, granuleEnd);
    const zero = granule.equals(ZEROS.subarray(0, granule.length));
    if (!zero && runStart < 0) runStart = position;
    if (zero && runStart >= 0) {
      yield { offset: start + runStart, data: data.subarray(runStart, position) };
      runStart = -1;
    }
    position = granuleEnd;
  }
  if (runStart >= 0) yield { offset: start + runStart, data: data.subarray(runStart) };
}

export function throwIfAborted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) {
    throw new FerryError('CANCELLED', 'cancelled', {
      where,
      hint: 'nothing finished was left behind',
    });
  }
}
