import { describe, expect, it } from 'vitest';
import { GPT_REPORT, MBR_REPORT } from '../test-support/fixtures.js';
import { volumeRows } from './volumes.js';

describe('volume rows', () => {
  it('lists the logical partitions, not their extended container, and copies unmapped ones whole', () => {
    expect(
      volumeRows(MBR_REPORT, false).map((row) => [row.number, row.filesystem, row.copy]),
    ).toEqual([
      [1, 'ntfs', 'used'],
      [5, 'fat16', 'used'],
      [6, null, 'whole'],
    ]);
  });

  it('copies everything whole with allBlocks', () => {
    expect(volumeRows(GPT_REPORT, true).every((row) => row.copy === 'whole')).toBe(true);
  });

  it('shows a filesystem on the whole disk as one volume', () => {
    const superfloppy = {
      ...GPT_REPORT,
      table: { type: 'none' as const, id: null, hybrid: false, partitions: [] },
      filesystem: GPT_REPORT.table.partitions[1]!.filesystem,
    };
    expect(volumeRows(superfloppy, false)).toEqual([
      {
        key: 'disk',
        number: null,
        typeName: null,
        filesystem: 'ext4',
        label: 'root',
        size: GPT_REPORT.size,
        usedBytes: 10636288,
        copy: 'used',
      },
    ]);
  });
});
