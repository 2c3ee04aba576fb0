/** Byte ranges: what a filesystem uses, what a plan copies. Kept sorted and merged. */
export interface ByteRange {
  start: number;
  length: number;
}

/** Sorts and merges touching or overlapping ranges; drops empty ones. */
export function normalizeRanges(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = ranges.filter((r) => r.length > 0).sort((a, b) => a.start - b.start);
  const merged: ByteRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.start + last.length) {
      last.length = Math.max(last.length, range.start + range.length - last.start);
    } else {
      merged.push({ start: range.start, length: range.length });
    }
  }
  return merged;
}

/** The same ranges moved by `delta` bytes: a volume's ranges seen from its disk. */
export function shiftRanges(ranges: readonly ByteRange[], delta: number): ByteRange[] {
  return ranges.map((r) => ({ start: r.start + delta, length: r.length }));
}

export function totalLength(ranges: readonly ByteRange[]): number {
  return ranges.reduce((sum, r) => sum + r.length, 0);
}

/**
 * Builds merged ranges from runs reported in increasing order (as a bitmap scan produces them)
 * without holding one object per run.
 */
export class RangeBuilder {
  private readonly ranges: ByteRange[] = [];

  add(start: number, length: number): void {
    if (length <= 0) return;
    const last = this.ranges[this.ranges.length - 1];
    if (last && start < last.start) {
      throw new RangeError(`ranges must be added in increasing order (${start} < ${last.start})`);
    }
    if (last && start <= last.start + last.length) {
      last.length = Math.max(last.length, start + length - last.start);
    } else {
      this.ranges.push({ start, length });
    }
  }

  build(): ByteRange[] {
    return this.ranges;
  }
}
