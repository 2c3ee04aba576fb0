import { copyFile, mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import {
  dumpExt,
  extCase,
  extFixture,
  externalJournal,
  openExtVolume,
} from '../../test/fixtures/ext.js';
import { mutatedSource } from '../../test/fixtures/mutate.js';
import { expectBadFilesystem, mappedRanges, probeImage } from '../../test/fixtures/signatures.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { blkidProbe } from '../../test/fixtures/truth.js';
import type { BlockSource } from '../io/source.js';
import { extDriver } from './ext.js';

const SB = 1024;

/** A volume reading `base` with superblock or descriptor fields overwritten, little-endian. */
function withFields(
  base: BlockSource,
  fields: [at: number, width: number, value: number][],
  size = base.size,
): BlockSource {
  const patches = new Map<number, number>();
  for (const [at, width, value] of fields) {
    for (let b = 0; b < width; b++) patches.set(at + b, Math.floor(value / 256 ** b) % 256);
  }
  return mutatedSource(base, { patches, size });
}

describe('ext probe', () => {
  it('finds nothing on zeros or on a volume too small to hold a superblock', async () => {
    expect(await extDriver.probe(bufferSource(Buffer.alloc(64 * 1024)))).toBeNull();
    expect(await extDriver.probe(bufferSource(Buffer.alloc(2047)))).toBeNull();
  });

  it('does not take an external journal (blkid: TYPE=jbd) for a filesystem', async () => {
    const image = await externalJournal();
    expect((await blkidProbe(image)).TYPE).toBe('jbd');
    expect(await probeImage(extDriver, image)).toBeNull();
  });

  describe('names the type by the rule blkid uses', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(FIXTURE_ROOT, 'ext-features-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    // [field offset in the superblock, bit]: compat 0x5c, incompat 0x60, ro_compat 0x64.
    it.each([
      ['has_journal', 0x5c, 0x4],
      ['resize_inode', 0x5c, 0x10],
      ['meta_bg', 0x60, 0x10],
      ['extents', 0x60, 0x40],
      ['flex_bg', 0x60, 0x200],
      ['large_file', 0x64, 0x2],
      ['huge_file', 0x64, 0x8],
      ['gdt_csum', 0x64, 0x10],
      ['dir_nlink', 0x64, 0x20],
      ['extra_isize', 0x64, 0x40],
      ['metadata_csum', 0x64, 0x400],
    ])('ext2 plus %s', async (name, field, bit) => {
      const fixture = await extFixture(extCase('ext2-odd-identity'));
      const copy = join(dir, `${name}.img`);
      await copyFile(fixture.image, copy);
      const file = await open(copy, 'r+');
      try {
        const word = Buffer.alloc(4);
        await file.read(word, 0, 4, SB + field);
        word.writeUInt32LE((word.readUInt32LE(0) | bit) >>> 0);
        await file.write(word, 0, 4, SB + field);
      } finally {
        await file.close();
      }
      const blkidType = (await blkidProbe(copy)).TYPE;
      expect(blkidType).toBeDefined();
      expect((await probeImage(extDriver, copy))?.type).toBe(blkidType);
    });
  });
});

describe('ext superblock damage', () => {
  let base: BlockSource;
  let blocksCount: number;
  beforeAll(async () => {
    const fixture = await extFixture(extCase('ext4-1k'));
    blocksCount = (await dumpExt(fixture)).blocksCount;
    base = await openExtVolume(fixture);
  });
  afterAll(async () => {
    await base.close();
  });

  it('reads the undamaged fixture', async () => {
    expect(await mappedRanges(extDriver, base)).not.toHaveLength(0);
  });

  it('refuses a block size beyond 64 KiB in probe already', async () => {
    const error = await expectBadFilesystem(extDriver.probe(withFields(base, [[SB + 0x18, 4, 7]])));
    expect(error.where).toMatch(/ext superblock$/);
  });

  it('refuses a zero block count, and a 64-bit one beyond what a number holds', async () => {
    await expectBadFilesystem(extDriver.probe(withFields(base, [[SB + 0x04, 4, 0]])));
    await expectBadFilesystem(extDriver.probe(withFields(base, [[SB + 0x150, 4, 0xffffffff]])));
  });

  it('probes but will not map a filesystem larger than its volume', async () => {
    const cut = withFields(base, [], base.size / 2);
    expect((await extDriver.probe(cut))?.size).toBe(base.size);
    const error = await expectBadFilesystem(mappedRanges(extDriver, cut));
    expect(error.hint).toMatch(/cut short/);
    await expectBadFilesystem(
      mappedRanges(extDriver, withFields(base, [[SB + 0x04, 4, blocksCount * 2]])),
    );
  });

  it.each([
    ['blocks per group 0', [[SB + 0x20, 4, 0]]],
    ['blocks per group 100', [[SB + 0x20, 4, 100]]],
    ['blocks per group beyond one bitmap block', [[SB + 0x20, 4, 8 * 1024 + 8]]],
    ['first data block 0 with 1 KiB blocks', [[SB + 0x14, 4, 0]]],
    ['inodes per group 0', [[SB + 0x28, 4, 0]]],
    ['an inode count that disagrees with the groups', [[SB + 0x00, 4, 12345]]],
    ['inode size 100', [[SB + 0x58, 2, 100]]],
    ['descriptor size 48', [[SB + 0xfe, 2, 48]]],
    ['descriptor size 4096', [[SB + 0xfe, 2, 4096]]],
    ['too many reserved descriptor blocks', [[SB + 0xce, 2, 1000]]],
    [
      'bigalloc clusters that do not fill the group',
      [
        [SB + 0x64, 4, 0x200 | 0x400 | 0x1],
        [SB + 0x1c, 4, 2],
        [SB + 0x14, 4, 0],
      ],
    ],
  ] as [string, [number, number, number][]][])('refuses %s', async (_name, fields) => {
    const error = await expectBadFilesystem(mappedRanges(extDriver, withFields(base, fields)));
    expect(error.where).toMatch(/ext superblock$/);
  });

  it('refuses descriptors that place a bitmap or an inode table outside the filesystem', async () => {
    const descriptor = (group: number): number => 2 * 1024 + group * 64;
    const bitmap = await expectBadFilesystem(
      mappedRanges(extDriver, withFields(base, [[descriptor(5), 4, blocksCount]])),
    );
    expect(bitmap.where).toMatch(/ext group descriptor 5$/);
    const table = await expectBadFilesystem(
      mappedRanges(extDriver, withFields(base, [[descriptor(3) + 8, 4, blocksCount - 1]])),
    );
    expect(table.where).toMatch(/ext group descriptor 3$/);
    await expectBadFilesystem(
      mappedRanges(extDriver, withFields(base, [[descriptor(0) + 0x24, 4, 1]])),
    );
  });
});

describe('ext meta_bg damage', () => {
  it('refuses a first meta block group beyond the descriptor table', async () => {
    const volume = await openExtVolume(await extFixture(extCase('ext4-meta-bg')));
    try {
      await expectBadFilesystem(
        mappedRanges(extDriver, withFields(volume, [[SB + 0x104, 4, 1000]])),
      );
    } finally {
      await volume.close();
    }
  });
});
