import { describe, expect, it } from 'vitest';
import { random } from '../../test/fixtures/mutate.js';
import type { Extent } from '../formats/types.js';
import type { BlockSource } from '../io/source.js';
import type { ByteRange } from '../ranges.js';
import { READ_CHUNK, ZERO_GRANULE, readExtents } from './read-extents.js';

/** A disk in memory; with `fills`, it fills callers' buffers as file sources can. */
function memorySource(disk: Buffer, fills: boolean): BlockSource {
  const source: BlockSource = {
    path: 'memory',
    format: 'raw',
    size: disk.length,
    sectorSize: 512,
    read: async (offset, length) => Buffer.from(disk.subarray(offset, offset + length)),
    close: async () => {},
  };
  if (!fills) return source;
  return Object.assign(source, {
    async readInto(offset: number, target: Buffer): Promise<void> {
      disk.copy(target, 0, offset, offset + target.length);
    },
  });
}

/** 12.5 MiB of non-zero bytes with a zero granule in the middle of every MiB, and a zero MiB. */
function patchyDisk(): Buffer {
  const rand = random(7);
  const disk = Buffer.alloc(12 * READ_CHUNK + READ_CHUNK / 2);
  for (let i = 0; i < disk.length; i++) disk[i] = 1 + Math.floor(rand() * 255);
  for (let chunk = 0; chunk * READ_CHUNK < disk.length; chunk++) {
    const middle = chunk * READ_CHUNK + 8 * ZERO_GRANULE;
    if (middle < disk.length) disk.fill(0, middle, middle + ZERO_GRANULE);
  }
  disk.fill(0, 5 * READ_CHUNK, 6 * READ_CHUNK);
  return disk;
}

/** What the extent stream must be: the non-zero granule runs of `ranges`, cut at chunk ends. */
function expectedRuns(disk: Buffer, ranges: ByteRange[]): [number, number][] {
  const runs: [number, number][] = [];
  const zero = Buffer.alloc(ZERO_GRANULE);
  for (const { start, length } of ranges) {
    let at = start;
    while (at < start + length) {
      const end = Math.min(start + length, (Math.floor(at / ZERO_GRANULE) + 1) * ZERO_GRANULE);
      const granule = disk.subarray(at, end);
      const chunkStart = at % READ_CHUNK === 0 || at === start;
      const last = runs[runs.length - 1];
      if (!granule.equals(zero.subarray(0, granule.length))) {
        if (last && last[0] + last[1] === at && !chunkStart) last[1] += end - at;
        else runs.push([at, end - at]);
      }
      at = end;
    }
  }
  return runs;
}

describe('readExtents', () => {
  const disk = patchyDisk();
  const ranges: ByteRange[] = [
    { start: 1000, length: 3 * READ_CHUNK },
    { start: 4 * READ_CHUNK + 4096, length: 8 * READ_CHUNK - 4096 + READ_CHUNK / 2 },
  ];

  for (const fills of [false, true]) {
    it(`yields the non-zero granules of the ranges, in order (${fills ? 'pooled' : 'fresh'} buffers)`, async () => {
      const runs: [number, number][] = [];
      for await (const extent of readExtents(memorySource(disk, fills), ranges)) {
        expect(
          extent.data.equals(disk.subarray(extent.offset, extent.offset + extent.data.length)),
        ).toBe(true);
        runs.push([extent.offset, extent.data.length]);
        extent.release?.();
      }
      expect(runs).toEqual(expectedRuns(disk, ranges));
    });
  }

  it('lends pooled buffers that come back for reuse once every extent cut from them is released', async () => {
    const full = Buffer.alloc(64 * READ_CHUNK, 7);
    const buffers = new Set<ArrayBufferLike>();
    let extents = 0;
    for await (const extent of readExtents(memorySource(full, true), [
      { start: 0, length: full.length },
    ])) {
      expect(extent.release).toBeTypeOf('function');
      buffers.add(extent.data.buffer);
      extents++;
      extent.release!();
    }
    expect(extents).toBe(64);
    // The reads in flight and the chunk being cut: a few buffers serve the whole disk.
    expect(buffers.size).toBeLessThanOrEqual(12);
  });

  it('never reuses a buffer while an extent cut from it is held, whatever the release order', async () => {
    const rand = random(11);
    const held: Extent[] = [];
    const releaseOne = (index: number): void => {
      const [extent] = held.splice(index, 1);
      const { offset, data } = extent!;
      expect(data.equals(disk.subarray(offset, offset + data.length)), `extent at ${offset}`).toBe(
        true,
      );
      extent!.release!();
      extent!.release!(); // a second release changes nothing
    };
    for await (const extent of readExtents(memorySource(disk, true), [
      { start: 0, length: disk.length },
    ])) {
      held.push(extent);
      // Keep up to 40 extents, releasing at random: some at once, some many chunks later.
      while (held.length > 0 && (held.length > 40 || rand() < 0.4)) {
        releaseOne(Math.floor(rand() * held.length));
      }
    }
    while (held.length > 0) releaseOne(held.length - 1);
  });

  it('still works for a consumer that never releases: no chunk memory is reused', async () => {
    const kept: Extent[] = [];
    for await (const extent of readExtents(memorySource(disk, true), ranges)) kept.push(extent);
    for (const { offset, data } of kept) {
      expect(data.equals(disk.subarray(offset, offset + data.length))).toBe(true);
    }
    // Pooled chunks are READ_CHUNK-sized slices of one slab: tell them apart by where they start.
    const slabs = new Map<ArrayBufferLike, number>();
    const chunks = kept.map(({ data }) => {
      if (!slabs.has(data.buffer)) slabs.set(data.buffer, slabs.size);
      return `${slabs.get(data.buffer)}:${Math.floor(data.byteOffset / READ_CHUNK)}`;
    });
    expect(new Set(chunks).size).toBeGreaterThan(8);
  });

  it('gives extents of sources that return fresh buffers nothing to release', async () => {
    for await (const extent of readExtents(memorySource(disk, false), ranges)) {
      expect(extent.release).toBeUndefined();
    }
  });
});
