/**
 * Every writer hands extent memory back (Extent.release) exactly once and never too early: the
 * extents here share buffers that are overwritten with garbage the moment their last extent is
 * released, then reused for later bytes of the disk. A writer that releases before its write
 * completed stores garbage or bytes of another place, and qemu-img finds the disk changed.
 */
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormatName } from '../../shared/formats.js';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { EXTENSION, QEMU_FORMAT } from '../../test/fixtures/formats.js';
import { partitionedMbrRaw, scatteredClustersRaw } from '../../test/fixtures/raw-disks.js';
import { writerFor } from './registry.js';
import type { Extent, WriterOptions } from './types.js';

const POOL = 3;
const GARBAGE = 0xa5;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(FIXTURE_ROOT, 'extent-release-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * The non-zero chunks of `path`, `chunkSize` bytes each, cut in three extents at odd places so
 * that several extents share a buffer. `releases[i]` counts the releases of the i-th extent.
 */
async function* poisonedExtents(
  path: string,
  chunkSize: number,
  releases: number[],
): AsyncGenerator<Extent> {
  const file = await open(path, 'r');
  const free: Buffer[] = [];
  try {
    const { size } = await file.stat();
    for (let offset = 0; offset < size; offset += chunkSize) {
      const buffer = free.pop() ?? Buffer.alloc(chunkSize);
      const length = Math.min(chunkSize, size - offset);
      await file.read(buffer, 0, length, offset);
      if (buffer.subarray(0, length).every((byte) => byte === 0)) {
        free.push(buffer);
        continue;
      }
      const cuts = [0, Math.floor(length / 3) + 7, Math.floor((2 * length) / 3) + 3, length];
      let holders = cuts.length - 1;
      const drop = (): void => {
        if (--holders > 0) return;
        buffer.fill(GARBAGE);
        if (free.length < POOL) free.push(buffer);
      };
      for (let i = 0; i + 1 < cuts.length; i++) {
        const id = releases.push(0) - 1;
        yield {
          offset: offset + cuts[i]!,
          data: buffer.subarray(cuts[i]!, cuts[i + 1]!),
          release: () => {
            if (releases[id]!++ === 0) drop();
          },
        };
      }
    }
  } finally {
    await file.close();
  }
}

const CASES: [FormatName, Partial<WriterOptions>][] = [
  ['raw', {}],
  ['raw', { thick: true }],
  ['qcow2', {}],
  ['qcow2', { compress: true }],
  ['vdi', {}],
  ['vdi', { thick: true }],
  ['vhd', {}],
  ['vhd-fixed', {}],
  ['vhd-fixed', { thick: true }],
  ['vhdx', {}],
  ['vhdx', { thick: true }],
  ['vmdk', {}],
  ['vmdk-stream', {}],
  ['vmdk-flat', {}],
];

describe('writers release extents exactly once, only when done with them', () => {
  for (const [label, source] of [
    ['scattered data', scatteredClustersRaw],
    ['an MBR disk with two ext4 partitions', partitionedMbrRaw],
  ] as const) {
    it.each(CASES)(
      `%s %o: ${label} survives buffers poisoned on release`,
      async (format, extra) => {
        const raw = await source();
        const { size } = await stat(raw);
        const variant = Object.keys(extra).join('-');
        const target = join(dir, `${source.name}-${format}-${variant}.${EXTENSION[format]}`);
        const options: WriterOptions = { size, thick: false, compress: false, ...extra };
        const writer = await writerFor(format).create(target, options);
        const releases: number[] = [];
        // 200 KiB + 512: chunks and cuts fall across grains, clusters and blocks of every format.
        for await (const extent of poisonedExtents(raw, 200 * 1024 + 512, releases)) {
          await writer.write(extent);
        }
        await writer.finish();
        expect(
          releases.every((count) => count === 1),
          releases.join(','),
        ).toBe(true);
        const run = await execa(
          'qemu-img',
          ['compare', '-f', 'raw', '-F', QEMU_FORMAT[format], raw, target],
          { reject: false },
        );
        expect(run.exitCode, `${run.stdout}${run.stderr}`).toBe(0);
      },
    );
  }
});
