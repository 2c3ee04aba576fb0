/**
 * Labels and UUIDs as `blkid -p` prints them, so that what a driver reports compares equal to
 * what the filesystem's own tools report.
 */

/** blkid drops trailing C-locale white space (isspace) from a label, and nothing else. */
export function trimBlanks(text: string): string {
  return text.replace(/[ \t\n\v\f\r]+$/, '');
}

/** A fixed-size UTF-8 field up to its first NUL, trailing blanks dropped. */
export function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return trimBlanks(bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8'));
}

/** A UTF-16BE field up to its first NUL unit, trailing blanks dropped. */
export function utf16beString(bytes: Buffer): string {
  const units: number[] = [];
  for (let at = 0; at + 1 < bytes.length; at += 2) {
    const unit = bytes.readUInt16BE(at);
    if (unit === 0) break;
    units.push(unit);
  }
  return trimBlanks(String.fromCharCode(...units));
}

/** An empty label or UUID is none at all. */
export function orNull(text: string): string | null {
  return text === '' ? null : text;
}

/** 16 bytes in stored order as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx; all zeros mean no UUID. */
export function uuidText(bytes: Buffer): string | null {
  if (bytes.every((byte) => byte === 0)) return null;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
