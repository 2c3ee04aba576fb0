/** Sizes: parsing what people type and printing what people read, always in binary units. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
const MULTIPLIERS: Record<string, number> = {
  '': 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
};

/**
 * Parses `512`, `64K`, `20G`, `19GiB`, `1.5T` into bytes. Every unit is binary, as in the
 * command line of DESIGN.md. Returns undefined for anything else, so callers can word the error.
 */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) return undefined;
  const multiplier = MULTIPLIERS[(match[2] ?? '').toLowerCase()];
  if (multiplier === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * multiplier);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** 1536 -> "1.5 KiB"; exact values keep no decimals ("4 GiB"). */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
  return `${text} ${UNITS[unit]}`;
}
