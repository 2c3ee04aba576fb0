/**
 * Read-only access to the files inside a filesystem, by path. Ferry only ever needs a few small
 * files (os-release, a registry hive, a bootloader) to learn what a disk holds, so the interface
 * reads whole files with a size cap rather than streaming.
 */
export interface FileTree {
  /**
   * The whole content of the regular file at `path` ("/etc/os-release", "/Windows/System32/
   * config/SOFTWARE"), or null when no such file exists. `/` separates components on every
   * filesystem; names compare case-insensitively where the filesystem does (FAT, NTFS).
   * Symbolic links inside the filesystem are followed (a bounded number of times); one that
   * leaves the filesystem reads as missing. Throws FerryError BAD_FILESYSTEM on structures
   * that contradict themselves, and UNSUPPORTED when the file is larger than `maxBytes`.
   */
  readFile(path: string, maxBytes?: number): Promise<Buffer | null>;
  /**
   * The first `min(length, size)` bytes of the regular file at `path`, under readFile's rules for
   * paths, links and errors but with no size cap: only the blocks holding those bytes are read,
   * so a header is cheap to look at however large the file is.
   */
  readHead(path: string, length: number): Promise<Buffer | null>;
  /** The names in the directory at `path` (without "." and ".."), or null when it is missing. */
  list(path: string): Promise<string[] | null>;
}

/** Files larger than this are refused unless a caller asks for more. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
