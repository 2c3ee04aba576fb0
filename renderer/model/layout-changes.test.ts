import { describe, expect, it } from 'vitest';
import { MBR_IMAGE, SPEC, planFor } from '../test-support/fixtures.js';
import { layoutChanges } from './layout-changes.js';

const MiB = 2 ** 20;

describe('layout changes', () => {
  it('lists nothing when the layout is the source’s', () => {
    expect(layoutChanges(planFor(SPEC))).toEqual([]);
  });

  it('lists each partition’s change in source order, then the disk, then the scratch space', () => {
    const plan = planFor({
      ...SPEC,
      source: MBR_IMAGE,
      partitions: [1, 6],
      resize: { 1: 10 * MiB, 6: 20 * MiB },
      diskSize: 64 * MiB,
    });
    expect(layoutChanges(plan)).toEqual([
      {
        kind: 'resize',
        number: 1,
        from: 20 * MiB,
        to: 10 * MiB,
        resizer: 'ntfsresize',
        renumbered: null,
      },
      { kind: 'remove', number: 5 },
      { kind: 'grow', number: 6, from: 13 * MiB, to: 20 * MiB, renumbered: 5 },
      { kind: 'diskSize', from: 48 * MiB, to: 64 * MiB },
      { kind: 'temporary', bytes: 2609664 },
    ]);
  });

  it('tells a move and a new number apart from a partition copied as it is', () => {
    const moved = planFor({ ...SPEC, source: MBR_IMAGE, resize: { 1: 10 * MiB } });
    expect(layoutChanges(moved).slice(1, 3)).toEqual([
      { kind: 'move', number: 5, from: 22 * MiB, to: 12 * MiB, renumbered: null },
      { kind: 'move', number: 6, from: 35 * MiB, to: 25 * MiB, renumbered: null },
    ]);
    const renumbered = planFor({ ...SPEC, source: MBR_IMAGE, partitions: [1, 6] });
    expect(layoutChanges(renumbered)).toEqual([
      { kind: 'remove', number: 5 },
      { kind: 'renumber', number: 6, to: 5 },
    ]);
  });
});
