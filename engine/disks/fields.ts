/**
 * Readers for the loosely typed values that tools print (lsblk JSON, plists, PowerShell JSON,
 * wmic text). Each tool version spells a value its own way (`true`, `"1"`, `1`), so every reader
 * accepts the spellings seen in the wild and answers null for anything else: a field of an
 * unexpected type is unknown, never a crash.
 */

export type Fields = Record<string, unknown>;

export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A trimmed, non-empty string; numbers are printed, everything else is null. */
export function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** A non-negative safe integer, from a number or a string of digits. */
export function count(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== 'string' || !/^\s*\d+\s*$/.test(value)) return null;
  const parsed = Number(value);
  return Number.isSafeInteger(parsed) ? parsed : null;
}

const TRUE_WORDS = new Set(['1', 'true', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'no']);

export function flag(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return null;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return null;
}

/**
 * The items of a list. PowerShell's ConvertTo-Json writes a one-element list as the element
 * itself and an empty one as nothing, so a lone object counts as a list of one.
 */
export function items(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === null || value === undefined) return [];
  return [value];
}

/** The strings of a list, trimmed, empty ones and non-strings left out. */
export function texts(value: unknown): string[] {
  const result: string[] = [];
  for (const item of items(value)) {
    const entry = text(item);
    if (entry !== null) result.push(entry);
  }
  return result;
}

/** A table lookup that a key such as "constructor" or "__proto__" cannot fool. */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
