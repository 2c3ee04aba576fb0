import type { FormatName } from '../../shared/formats.js';
import type { BlockSource } from '../io/source.js';
import type { ByteRange } from '../ranges.js';

/**
 * A run of bytes of the virtual disk. A writer may keep `data` (without copying) until a later
 * write or `finish`, so whoever produces extents must not reuse its memory before `release`.
 */
export interface Extent {
  offset: number;
  data: Buffer;
  /**
   * Hands the memory of `data` back to whoever produced it, to be filled again. A writer calls
   * it exactly once, when it holds no view of `data` any more: after the write that stored its
   * last byte completed, after compressing it, or at once if it stores none of it. Extents
   * without it own their memory; the garbage collector takes it back.
   */
  release?: () => void;
}

export interface WriterOptions {
  /** Virtual disk size in bytes. */
  size: number;
  /** Preallocate the whole disk where the format has a fixed variant (VHDX, VDI). */
  thick: boolean;
  /** Compress data clusters where the format allows it (qcow2). */
  compress: boolean;
  /**
   * The disk's identity where the format carries one; random when absent. 8-4-4-4-12
   * hexadecimal in either case, not all zeros; anything else is USAGE. VirtualBox opens a disk
   * only when the UUID its .vbox names is the one stored here (VDI creation UUID, VHD unique id,
   * VMDK `ddb.uuid.image`); VHDX keeps it as the page 83 VirtualDiskId. Raw and qcow2 have no
   * such field and ignore it.
   */
  uuid?: string;
}

/**
 * Writes one virtual disk. Extents arrive with strictly increasing, non-overlapping offsets;
 * ranges never written read back as zeros. Every file is written as `<name>.partial` and only
 * `finish` renames it, so a failed or cancelled job leaves nothing that looks finished.
 */
export interface ImageWriter {
  write(extent: Extent): Promise<void>;
  /** Writes tables and footers, flushes, renames the partial files; returns the final paths. */
  finish(): Promise<string[]>;
  /** Closes and deletes every partial file. Safe to call after a failed write. */
  abort(): Promise<void>;
}

export interface FormatWriterDriver {
  name: FormatName;
  /** The final paths `create(target)` will produce, so existing ones can be refused up front. */
  outputFiles(target: string): string[];
  create(target: string, options: WriterOptions): Promise<ImageWriter>;
}

/** A virtual disk opened for reading: the disk it holds, and which parts of it are stored. */
export interface ImageReader extends BlockSource {
  /** Fills all of `target` with the disk's bytes from `offset` on, so a caller can reuse it. */
  readInto(offset: number, target: Buffer): Promise<void>;
  /** Virtual byte ranges the image stores data for; the rest reads as zeros. Sorted, merged. */
  allocated(): Promise<ByteRange[]>;
  /**
   * The disk's identity as the image stores it (see `WriterOptions.uuid`), lower-case
   * 8-4-4-4-12; null when the format has the field but this image leaves it empty or unreadable;
   * absent for formats without one.
   */
  uuid?: string | null;
}

/** What content detection sees of a file. */
export interface FileProbe {
  /** The first 4 KiB (less for a smaller file). */
  head: Buffer;
  /** The last 512 bytes (less for a smaller file). */
  tail: Buffer;
  size: number;
}

export interface FormatReaderDriver {
  /** The name `ferry inspect` reports as `format`. */
  name: string;
  detect(probe: FileProbe): boolean;
  open(path: string): Promise<ImageReader>;
}
