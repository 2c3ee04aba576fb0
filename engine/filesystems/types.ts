import type { FilesystemType } from '../../shared/layout.js';

export interface DetectedFilesystem {
  type: FilesystemType;
  label: string | null;
  uuid: string | null;
  /** The filesystem's own size in bytes, when its superblock says. */
  size: number | null;
}
