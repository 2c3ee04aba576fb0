/** The rows of the Volumes screen: what each part of the source is and how it will be copied. */
import type { FilesystemType, InspectReport } from '../../shared/layout.js';

/** `used`: only the blocks its filesystem uses; `whole`: every non-zero block of it. */
export type CopyMode = 'used' | 'whole';

export interface VolumeRow {
  key: string;
  /** Partition number; null for a filesystem or data spanning the whole disk. */
  number: number | null;
  typeName: string | null;
  filesystem: FilesystemType | null;
  label: string | null;
  size: number;
  usedBytes: number | null;
  copy: CopyMode;
}

/**
 * Mirrors the engine's copy rules (engine/jobs/copy-ranges.ts): a partition is copied by used
 * blocks when its filesystem's usage is known, whole otherwise; `allBlocks` copies all of them
 * whole. An extended partition is only the container of the logical ones, listed themselves.
 */
export function volumeRows(report: InspectReport, allBlocks: boolean): VolumeRow[] {
  const copyOf = (usedBytes: number | null): CopyMode =>
    allBlocks || usedBytes === null ? 'whole' : 'used';
  if (report.table.type === 'none') {
    const fs = report.filesystem;
    const usedBytes = fs?.usedBytes ?? null;
    return [
      {
        key: 'disk',
        number: null,
        typeName: null,
        filesystem: fs?.type ?? null,
        label: fs?.label ?? null,
        size: report.size,
        usedBytes,
        copy: copyOf(usedBytes),
      },
    ];
  }
  return report.table.partitions
    .filter((p) => p.kind !== 'extended')
    .map((p) => {
      const usedBytes = p.filesystem?.usedBytes ?? null;
      return {
        key: `p${p.number}`,
        number: p.number,
        typeName: p.typeName,
        filesystem: p.filesystem?.type ?? null,
        label: p.filesystem?.label ?? p.name,
        size: p.size,
        usedBytes,
        copy: copyOf(usedBytes),
      };
    });
}
