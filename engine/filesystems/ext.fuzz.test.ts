import { describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { dumpExt, extCase, extFixture, openExtVolume } from '../../test/fixtures/ext.js';
import { mutate, mutatedSource, random } from '../../test/fixtures/mutate.js';
import type { BlockSource } from '../io/source.js';
import type { ByteRange } from '../ranges.js';
import { extDriver } from './ext.js';

const ITERATIONS = Number(process.env.FERRY_FUZZ_ITERATIONS ?? 300);

async function probeAndMap(volume: BlockSource): Promise<ByteRange[] | null> {
  const filesystem = await extDriver.probe(volume);
  return filesystem && extDriver.usedRanges!(volume, filesystem);
}

function expectWellFormed(ranges: readonly ByteRange[], size: number): void {
  let end = -1;
  for (const { start, length } of ranges) {
    expect(Number.isSafeInteger(start) && Number.isSafeInteger(length)).toBe(true);
    expect(length).toBeGreaterThan(0);
    expect(start).toBeGreaterThan(end);
    end = start + length;
  }
  expect(end).toBeLessThanOrEqual(size);
}

describe.each([
  ['ext4-1k', 1],
  ['ext4-4k', 2],
  ['ext2', 3],
  ['ext4-meta-bg', 4],
  ['ext4-bigalloc', 5],
])('ext driver survives mutations of %s', (name, seedBase) => {
  it(`${ITERATIONS} mutated copies: ranges or a FerryError, never a crash or a hang`, async () => {
    const fixture = await extFixture(extCase(name));
    const { blockSize } = await dumpExt(fixture);
    const base = await openExtVolume(fixture);
    // The superblock, the descriptor table after it, and the bitmaps flex_bg packs nearby.
    const hot: [number, number][] = [
      [1024, 1024],
      [1024, 1024],
      [2 * blockSize, 8 * blockSize],
      [0, Math.min(base.size, 512 * blockSize)],
    ];
    const outcomes = { maps: 0, errors: 0 };
    try {
      for (let i = 0; i < ITERATIONS; i++) {
        const seed = seedBase * 100_000 + i;
        const mutation = mutate(random(seed), base.size, hot);
        const volume = mutatedSource(base, mutation);
        try {
          const ranges = await probeAndMap(volume);
          if (ranges) expectWellFormed(ranges, volume.size);
          outcomes.maps++;
        } catch (error) {
          if (!(error instanceof FerryError)) {
            throw new Error(
              `seed ${seed}: ${error instanceof Error ? error.stack : String(error)}`,
            );
          }
          expect(error.toLine()).not.toContain('\n');
          outcomes.errors++;
        }
      }
    } finally {
      await base.close();
    }
    expect(outcomes.maps + outcomes.errors).toBe(ITERATIONS);
  });
});
