import { constants } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { FerryError } from '../../shared/errors.js';
import { DIRECT_ALIGNMENT, isAligned } from '../io/aligned-memory.js';

/**
 * An output file written under `<path>.partial` and renamed only when complete and flushed,
 * so a failed or cancelled job never leaves a file that looks finished.
 *
 * Where the platform and file system allow it (Linux: O_DIRECT), data in aligned memory at
 * aligned positions bypasses the page cache. The image has to reach the disk before the job ends
 * anyway; through the page cache every byte would also be copied into freshly allocated pages,
 * which costs more than the disk write on a loaded machine and evicts what the machine being
 * converted had cached. Headers, tables and anything unaligned take the ordinary handle; the
 * kernel keeps the two coherent, and the final fsync covers both.
 */
export class PartialFile {
  readonly partialPath: string;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    /** The same file opened with O_DIRECT, or null where that is not possible. */
    private direct: FileHandle | null,
  ) {
    this.partialPath = `${path}.partial`;
  }

  static async create(path: string): Promise<PartialFile> {
    const partialPath = `${path}.partial`;
    let handle: FileHandle;
    try {
      handle = await open(partialPath, 'w');
    } catch (error) {
      throw new FerryError('IO', `cannot create ${partialPath}: ${(error as Error).message}`, {
        where: path,
        hint: 'check that the folder exists, is writable and has free space',
        cause: error,
      });
    }
    return new PartialFile(path, handle, await openDirect(partialPath));
  }

  /** Writes all of `data` at `position`. */
  writeAt(data: Buffer, position: number): Promise<void> {
    return this.writeAll([data], position);
  }

  /** Writes `parts` one after another from `position`, in as few system calls as it can. */
  async writeAll(parts: readonly Buffer[], position: number): Promise<void> {
    const data = parts.filter((part) => part.length > 0);
    let at = position;
    for (const run of this.direct
      ? alignedRuns(data, position)
      : [{ parts: data, direct: false }]) {
      at = await this.writeRun(run.parts, at, run.direct);
    }
  }

  /**
   * Sets the final length (the current one when not given), flushes, closes and renames to the
   * final name.
   */
  async commit(length?: number): Promise<string> {
    try {
      await this.closeDirect();
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
    await this.closeDirect().catch(() => {});
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

  /** Writes one run with one handle, looping over short writes; returns the position after it. */
  private async writeRun(parts: readonly Buffer[], position: number, direct: boolean) {
    let pending = parts;
    let at = position;
    while (pending.length > 0) {
      const handle = direct && this.direct && at % DIRECT_ALIGNMENT === 0 ? this.direct : null;
      let written: number;
      try {
        ({ bytesWritten: written } = await (handle ?? this.handle).writev(pending, at));
      } catch (error) {
        // A file system may accept O_DIRECT at open and still refuse these alignments (a device
        // with larger sectors): from then on everything takes the page cache.
        if (handle && (error as NodeJS.ErrnoException).code === 'EINVAL') {
          await this.closeDirect();
          continue;
        }
        throw this.failure(`cannot write at ${at} to`, error);
      }
      if (written === 0) {
        throw this.failure(`cannot write at ${at} to`, new Error('no bytes were accepted'));
      }
      at += written;
      pending = skipWritten(pending, written);
    }
    return at;
  }

  private async closeDirect(): Promise<void> {
    const direct = this.direct;
    this.direct = null;
    await direct?.close();
  }
}

/** Opens `path` for writing with O_DIRECT, or gives null where the platform or file system can't. */
async function openDirect(path: string): Promise<FileHandle | null> {
  // Only Linux has the flag; the file systems without it (tmpfs before 6.6, FUSE) refuse at open.
  if (constants.O_DIRECT === undefined) return null;
  return open(path, constants.O_WRONLY | constants.O_DIRECT).catch(() => null);
}

/**
 * `parts` cut into runs that may go straight to disk (aligned memory at aligned positions) and
 * runs that may not, in order: a block's data can then bypass the cache while its bitmap sector
 * or a table beside it does not.
 */
function alignedRuns(
  parts: readonly Buffer[],
  position: number,
): { parts: Buffer[]; direct: boolean }[] {
  const runs: { parts: Buffer[]; direct: boolean }[] = [];
  let at = position;
  for (const part of parts) {
    const direct = at % DIRECT_ALIGNMENT === 0 && isAligned(part);
    const last = runs[runs.length - 1];
    if (last && last.direct === direct) last.parts.push(part);
    else runs.push({ parts: [part], direct });
    at += part.length;
  }
  return runs;
}

/** What remains of `parts` after the first `written` bytes. */
function skipWritten(parts: readonly Buffer[], written: number): Buffer[] {
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
