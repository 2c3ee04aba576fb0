import { describe, expect, it } from 'vitest';
import { cString, orNull, utf16beString, uuidText } from './identity.js';

describe('identity', () => {
  it('writes 16 bytes as a UUID in stored order, and all zeros as none', () => {
    const bytes = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
    expect(uuidText(bytes)).toBe('01234567-89ab-cdef-fedc-ba9876543210');
    expect(uuidText(Buffer.alloc(16))).toBeNull();
  });

  it('reads a field to its first NUL and drops only the blanks blkid drops', () => {
    expect(cString(Buffer.from('data \t\0junk', 'utf8'))).toBe('data');
    expect(cString(Buffer.from('no terminator  ', 'utf8'))).toBe('no terminator');
    // blkid trims with isspace() in the C locale: a trailing no-break space stays.
    expect(cString(Buffer.from('nbsp\u00a0', 'utf8'))).toBe('nbsp\u00a0');
    expect(utf16beString(Buffer.from('\0D\0o\0c\0 \0\0\0X', 'latin1'))).toBe('Doc');
  });

  it('takes an empty label for none', () => {
    expect(orNull('')).toBeNull();
    expect(orNull('x')).toBe('x');
  });
});
