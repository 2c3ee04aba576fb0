import { describe, expect, it } from 'vitest';
import { DIRECT_ALIGNMENT, alignedBuffers, isAligned } from './aligned-memory.js';

describe('alignedBuffers', () => {
  it('cuts zeroed buffers that isAligned accepts, and nothing else', () => {
    const buffers = alignedBuffers(3, 2 * DIRECT_ALIGNMENT)!;
    expect(buffers.map((buffer) => buffer.length)).toEqual([8192, 8192, 8192]);
    expect(buffers.every((buffer) => isAligned(buffer) && buffer.every((byte) => byte === 0))).toBe(
      true,
    );
    buffers[0]!.fill(1);
    expect(buffers[1]!.every((byte) => byte === 0)).toBe(true);
    expect(isAligned(buffers[0]!.subarray(DIRECT_ALIGNMENT))).toBe(true);
    expect(isAligned(buffers[0]!.subarray(512))).toBe(false);
    expect(isAligned(buffers[0]!.subarray(0, 1000))).toBe(false);
    expect(isAligned(Buffer.alloc(DIRECT_ALIGNMENT))).toBe(false);
  });

  it('refuses a size that is not a multiple of the alignment', () => {
    expect(() => alignedBuffers(1, 1000)).toThrow(RangeError);
  });
});
