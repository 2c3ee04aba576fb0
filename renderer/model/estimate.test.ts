import { describe, expect, it } from 'vitest';
import { GPT_REPORT, MBR_REPORT } from '../test-support/fixtures.js';
import { aboutMinutes, estimateOutputBytes } from './estimate.js';

const MiB = 2 ** 20;

describe('output estimate', () => {
  it('counts used blocks of mapped filesystems and everything else whole', () => {
    // 64 MiB disk: ESP 16 MiB (268.5 KiB used), root 40 MiB (10.1 MiB used), swap 6 MiB (4 KiB used).
    const unmapped = GPT_REPORT.size - (16 + 40 + 6) * MiB;
    expect(estimateOutputBytes(GPT_REPORT, { allBlocks: false, thick: false })).toBe(
      unmapped + 274944 + 10636288 + 4096,
    );
  });

  it('does not count an extended partition against its logical ones', () => {
    // NTFS and FAT16 are mapped; the unformatted logical partition and the gaps are whole.
    const expected = MBR_REPORT.size - 20 * MiB - 12 * MiB + 2609664 + 43008;
    expect(estimateOutputBytes(MBR_REPORT, { allBlocks: false, thick: false })).toBe(expected);
  });

  it('takes the whole disk when thick or copying every block, capped by what an image stores', () => {
    expect(estimateOutputBytes(GPT_REPORT, { allBlocks: false, thick: true })).toBe(
      GPT_REPORT.size,
    );
    expect(estimateOutputBytes(GPT_REPORT, { allBlocks: true, thick: false })).toBe(
      GPT_REPORT.size,
    );
    const sparse = { ...GPT_REPORT, format: 'qcow2', storedBytes: 5 * MiB };
    expect(estimateOutputBytes(sparse, { allBlocks: true, thick: false })).toBe(5 * MiB);
  });
});

describe('duration', () => {
  it('rounds to whole minutes, one at least', () => {
    expect([1, 89, 90, 3600].map(aboutMinutes)).toEqual([1, 1, 2, 60]);
  });
});
