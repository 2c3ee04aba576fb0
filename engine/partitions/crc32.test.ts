import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';

describe('crc32', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with zlib on random data of many lengths', () => {
    for (const length of [1, 7, 92, 512, 16384, 100_003]) {
      const data = randomBytes(length);
      expect(crc32(data)).toBe(zlibCrc32(data));
    }
  });

  it('continues a checksum over data that arrives in pieces', () => {
    const data = randomBytes(5000);
    expect(crc32(data.subarray(1234), crc32(data.subarray(0, 1234)))).toBe(crc32(data));
  });
});
