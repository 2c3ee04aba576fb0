import { describe, expect, it } from 'vitest';
import { random } from '../../test/fixtures/mutate.js';
import { GrainCutter, isZeros, joined, type Grain } from './grains.js';
import type { Extent } from './types.js';

const GRAIN = 64 * 1024;

function cutAll(cutter: GrainCutter, extents: Extent[]): Grain[] {
  const grains: Grain[] = [];
  for (const extent of extents) grains.push(...cutter.add(extent));
  grains.push(...cutter.finish());
  return grains;
}

/** Random extents (any size, any alignment, gaps between) of a disk of `size` bytes. */
function randomExtents(seed: number, size: number): { extents: Extent[]; disk: Buffer } {
  const rand = random(seed);
  const disk = Buffer.alloc(size);
  const extents: Extent[] = [];
  let offset = Math.floor(rand() * 1000);
  while (offset < size) {
    const length = Math.min(size - offset, 1 + Math.floor(rand() * 3 * GRAIN));
    const data = Buffer.alloc(length, 1 + Math.floor(rand() * 255));
    data.copy(disk, offset);
    extents.push({ offset, data });
    offset += length + Math.floor(rand() * 2 * GRAIN);
  }
  return { extents, disk };
}

describe('GrainCutter', () => {
  it('rebuilds the disk from extents of any size and alignment, gaps as zeros', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const size = 10 * GRAIN + Math.floor(random(seed)() * GRAIN);
      const { extents, disk } = randomExtents(seed, size);
      const rebuilt = Buffer.alloc(Math.ceil(size / GRAIN) * GRAIN);
      const grains = cutAll(new GrainCutter(GRAIN, size), extents);
      expect(grains.map((g) => g.index)).toEqual(
        [...new Set(grains.map((g) => g.index))].sort((a, b) => a - b),
      );
      for (const grain of grains) {
        expect(grain.parts.reduce((sum, part) => sum + part.length, 0)).toBe(GRAIN);
        joined(grain).copy(rebuilt, grain.index * GRAIN);
      }
      // Grains no extent touched are never handed out; they read as zeros.
      expect(rebuilt.subarray(0, size).equals(disk)).toBe(true);
    }
  });

  it('passes views of the extents on, without copying them', () => {
    const data = Buffer.alloc(3 * GRAIN, 7);
    const grains = cutAll(new GrainCutter(GRAIN, 4 * GRAIN), [{ offset: GRAIN / 2, data }]);
    const parts = grains.flatMap((grain) => grain.parts);
    expect(parts.filter((part) => part.buffer === data.buffer)).toHaveLength(4);
    expect(joined(grains[1]!).buffer).toBe(data.buffer);
  });

  it('releases each extent once, never while a grain holds a view of it', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const size = 12 * GRAIN;
      const { extents } = randomExtents(seed, size);
      const released = extents.map(() => 0);
      /** Grains handed out and not yet released. */
      const live = new Set<Grain>();
      const views = (grain: Grain, extent: Extent): boolean =>
        grain.parts.some((part) => part.buffer === extent.data.buffer);
      const tracked = extents.map((extent, i) => ({
        ...extent,
        release: () => {
          released[i]!++;
          for (const grain of live) expect(views(grain, extent)).toBe(false);
        },
      }));
      const handOut = (grain: Grain): void => {
        // A grain being gathered holds its extents too: none of them may be back already.
        extents.forEach((extent, i) => {
          if (views(grain, extent)) expect(released[i]).toBe(0);
        });
        live.add(grain);
      };
      const release = (grain: Grain): void => {
        live.delete(grain);
        grain.release();
        grain.release(); // a second release changes nothing
      };
      const rand = random(1000 + seed);
      const cutter = new GrainCutter(GRAIN, size);
      for (const extent of tracked) {
        for (const grain of cutter.add(extent)) {
          handOut(grain);
          // Some grains are released at once, out of order, before their extent is fully cut.
          const early = [...live].filter(() => rand() < 0.3);
          early.forEach(release);
        }
      }
      for (const grain of cutter.finish()) handOut(grain);
      [...live].forEach(release);
      expect(released).toEqual(extents.map(() => 1));
    }
  });

  it('releases an extent that completes no grain only when the grain it feeds is released', () => {
    let released = 0;
    const cutter = new GrainCutter(GRAIN, 2 * GRAIN);
    const first = [
      ...cutter.add({ offset: 0, data: Buffer.alloc(100, 1), release: () => released++ }),
    ];
    expect(first).toEqual([]);
    expect(released).toBe(0);
    const [grain] = [...cutter.finish()];
    expect(released).toBe(0);
    grain!.release();
    expect(released).toBe(1);
  });

  it('refuses extents out of order or past the disk', () => {
    const cutter = new GrainCutter(GRAIN, 2 * GRAIN);
    expect([...cutter.add({ offset: GRAIN, data: Buffer.alloc(10, 1) })]).toEqual([]);
    expect(() => [...cutter.add({ offset: 0, data: Buffer.alloc(1, 1) })]).toThrow(RangeError);
    expect(() => [...cutter.add({ offset: 2 * GRAIN - 1, data: Buffer.alloc(2, 1) })]).toThrow(
      RangeError,
    );
  });
});

describe('isZeros', () => {
  it('looks at every byte of every part, however large', () => {
    const big = Buffer.alloc(5 * 2 ** 20);
    expect(isZeros([big, Buffer.alloc(3)])).toBe(true);
    big[big.length - 1] = 1;
    expect(isZeros([Buffer.alloc(3), big])).toBe(false);
  });
});
