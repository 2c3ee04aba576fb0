/**
 * Sizes the wizard sends for partitions and the disk: whole MiB, which every sector size and
 * every partition table accepts, within the bounds the engine's plan gives.
 */
export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

export type SizeUnit = 'MiB' | 'GiB';
export const SIZE_UNITS: readonly SizeUnit[] = ['MiB', 'GiB'];
const UNIT_BYTES: Record<SizeUnit, number> = { MiB, GiB };

/** The whole-MiB sizes from `min` to `max`, both whole MiB; `max` is Infinity when unbounded. */
export interface SizeBounds {
  min: number;
  max: number;
}

export function wholeMiB(bytes: number): number {
  return Math.round(bytes / MiB) * MiB;
}

/** The whole-MiB sizes between two byte bounds; null when there is none to choose from. */
export function wholeMiBBounds(minimum: number, maximum: number): SizeBounds | null {
  const min = Math.max(MiB, Math.ceil(minimum / MiB) * MiB);
  const max = Math.floor(maximum / MiB) * MiB;
  return max > min ? { min, max } : null;
}

/** The whole-MiB size nearest to `bytes` that the bounds allow. */
export function clampSize(bytes: number, bounds: SizeBounds): number {
  return Math.min(bounds.max, Math.max(bounds.min, wholeMiB(bytes)));
}

export function preferredUnit(bytes: number): SizeUnit {
  return bytes >= GiB ? 'GiB' : 'MiB';
}

/** What a size field shows: 40 (MiB), 1.25 (GiB); two decimals at most. */
export function inUnit(bytes: number, unit: SizeUnit): number {
  return Math.round((bytes / UNIT_BYTES[unit]) * 100) / 100;
}

/** What a person typed in a size field, in bytes; null when it is no positive number. */
export function parseInUnit(text: string, unit: SizeUnit): number | null {
  const normalised = text.trim().replace(',', '.');
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(normalised)) return null;
  const value = Number(normalised);
  return value > 0 ? Math.round(value * UNIT_BYTES[unit]) : null;
}
