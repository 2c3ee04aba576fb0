import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';

describe('crc32c', () => {
  it('matches the check value and the test vectors of RFC 3720 (iSCSI) B.4', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    expect(crc32c(ascending)).toBe(0x46dd794e);
    expect(crc32c(Buffer.from(ascending).reverse())).toBe(0x113fdb5c);
  });

  it('gives the same result whatever the length modulo 4', () => {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog');
    const bitwise = (bytes: Uint8Array): number => {
      let crc = 0xffffffff;
      for (const byte of bytes) {
        crc ^= byte;
        for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0x82f63b78 ^ (crc >>> 1) : crc >>> 1;
      }
      return ~crc >>> 0;
    };
    for (let length = 0; length <= data.length; length++) {
      expect(crc32c(data.subarray(0, length))).toBe(bitwise(data.subarray(0, length)));
    }
  });
});
