import { describe, expect, it } from 'vitest';
import { GPT_REPORT, MBR_REPORT, SPEC, planFor } from '../test-support/fixtures.js';
import {
  UNCHANGED_LAYOUT,
  choosablePartitions,
  layoutSpec,
  withDiskSize,
  withIncluded,
  withSize,
} from './layout-choice.js';

const MiB = 2 ** 20;
const GPT_PLAN = planFor(SPEC);

describe('layout choices', () => {
  it('offers every partition but the extended container', () => {
    expect(choosablePartitions(MBR_REPORT)).toEqual([1, 5, 6]);
    expect(
      choosablePartitions({
        ...GPT_REPORT,
        table: { ...GPT_REPORT.table, type: 'none', partitions: [] },
      }),
    ).toEqual([]);
  });

  it('puts in the spec only what differs from the source', () => {
    expect(layoutSpec(UNCHANGED_LAYOUT, GPT_REPORT)).toEqual({});
    let choice = withIncluded(UNCHANGED_LAYOUT, MBR_REPORT, 5, false);
    choice = { ...choice, resize: { 1: 30 * MiB } };
    expect(layoutSpec(choice, MBR_REPORT)).toEqual({ partitions: [1, 6], resize: { 1: 30 * MiB } });
    expect(layoutSpec({ ...UNCHANGED_LAYOUT, diskSize: 96 * MiB }, MBR_REPORT)).toEqual({
      diskSize: 96 * MiB,
    });
  });

  it('never leaves out the last partition, and forgets the new size of one left out', () => {
    let choice = withSize(UNCHANGED_LAYOUT, GPT_REPORT, GPT_PLAN, 2, 20 * MiB);
    choice = withIncluded(choice, GPT_REPORT, 1, false);
    choice = withIncluded(choice, GPT_REPORT, 3, false);
    expect(withIncluded(choice, GPT_REPORT, 2, false)).toBe(choice);
    expect(withIncluded(choice, GPT_REPORT, 2, false).resize).toEqual({ 2: 20 * MiB });
    choice = withIncluded(choice, GPT_REPORT, 3, true);
    choice = withIncluded(choice, GPT_REPORT, 2, false);
    expect(choice).toEqual({ excluded: [1, 2], resize: {}, diskSize: null });
  });

  it('changes no size without a plan to bound it, nor that of a partition left out', () => {
    expect(withSize(UNCHANGED_LAYOUT, GPT_REPORT, null, 2, 20 * MiB)).toBe(UNCHANGED_LAYOUT);
    const without2 = withIncluded(UNCHANGED_LAYOUT, GPT_REPORT, 2, false);
    expect(withSize(without2, GPT_REPORT, GPT_PLAN, 2, 20 * MiB)).toBe(without2);
  });

  it('keeps the disk at least as large as the layout needs; the source’s size is the default', () => {
    expect(withDiskSize(UNCHANGED_LAYOUT, GPT_REPORT, GPT_PLAN, 20 * MiB).diskSize).toBeNull();
    expect(withDiskSize(UNCHANGED_LAYOUT, GPT_REPORT, GPT_PLAN, 200 * MiB).diskSize).toBe(
      200 * MiB,
    );
    expect(withDiskSize(UNCHANGED_LAYOUT, GPT_REPORT, null, 200 * MiB)).toBe(UNCHANGED_LAYOUT);
  });
});
