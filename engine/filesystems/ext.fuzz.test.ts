import { describe, expect, it } from 'vitest';
import { dumpExt, extCase, extFixture, openExtVolume } from '../../test/fixtures/ext.js';
import { fuzzDriver } from '../../test/fixtures/signatures.js';
import { extDriver } from './ext.js';

const ITERATIONS = Number(process.env.FERRY_FUZZ_ITERATIONS ?? 300);

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
    try {
      const plan = { hot, iterations: ITERATIONS, firstSeed: seedBase * 100_000 };
      const { answered, refused } = await fuzzDriver(extDriver, base, plan);
      expect(answered + refused).toBe(ITERATIONS);
    } finally {
      await base.close();
    }
  });
});
