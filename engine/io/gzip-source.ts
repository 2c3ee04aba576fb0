/**
 * A gzip-compressed dd image (`dd if=/dev/sda | gzip > disk.img.gz`, or pigz's many members).
 * Gzip cannot be entered in the middle, so opening makes one streaming pass that learns the real
 * size (the ISIZE trailer is only the size mod 2^32) and keeps the first and last few MiB, where
 * partition tables and the GPT backup live. Other reads come from a forward-only inflating cursor,
 * restarted from the beginning on a backward seek, behind a small cache of recent chunks. Memory
 * stays bounded whatever the size of the image.
 */
import { createReadStream } from 'node:fs';
import { addAbortSignal, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';
import { checkReadRange, openFailure } from './file-source.js';
import type { BlockSource } from './source.js';

export interface GzipSourceOptions {
  signal?: AbortSignal;
  /** Bytes kept in memory from each end of the disk. */
  keep?: number;
  /** How many recently read chunks (1 MiB each) stay in memory. */
  cachedChunks?: number;
}

const MiB = 2 ** 20;
const CHUNK = MiB;
const DEFAULT_KEEP = 4 * MiB;
const DEFAULT_CACHED_CHUNKS = 16;
const COMPRESSED_READ_SIZE = MiB;
const INFLATED_CHUNK_SIZE = 256 * 1024;

export async function openGzipSource(
  path: string,
  options: GzipSourceOptions = {},
): Promise<BlockSource> {
  const keep = Math.max(CHUNK, options.keep ?? DEFAULT_KEEP);
  const { size, head, tail } = await scan(path, keep, options.signal);
  const cursor = new InflatingCursor(path, size, options.signal);
  const chunks = new ChunkCache(options.cachedChunks ?? DEFAULT_CACHED_CHUNKS);
  const tailStart = size - tail.length;
  let closed = false;

  // One cursor serves every reader, so chunk loads are queued; a chunk that arrived while a
  // request waited is then found in the cache instead of restarting the stream.
  let queue: Promise<unknown> = Promise.resolve();
  const load = async (index: number): Promise<Buffer> => {
    const cached = chunks.get(index);
    if (cached) return cached;
    const start = index * CHUNK;
    const data = await cursor.read(start, Math.min(CHUNK, size - start));
    chunks.set(index, data);
    return data;
  };
  const chunk = (index: number): Promise<Buffer> => {
    const task = () => load(index);
    const result = queue.then(task, task);
    queue = result.catch(() => undefined);
    return result;
  };

  return {
    path,
    format: 'gzip',
    size,
    sectorSize: 512,
    async read(offset: number, length: number): Promise<Buffer> {
      if (closed) throw closedError(path);
      checkReadRange(offset, length, size, path);
      const out = Buffer.allocUnsafe(length);
      const end = offset + length;
      let position = offset;
      while (position < end) {
        const into = position - offset;
        if (position < head.length) {
          position += head.copy(out, into, position, Math.min(end, head.length));
        } else if (position >= tailStart) {
          position += tail.copy(out, into, position - tailStart, end - tailStart);
        } else {
          const index = Math.floor(position / CHUNK);
          const base = index * CHUNK;
          const data = await chunk(index);
          position += data.copy(out, into, position - base, Math.min(end - base, data.length));
        }
      }
      return out;
    },
    async close(): Promise<void> {
      closed = true;
      cursor.close();
      chunks.clear();
    },
  };
}

/** The one pass at open: the true size, the first `keep` bytes and the last `keep` bytes. */
async function scan(
  path: string,
  keep: number,
  signal: AbortSignal | undefined,
): Promise<{ size: number; head: Buffer; tail: Buffer }> {
  const head = Buffer.allocUnsafe(keep);
  const ring = Buffer.allocUnsafe(keep);
  let total = 0;
  const inflation = inflate(path, signal);
  try {
    for (;;) {
      const next = await nextInflated(inflation, path, total);
      if (next.done) break;
      const data = next.value;
      if (total < keep) data.copy(head, total, 0, keep - total);
      const last = data.subarray(Math.max(0, data.length - keep));
      const at = (total + data.length - last.length) % keep;
      const first = last.copy(ring, at);
      last.copy(ring, 0, first);
      total += data.length;
    }
  } finally {
    inflation.destroy();
  }
  if (total <= keep) return { size: total, head: head.subarray(0, total), tail: Buffer.alloc(0) };
  const tail = Buffer.allocUnsafe(keep);
  const at = total % keep;
  ring.copy(tail, ring.copy(tail, 0, at), 0, at);
  return { size: total, head, tail };
}

/** Reads forward through the inflated stream; a request behind it starts a new stream. */
class InflatingCursor {
  private inflation: Inflation | undefined;
  /** Disk offset of the first byte of `pending`. */
  private position = 0;
  private pending: Buffer = Buffer.alloc(0);
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly size: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  close(): void {
    this.closed = true;
    this.reset();
  }

  /** One caller at a time: the cursor is a single stream. */
  async read(start: number, length: number): Promise<Buffer> {
    if (this.closed) throw closedError(this.path);
    if (!this.inflation || start < this.position) {
      this.reset();
      this.inflation = inflate(this.path, this.signal);
      this.position = 0;
    }
    const inflation = this.inflation;
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    try {
      while (filled < length) {
        const want = start + filled;
        const from = want - this.position;
        if (from < this.pending.length) {
          filled += this.pending.copy(out, filled, from, from + length - filled);
          continue;
        }
        this.position += this.pending.length;
        this.pending = Buffer.alloc(0);
        const next = await nextInflated(inflation, this.path, this.position);
        if (next.done) {
          throw new FerryError(
            'BAD_IMAGE',
            `the gzip data ended after ${formatSize(this.position)}, but held ${formatSize(this.size)} when opened`,
            {
              where: this.path,
              hint: 'the file changed while Ferry was reading it; leave it alone and start again',
            },
          );
        }
        this.pending = next.value;
      }
    } catch (error) {
      // Closing the source ends the stream under a waiting read; say so rather than blame the file.
      if (this.closed) throw closedError(this.path);
      this.reset();
      throw error;
    }
    return out;
  }

  private reset(): void {
    this.inflation?.destroy();
    this.inflation = undefined;
    this.pending = Buffer.alloc(0);
  }
}

function closedError(path: string): FerryError {
  return new FerryError('IO', 'read from a source that was already closed', {
    where: path,
    hint: 'this is a bug in Ferry; please report it with the command that was running',
  });
}

interface Inflation {
  chunks: AsyncIterator<Buffer>;
  destroy(): void;
}

function inflate(path: string, signal: AbortSignal | undefined): Inflation {
  const gunzip = createGunzip({ chunkSize: INFLATED_CHUNK_SIZE });
  // pipeline() tears down the file stream with the gunzip stream; its errors reach the iterator.
  pipeline(createReadStream(path, { highWaterMark: COMPRESSED_READ_SIZE }), gunzip, () => {});
  if (signal) addAbortSignal(signal, gunzip);
  return {
    chunks: gunzip[Symbol.asyncIterator](),
    destroy: () => gunzip.destroy(),
  };
}

/** The next inflated buffer; failures become FerryErrors that say how far the data was good. */
async function nextInflated(
  inflation: Inflation,
  path: string,
  position: number,
): Promise<IteratorResult<Buffer>> {
  try {
    return await inflation.chunks.next();
  } catch (error) {
    throw inflationFailure(error, path, position);
  }
}

function inflationFailure(error: unknown, path: string, position: number): FerryError {
  const { name, code, message } = (error ?? {}) as NodeJS.ErrnoException;
  if (name === 'AbortError') {
    return new FerryError('CANCELLED', 'cancelled while reading the gzip image', {
      where: path,
      hint: 'nothing was changed; start again when ready',
    });
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new FerryError(
      'BAD_IMAGE',
      `the gzip data is damaged after ${formatSize(position)} of disk data (${message})`,
      {
        where: path,
        hint: 'the file is truncated or corrupt (`gzip -t` confirms it); copy or create the image again',
        cause: error,
      },
    );
  }
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM') return openFailure(error, path);
  return new FerryError(
    'IO',
    `reading the gzip file failed after ${formatSize(position)} of disk data (${message})`,
    {
      where: path,
      hint: 'check that the file is still there and its disk is healthy',
      cause: error,
    },
  );
}

/** The most recently used chunks; the oldest is dropped when the cache is full. */
class ChunkCache {
  private readonly chunks = new Map<number, Buffer>();

  constructor(private readonly capacity: number) {}

  get(index: number): Buffer | undefined {
    const chunk = this.chunks.get(index);
    if (chunk) {
      this.chunks.delete(index);
      this.chunks.set(index, chunk);
    }
    return chunk;
  }

  set(index: number, chunk: Buffer): void {
    this.chunks.set(index, chunk);
    for (const oldest of this.chunks.keys()) {
      if (this.chunks.size <= this.capacity) break;
      this.chunks.delete(oldest);
    }
  }

  clear(): void {
    this.chunks.clear();
  }
}
