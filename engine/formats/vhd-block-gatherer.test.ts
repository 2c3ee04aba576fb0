import { describe, expect, it } from 'vitest';
import { random } from '../../test/fixtures/mutate.js';
import { BlockGatherer, allZeros } from './vhd-block-gatherer.js';

const BLOCK = 64 * 1024;

/** Gathers `extents` of a disk of `size` bytes and returns the disk the blocks make up. */
async function gather(size: number, extents: { offset: number; data: Buffer }[]): Promise<Buffer> {
  const disk = Buffer.alloc(Math.ceil(size / BLOCK) * BLOCK, 0xee);
  const seen: number[] = [];
  const gatherer = new BlockGatherer(BLOCK, size, async (index, parts) => {
    expect(parts.reduce((sum, part) => sum + part.length, 0)).toBe(BLOCK);
    seen.push(index);
    Buffer.concat(parts).copy(disk, index * BLOCK);
  });
  for (const extent of extents) await gatherer.add(extent);
  await gatherer.flush();
  expect(seen).toEqual([...new Set(seen)].sort((a, b) => a - b));
  // Blocks no extent touched were never passed on; they read as zeros.
  for (let index = 0; index * BLOCK < disk.length; index++) {
    if (!seen.includes(index)) disk.fill(0, index * BLOCK, (index + 1) * BLOCK);
  }
  return disk.subarray(0, size);
}

describe('BlockGatherer', () => {
  it('rebuilds the disk from extents of any size and alignment, gaps as zeros', async () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rand = random(seed);
      const size = 10 * BLOCK + Math.floor(rand() * BLOCK);
      const expected = Buffer.alloc(size);
      const extents: { offset: number; data: Buffer }[] = [];
      let offset = Math.floor(rand() * 1000);
      while (offset < size) {
        const length = Math.min(size - offset, 1 + Math.floor(rand() * 3 * BLOCK));
        const data = Buffer.alloc(length, 1 + Math.floor(rand() * 255));
        data.copy(expected, offset);
        extents.push({ offset, data });
        offset += length + Math.floor(rand() * 2 * BLOCK);
      }
      expect((await gather(size, extents)).equals(expected)).toBe(true);
    }
  });

  it('passes views of the extents on, without copying them', async () => {
    const data = Buffer.alloc(3 * BLOCK, 7);
    const parts: Buffer[] = [];
    const gatherer = new BlockGatherer(BLOCK, 4 * BLOCK, async (_index, blockParts) => {
      parts.push(...blockParts);
    });
    await gatherer.add({ offset: BLOCK / 2, data });
    await gatherer.flush();
    expect(parts.filter((part) => part.buffer === data.buffer)).toHaveLength(4);
  });

  it('refuses extents out of order or past the disk', async () => {
    const gatherer = new BlockGatherer(BLOCK, 2 * BLOCK, async () => {});
    await gatherer.add({ offset: BLOCK, data: Buffer.alloc(10, 1) });
    await expect(gatherer.add({ offset: 0, data: Buffer.alloc(1, 1) })).rejects.toThrow(RangeError);
    await expect(gatherer.add({ offset: 2 * BLOCK - 1, data: Buffer.alloc(2, 1) })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('allZeros', () => {
  it('looks at every byte of every part, however large', () => {
    const big = Buffer.alloc(5 * 2 ** 20);
    expect(allZeros([big, Buffer.alloc(3)])).toBe(true);
    big[big.length - 1] = 1;
    expect(allZeros([Buffer.alloc(3), big])).toBe(false);
  });
});
