import { open, type FileHandle } from 'node:fs/promises';
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from './source.js';

/** Reads exactly `length` bytes at `offset`, or throws; the shape every handle-backed source shares. */
export type ReadExactly = (offset: number, length: number) => Promise<Buffer>;
/** Fills all of `target` with the bytes at `offset`, or throws. */
export type FillExactly = (offset: number, target: Buffer) => Promise<void>;

/**
 * Throws SOURCE_TRUNCATED unless [offset, offset + length) lies inside a source of `size` bytes.
 * Every source checks before touching its handle, so a parser's wild offset never reaches the OS.
 */
export function checkReadRange(
  offset: number,
  length: number,
  size: number,
  where: string,
  hint = 'the image or disk is smaller than its partition table says',
): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new FerryError(
      'SOURCE_TRUNCATED',
      `read of ${length} bytes at ${offset} lies beyond the end (${size} bytes)`,
      { where, hint },
    );
  }
}

/** Turns an error from opening `path` into the FerryError a person can act on. */
export function openFailure(error: unknown, path: string): FerryError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new FerryError('SOURCE_NOT_FOUND', 'no such file or device', {
      where: path,
      hint: 'check the path; `ferry disks` lists the disks of this machine',
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new FerryError('PERMISSION_DENIED', 'permission denied', {
      where: path,
      hint: 'reading a disk needs administrator rights: run as root (sudo) or as Administrator',
      cause: error,
    });
  }
  if (code === 'EBUSY') {
    return new FerryError('SOURCE_UNREADABLE', 'the device is busy', {
      where: path,
      hint: 'another program holds it exclusively; close it and try again',
      cause: error,
    });
  }
  return new FerryError('SOURCE_UNREADABLE', `cannot open: ${describe(error)}`, {
    where: path,
    hint: 'check that the path names a readable disk or disk image',
    cause: error,
  });
}

/** Opens `path` read-only (never for writing: the source of a conversion is left untouched). */
export async function openReadOnly(path: string, openPath = path): Promise<FileHandle> {
  try {
    return await open(openPath, 'r');
  } catch (error) {
    throw openFailure(error, path);
  }
}

/**
 * Reads exactly `length` bytes at `offset` from `handle`, looping over short reads. The caller
 * has checked the range against the size it knows, so running dry means the file shrank.
 */
export function handleReader(handle: FileHandle, where: string): ReadExactly {
  const fill = handleFiller(handle, where);
  return async (offset, length) => {
    const buffer = Buffer.allocUnsafe(length);
    await fill(offset, buffer);
    return buffer;
  };
}

/** Fills `target` from `offset` of `handle`, looping over short reads, as `handleReader` reads. */
export function handleFiller(handle: FileHandle, where: string): FillExactly {
  return async (offset, buffer) => {
    const { length } = buffer;
    let done = 0;
    while (done < length) {
      const { bytesRead } = await readHandle(
        handle,
        buffer,
        done,
        length - done,
        offset + done,
        where,
      );
      if (bytesRead === 0) {
        throw new FerryError(
          'SOURCE_TRUNCATED',
          `ended at byte ${offset + done} while ${length} bytes at ${offset} were wanted`,
          { where, hint: 'the file or device got smaller while Ferry was reading it' },
        );
      }
      done += bytesRead;
    }
  };
}

/** One read(2) on `handle`; an OS error becomes an IO FerryError naming the position. */
export async function readHandle(
  handle: FileHandle,
  buffer: Buffer,
  bufferOffset: number,
  length: number,
  position: number,
  where: string,
): Promise<{ bytesRead: number }> {
  try {
    return await handle.read(buffer, bufferOffset, length, position);
  } catch (error) {
    throw new FerryError(
      'IO',
      `read of ${length} bytes at ${position} failed: ${describe(error)}`,
      {
        where,
        hint: 'the disk may be failing or was disconnected; check the system log',
        cause: error,
      },
    );
  }
}

export interface HandleSourceOptions {
  path: string;
  format: string;
  size: number;
  sectorSize: number;
  read: ReadExactly;
  /** Given where the handle can fill a caller's buffer as it is (no alignment rules). */
  fill?: FillExactly;
}

/** A BlockSource over an open handle: the range check, the reads and closing the handle. */
export function handleSource(handle: FileHandle, options: HandleSourceOptions): BlockSource {
  const { path, format, size, sectorSize, read, fill } = options;
  return {
    path,
    format,
    size,
    sectorSize,
    async read(offset: number, length: number): Promise<Buffer> {
      checkReadRange(offset, length, size, path);
      return length === 0 ? Buffer.alloc(0) : read(offset, length);
    },
    ...(fill && {
      async readInto(offset: number, target: Buffer): Promise<void> {
        checkReadRange(offset, target.length, size, path);
        if (target.length > 0) await fill(offset, target);
      },
    }),
    close: () => handle.close(),
  };
}

export interface FileSourceOptions {
  /** The image's logical sector size when something other than the file says it (default 512). */
  sectorSize?: number;
}

/** A raw disk image: the file's bytes are the disk's bytes. */
export async function openFileSource(
  path: string,
  options: FileSourceOptions = {},
): Promise<BlockSource> {
  const handle = await openReadOnly(path);
  try {
    const { size } = await handle.stat();
    return handleSource(handle, {
      path,
      format: 'raw',
      size,
      sectorSize: options.sectorSize ?? 512,
      read: handleReader(handle, path),
      fill: handleFiller(handle, path),
    });
  } catch (error) {
    await handle.close();
    throw openFailure(error, path);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
