/**
 * Bulk reads of a Linux disk past the page cache (O_DIRECT). A hot clone reads the whole disk of
 * a running machine; through the cache, those gigabytes would push out what the machine's own
 * programs had cached. Chunks land in page-aligned pool buffers (aligned-memory.ts) at whole
 * sectors; anything else, and everything once the device refuses a direct read, takes the
 * ordinary handle.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { FerryError } from '../../shared/errors.js';
import { startsAligned } from './aligned-memory.js';
import { handleFiller, type FillExactly } from './file-source.js';

export interface DirectFiller {
  fill: FillExactly;
  /** Closes the direct handle, if one was opened; the ordinary one is the caller's. */
  close(): Promise<void>;
}

export async function directFiller(
  openPath: string,
  handle: FileHandle,
  where: string,
  sectorSize: number,
): Promise<DirectFiller> {
  const buffered = handleFiller(handle, where);
  let direct: FileHandle | null = await open(openPath, constants.O_RDONLY | constants.O_DIRECT)
    // Not every block device takes O_DIRECT (some network and FUSE-backed ones do not).
    .catch(() => null);
  const close = async (): Promise<void> => {
    const closing = direct;
    direct = null;
    await closing?.close();
  };
  const directFill = direct && handleFiller(direct, where);
  return {
    async fill(offset, buffer) {
      const whole = offset % sectorSize === 0 && buffer.length % sectorSize === 0;
      if (direct && directFill && whole && startsAligned(buffer)) {
        try {
          return await directFill(offset, buffer);
        } catch (error) {
          if (!refusedDirect(error)) throw error;
          await close();
        }
      }
      return buffered(offset, buffer);
    },
    close,
  };
}

/** A device that accepts O_DIRECT at open may still refuse these alignments (EINVAL). */
function refusedDirect(error: unknown): boolean {
  return (
    error instanceof FerryError &&
    (error.cause as NodeJS.ErrnoException | undefined)?.code === 'EINVAL'
  );
}
