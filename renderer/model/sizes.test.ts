import { describe, expect, it } from 'vitest';
import {
  GiB,
  MiB,
  clampSize,
  inUnit,
  parseInUnit,
  preferredUnit,
  wholeMiBBounds,
} from './sizes.js';

describe('sizes', () => {
  it('bounds whole MiB inside the engine’s byte bounds, and none when nothing can be chosen', () => {
    expect(wholeMiBBounds(13893632, 42 * MiB - 512)).toEqual({ min: 14 * MiB, max: 41 * MiB });
    expect(wholeMiBBounds(16 * MiB, 16 * MiB + 1031680)).toBeNull();
    expect(wholeMiBBounds(0, 4 * MiB)).toEqual({ min: MiB, max: 4 * MiB });
  });

  it('rounds to the nearest whole MiB within the bounds', () => {
    const bounds = { min: 14 * MiB, max: 40 * MiB };
    expect(clampSize(20.4 * MiB, bounds)).toBe(20 * MiB);
    expect(clampSize(20.5 * MiB, bounds)).toBe(21 * MiB);
    expect(clampSize(MiB, bounds)).toBe(14 * MiB);
    expect(clampSize(GiB, bounds)).toBe(40 * MiB);
    expect(clampSize(GiB, { min: MiB, max: Infinity })).toBe(GiB);
  });

  it('reads and shows sizes in MiB or GiB, with a decimal point or comma', () => {
    expect(parseInUnit('40', 'MiB')).toBe(40 * MiB);
    expect(parseInUnit(' 1.5 ', 'GiB')).toBe(1.5 * GiB);
    expect(parseInUnit('1,25', 'GiB')).toBe(1.25 * GiB);
    expect(parseInUnit('.5', 'GiB')).toBe(0.5 * GiB);
    for (const bad of ['', '0', '-3', '1e3', '12 MiB', 'abc']) {
      expect(parseInUnit(bad, 'MiB')).toBeNull();
    }
    expect(inUnit(1.25 * GiB, 'GiB')).toBe(1.25);
    expect(inUnit(40 * MiB, 'GiB')).toBe(0.04);
    expect(inUnit(13893632, 'MiB')).toBe(13.25);
    expect(preferredUnit(1023 * MiB)).toBe('MiB');
    expect(preferredUnit(GiB)).toBe('GiB');
  });
});
