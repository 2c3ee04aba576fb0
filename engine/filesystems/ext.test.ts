import { describe, expect, it } from 'vitest';
import {
  PATTERN_FILES,
  PATTERN_MARKER,
  dumpExt,
  EXT_CASES,
  extCase,
  extFixture,
  fileBlocks,
  openExtVolume,
  type ExtFixtureSpec,
} from '../../test/fixtures/ext.js';
import { insideRanges } from '../../test/fixtures/patterns.js';
import { mappedRanges } from '../../test/fixtures/signatures.js';
import { blkidProbe } from '../../test/fixtures/truth.js';
import type { BlockSource } from '../io/source.js';
import { totalLength, type ByteRange } from '../ranges.js';
import { extDriver } from './ext.js';

const MiB = 2 ** 20;

async function withVolume<T>(spec: ExtFixtureSpec, fn: (volume: BlockSource) => Promise<T>) {
  const volume = await openExtVolume(await extFixture(spec));
  try {
    return await fn(volume);
  } finally {
    await volume.close();
  }
}

function freeRanges(used: readonly ByteRange[], end: number): ByteRange[] {
  const free: ByteRange[] = [];
  let next = 0;
  for (const range of used) {
    if (range.start > next) free.push({ start: next, length: range.start - next });
    next = range.start + range.length;
  }
  if (next < end) free.push({ start: next, length: end - next });
  return free;
}

describe.each(EXT_CASES)('ext driver on $name', (spec) => {
  it('is the filesystem the case claims (a check on the fixture itself)', async () => {
    const dump = await dumpExt(await extFixture(spec));
    for (const feature of spec.expects.features ?? []) expect(dump.features).toContain(feature);
    for (const feature of spec.expects.absent ?? []) expect(dump.features).not.toContain(feature);
    if (spec.expects.blockUninit) expect(dump.blockUninitGroups).toBeGreaterThan(0);
    expect(dump.groupCount).toBeGreaterThanOrEqual(spec.expects.minGroups ?? 1);
  });

  it('probes the type, label and UUID blkid reports, and the size dumpe2fs reports', async () => {
    const fixture = await extFixture(spec);
    const [blkid, dump] = await Promise.all([
      blkidProbe(fixture.image, fixture.offset, fixture.size),
      dumpExt(fixture),
    ]);
    const probed = await withVolume(spec, (volume) => extDriver.probe(volume));
    expect(probed).toEqual({
      type: blkid.TYPE,
      label: blkid.LABEL ?? null,
      uuid: blkid.UUID ?? null,
      size: dump.blocksCount * dump.blockSize,
    });
  });

  it('maps exactly the blocks libext2fs counts as used', async () => {
    const fixture = await extFixture(spec);
    const dump = await dumpExt(fixture);
    const ranges = await withVolume(spec, async (volume) => mappedRanges(extDriver, volume));
    expect(totalLength(ranges)).toBe((dump.blocksCount - dump.freeBlocks) * dump.blockSize);
    const asBlocks = ranges.map(({ start, length }) => [
      start / dump.blockSize,
      (start + length) / dump.blockSize - 1,
    ]);
    expect(asBlocks).toEqual(dump.usedBlocks);
  });

  it('covers every data block of the files put in, and no free byte holds their pattern', async () => {
    const fixture = await extFixture(spec);
    const dump = await dumpExt(fixture);
    await withVolume(spec, async (volume) => {
      const ranges = await mappedRanges(extDriver, volume);
      for (const path of PATTERN_FILES) {
        const blocks = await fileBlocks(fixture, path);
        expect(blocks.length).toBeGreaterThan(0);
        const outside = blocks.filter(
          (block) => !insideRanges(ranges, block * dump.blockSize, dump.blockSize),
        );
        expect(outside, path).toEqual([]);
      }
      const marker = Buffer.from(PATTERN_MARKER);
      for (const free of freeRanges(ranges, dump.blocksCount * dump.blockSize)) {
        for (let at = free.start; at < free.start + free.length; at += 4 * MiB) {
          const length = Math.min(4 * MiB, free.start + free.length - at);
          const data = await volume.read(at, length);
          expect(data.indexOf(marker), `free bytes at ${at}`).toBe(-1);
        }
      }
    });
  });
});

describe('ext bitmap reads', () => {
  it('reads the bitmaps of a flex group in one call', async () => {
    const spec = extCase('ext4-1k');
    const dump = await dumpExt(await extFixture(spec));
    const reads: number[] = [];
    await withVolume(spec, async (volume) => {
      const counting: BlockSource = {
        ...volume,
        read: (offset, length) => {
          reads.push(length);
          return volume.read(offset, length);
        },
      };
      await mappedRanges(extDriver, counting);
    });
    // The superblock (for probe and again for the map), the descriptor table, and at most one
    // read per flex group for its bitmaps.
    const flexGroups = Math.ceil(dump.groupCount / dump.flexBgSize!);
    expect(reads.length).toBeLessThanOrEqual(3 + flexGroups);
    expect(dump.groupCount).toBeGreaterThan(3 + flexGroups);
  });
});
