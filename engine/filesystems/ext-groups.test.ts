import { describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import { EXT_CASES, extFixture, openExtVolume, type ExtFixture } from '../../test/fixtures/ext.js';
import { groupBaseMetadata, hasSuperblockBackup } from './ext-groups.js';
import { extGeometry, readExtSuperblock, type ExtGeometry } from './ext-superblock.js';

async function geometryOf(fixture: ExtFixture): Promise<ExtGeometry> {
  const volume = await openExtVolume(fixture);
  try {
    return extGeometry((await readExtSuperblock(volume))!, volume.size, volume.path);
  } finally {
    await volume.close();
  }
}

/**
 * Per group, the superblock copy, descriptor blocks and reserved descriptor blocks dumpe2fs
 * lists, as [first, last] block, or null for a group that holds none.
 */
async function dumpedBaseMetadata(fixture: ExtFixture): Promise<([number, number] | null)[]> {
  const name = fixture.offset > 0 ? `${fixture.image}?offset=${fixture.offset}` : fixture.image;
  const text = await sh('dumpe2fs', [name]);
  const groups = text.split(/^Group \d+:/m).slice(1);
  return groups.map((group) => {
    const blocks: number[] = [];
    const pattern =
      /(?:superblock at|Group descriptors? at|Reserved GDT blocks at) (\d+)(?:-(\d+))?/g;
    for (const match of group.matchAll(pattern)) {
      blocks.push(Number(match[1]), Number(match[2] ?? match[1]));
    }
    return blocks.length > 0 ? [Math.min(...blocks), Math.max(...blocks)] : null;
  });
}

describe.each(EXT_CASES)('ext group layout of $name', (spec) => {
  it('puts superblock and descriptor backups where dumpe2fs lists them', async () => {
    const fixture = await extFixture(spec);
    const geometry = await geometryOf(fixture);
    const dumped = await dumpedBaseMetadata(fixture);
    expect(dumped).toHaveLength(geometry.groupCount);
    const ours = dumped.map((_, group) => {
      const { start, count } = groupBaseMetadata(geometry, group);
      return count > 0 ? [start, start + count - 1] : null;
    });
    expect(ours).toEqual(dumped);
  });
});

describe('superblock backups', () => {
  const geometry = (backups: ExtGeometry['backups']): ExtGeometry => ({ backups }) as ExtGeometry;

  it('with sparse_super: groups 0, 1 and the powers of 3, 5 and 7', () => {
    const groups = Array.from({ length: 1000 }, (_, g) => g).filter((g) =>
      hasSuperblockBackup(geometry('sparse'), g),
    );
    expect(groups).toEqual([0, 1, 3, 5, 7, 9, 25, 27, 49, 81, 125, 243, 343, 625, 729]);
  });

  it('without it, every group; with sparse_super2, group 0 and the two it names', () => {
    expect(hasSuperblockBackup(geometry('all'), 42)).toBe(true);
    const two = geometry({ groups: [1, 37] });
    const groups = Array.from({ length: 100 }, (_, g) => g).filter((g) =>
      hasSuperblockBackup(two, g),
    );
    expect(groups).toEqual([0, 1, 37]);
  });
});
