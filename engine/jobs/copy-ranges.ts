import type { DiskLayout } from '../inspect.js';
import { normalizeRanges, type ByteRange } from '../ranges.js';

/**
 * Which bytes of the source a conversion reads. With `allBlocks`, the whole disk. Otherwise
 * every partition whose filesystem Ferry can map contributes only its used ranges, and
 * everything else — tables, boot code in the gaps, partitions Ferry cannot map — is read whole.
 * Either way all-zero runs are dropped later, when the bytes are seen.
 */
export function copyRanges(layout: DiskLayout, allBlocks: boolean): ByteRange[] {
  const { size } = layout.report;
  const whole = [{ start: 0, length: size }];
  if (allBlocks) return whole;
  if (layout.report.table.type === 'none') return layout.wholeDiskUsed ?? whole;

  const mapped = layout.report.table.partitions
    .filter((p) => layout.used.has(p.number))
    .sort((a, b) => a.start - b.start);
  const ranges: ByteRange[] = [];
  let cursor = 0;
  for (const partition of mapped) {
    if (partition.start > cursor) ranges.push({ start: cursor, length: partition.start - cursor });
    ranges.push(...layout.used.get(partition.number)!);
    cursor = Math.max(cursor, partition.start + partition.size);
  }
  if (cursor < size) ranges.push({ start: cursor, length: size - cursor });
  return normalizeRanges(ranges);
}
