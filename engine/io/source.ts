/**
 * A source of bytes addressed by offset: a disk image, a block device, a decompressed gzip
 * stream or (later) a virtual disk read through its format. Everything that understands disks
 * reads through this interface, so none of it knows where the bytes come from.
 */
export interface BlockSource {
  /** What the user named: a path or a device. Used in messages. */
  readonly path: string;
  /** How the bytes are stored, as `ferry inspect` reports it ("raw", "device", "gzip"). */
  readonly format: string;
  /** Size in bytes of the disk the source presents (after decompression or translation). */
  readonly size: number;
  /** Logical sector size the device reports; 512 for image files unless the layout says otherwise. */
  readonly sectorSize: number;
  /**
   * Returns exactly `length` bytes starting at `offset`. A range beyond the end throws a
   * FerryError with code SOURCE_TRUNCATED; callers bounds-check before asking.
   */
  read(offset: number, length: number): Promise<Buffer>;
  /**
   * Fills all of `target` with the bytes from `offset` on, for callers that reuse their buffers
   * (a conversion's chunks). Sources that cannot fill a caller's buffer leave it out.
   */
  readInto?(offset: number, target: Buffer): Promise<void>;
  close(): Promise<void>;
}
