import { describe, expect, it } from 'vitest';
import { formatSize, parseSize } from './units.js';

describe('parseSize', () => {
  it.each([
    ['512', 512],
    ['64K', 65536],
    ['20G', 20 * 2 ** 30],
    ['19GiB', 19 * 2 ** 30],
    ['1.5T', 1.5 * 2 ** 40],
    ['4096b', 4096],
  ])('%s is %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', 'G', '-1G', '12Q', '1e3', '9999999999P'])('refuses %j', (text) =>
    expect(parseSize(text)).toBeUndefined(),
  );
});

describe('formatSize', () => {
  it('uses binary units', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1536)).toBe('1.50 KiB');
    expect(formatSize(4 * 2 ** 30)).toBe('4 GiB');
    expect(formatSize(40.5 * 2 ** 30)).toBe('40.5 GiB');
  });
});
