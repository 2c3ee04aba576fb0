/** The contract between the resize entry points and one resizer per filesystem family. */
import type { DetectedFilesystem } from '../filesystems/types.js';
import type { BlockSource } from '../io/source.js';
import type { ByteRange } from '../ranges.js';
import type { TemporaryCopy } from './temporary-copy.js';

/** What the planner and the wizard's sliders learn about a filesystem before anything is copied. */
export interface ResizeCheck {
  /** The tool that resizes it ("resize2fs", "ntfsresize"), "native", or null when none can. */
  resizer: string | null;
  /**
   * The smallest partition the filesystem can shrink into: an estimate from its used bytes that
   * the tool confirms on the copy. Null when it cannot shrink at all.
   */
  minimumSize: number | null;
  /** The filesystem follows a larger partition. A partition may always grow; without this, its filesystem keeps its size. */
  canGrow: boolean;
  canShrink: boolean;
  /**
   * Temporary disk space a resize takes, about: the used bytes. Zero runs take none; blocks a
   * shrink moves are written again at their new place.
   */
  tempBytes: number;
  /** Why it cannot grow or shrink, and what to do about it. */
  warning?: string;
}

export interface ResizeInput {
  /** The source partition, read-only. */
  volume: BlockSource;
  filesystem: DetectedFilesystem;
  /** Its used bytes, relative to the volume (as the filesystem driver maps them). */
  used: ByteRange[];
  /** The partition's new size in bytes. */
  newSize: number;
  /** Where the temporary copy is made. */
  tempDir: string;
  signal?: AbortSignal;
  /** Called with the bytes of `used` copied so far. */
  onProgress?: (bytes: number) => void;
}

export interface ResizedFilesystem {
  /** The new partition's content, `newSize` bytes; a temporary copy unless nothing needed one. */
  volume: BlockSource;
  /** The resized filesystem's used bytes, relative to `volume`, read by Ferry's own driver. */
  used: ByteRange[];
  /** The filesystem's own size now (it may end before the partition does). */
  filesystemSize: number;
  /** Disk space the temporary copy takes until `dispose`. */
  tempBytes: number;
  warnings: string[];
  /** Closes the copy and deletes it. */
  dispose(): Promise<void>;
}

/** One family of filesystems (ext2/3/4, NTFS, FAT) and how it is resized. */
export interface FilesystemResizer {
  /** "resize2fs", "ntfsresize" or "native". */
  name: string;
  /** The program that must be installed, with its Debian package; null for native resizers. */
  tool: { program: string; packageName: string } | null;
  /** Bytes of the partition the filesystem occupies as it is (NTFS keeps a sector past its end). */
  occupiedBytes(filesystem: DetectedFilesystem, volume: BlockSource): number;
  /** The estimate of `ResizeCheck.minimumSize`, from the used bytes alone. */
  estimateMinimum(filesystem: DetectedFilesystem, usedBytes: number): number;
  /** The exact minimum, where reading the volume (not running a tool) can tell it. */
  measureMinimum?(volume: BlockSource): Promise<number>;
  /** Resizes a copy of `input.volume` to `input.newSize`; LAYOUT_REFUSED below its minimum. */
  resize(input: ResizeInput): Promise<ResizeOutcome>;
}

/** What a resizer leaves: the copy, already `newSize` bytes long. */
export interface ResizeOutcome {
  copy: TemporaryCopy;
  filesystemSize: number;
  warnings: string[];
}
