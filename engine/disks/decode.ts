/**
 * Tool output as text. wmic writes UTF-16LE when redirected, files saved on Windows start with
 * a UTF-8 BOM, and everything else is UTF-8; the bytes say which.
 */
export function decodeOutput(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe) {
    return buffer.subarray(2).toString('utf16le');
  }
  if (buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) {
    return buffer.subarray(3).toString('utf8');
  }
  if (looksLikeUtf16le(buffer)) return buffer.toString('utf16le');
  return buffer.toString('utf8');
}

/** UTF-16LE without a BOM: ASCII text with a zero byte after every character. */
function looksLikeUtf16le(buffer: Buffer): boolean {
  const sample = Math.min(buffer.length, 512) & ~1;
  if (sample < 4) return false;
  let zeros = 0;
  for (let i = 1; i < sample; i += 2) if (buffer[i] === 0) zeros++;
  return zeros * 2 >= sample * 0.9 && buffer[0] !== 0;
}
