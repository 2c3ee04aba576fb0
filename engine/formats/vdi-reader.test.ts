import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../shared/errors.js';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { mutate, mutatedSource, random } from '../../test/fixtures/mutate.js';
import { readWhole, uncoveredSectors } from '../../test/fixtures/disk-bytes.js';
import { qemuDataRanges } from '../../test/fixtures/qemu-img.js';
import { partitionedMbrRaw, scatteredClustersRaw } from '../../test/fixtures/raw-disks.js';
import { openFileSource } from '../io/file-source.js';
import { openVdiImage, vdiReader } from './vdi-reader.js';
import { ferryFailure } from '../../test/fixtures/ferry-failure.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(FIXTURE_ROOT, 'vdi-reader-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `qemu-img convert -O vdi` with `options`, into the test folder. */
async function qemuConvert(raw: string, name: string, options: string[]): Promise<string> {
  const image = join(dir, name);
  await sh('qemu-img', ['convert', '-f', 'raw', '-O', 'vdi', ...options, raw, image]);
  return image;
}

describe('VDI reader', () => {
  for (const [label, source] of [
    ['scattered data', scatteredClustersRaw],
    ['an MBR disk with two ext4 partitions', partitionedMbrRaw],
  ] as const) {
    for (const [variant, options] of [
      ['dynamic', []],
      ['static', ['-o', 'static=on']],
    ] as const) {
      it(`reads ${label} from qemu-img's ${variant} VDI byte for byte`, async () => {
        const raw = await source();
        const image = await qemuConvert(raw, `${source.name}-${variant}.vdi`, [...options]);
        const disk = await readFile(raw);
        const reader = await vdiReader.open(image);
        try {
          expect(reader.format).toBe('vdi');
          expect(reader.size).toBe(disk.length);
          expect((await readWhole(reader)).equals(disk)).toBe(true);
          const allocated = await reader.allocated();
          expect(uncoveredSectors(disk, allocated)).toEqual([]);
          expect(allocated).toEqual(await qemuDataRanges(image));
        } finally {
          await reader.close();
        }
      });
    }
  }

  it('detects VDI by the signature at 0x40', async () => {
    const image = await qemuConvert(await scatteredClustersRaw(), 'detect.vdi', []);
    const head = (await readFile(image)).subarray(0, 65536);
    expect(vdiReader.detect({ head, tail: Buffer.alloc(0), size: head.length })).toBe(true);
    const raw = (await readFile(await partitionedMbrRaw())).subarray(0, 65536);
    expect(vdiReader.detect({ head: raw, tail: Buffer.alloc(0), size: raw.length })).toBe(false);
  });

  describe('reports damage', () => {
    /** Opens `image` with 32-bit little-endian words replaced, and reads all of it. */
    async function openPatched(image: string, words: [number, number][], size?: number) {
      const base = await openFileSource(image);
      const patches = new Map<number, number>();
      for (const [at, word] of words) {
        for (let b = 0; b < 4; b++) patches.set(at + b, (word >>> (8 * b)) & 0xff);
      }
      try {
        const reader = await openVdiImage(
          mutatedSource(base, { patches, size: size ?? base.size }),
        );
        await reader.allocated();
        await readWhole(reader);
      } finally {
        await base.close();
      }
    }

    const cases: [string, [number, number][], string, RegExp][] = [
      ['a block size that is not a power of two', [[0x178, 3]], 'BAD_IMAGE', /block size 3/],
      ['a block map larger than the file', [[0x180, 0x3fffffff]], 'BAD_IMAGE', /block map/],
      ['a data offset inside the block map', [[0x158, 0x200]], 'BAD_IMAGE', /data offset/],
      ['more blocks allocated than exist', [[0x184, 0x7fffffff]], 'BAD_IMAGE', /allocated/],
      ['an unknown image type', [[0x4c, 9]], 'BAD_IMAGE', /image type 9/],
      ['a differencing image', [[0x4c, 4]], 'UNSUPPORTED', /differencing/],
      ['header version 2', [[0x44, 0x00020000]], 'UNSUPPORTED', /version 2\.0/],
    ];
    for (const [label, words, code, message] of cases) {
      it(label, async () => {
        const image = await qemuConvert(
          await scatteredClustersRaw(),
          `bad-${label.replace(/\W/g, '-')}.vdi`,
          [],
        );
        const error = await ferryFailure(openPatched(image, words));
        expect(error.code).toBe(code);
        expect(error.message).toMatch(message);
        expect(error.where).toMatch(/VDI header/);
        expect(error.hint).toBeTruthy();
      });
    }

    it('a block mapped beyond the end of the file', async () => {
      const image = await qemuConvert(await scatteredClustersRaw(), 'bad-map.vdi', []);
      const blocksOffset = (await readFile(image)).readUInt32LE(0x154);
      const error = await ferryFailure(openPatched(image, [[blocksOffset, 5000]]));
      expect(error.code).toBe('BAD_IMAGE');
      expect(error.where).toMatch(/block map/);
    });

    it('a file cut short', async () => {
      const image = await qemuConvert(await scatteredClustersRaw(), 'cut.vdi', []);
      const error = await ferryFailure(openPatched(image, [], 100));
      expect(error.code).toBe('BAD_IMAGE');
    });

    it('survives mutated headers and maps with nothing but FerryErrors', async () => {
      const image = await qemuConvert(await partitionedMbrRaw(), 'fuzz.vdi', []);
      const base = await openFileSource(image);
      const blocksOffset = (await base.read(0x154, 4)).readUInt32LE(0);
      const rand = random(0x0d1);
      try {
        for (let round = 0; round < 300; round++) {
          const mutation = mutate(rand, base.size, [
            [0x40, 0x1c8 - 0x40],
            [blocksOffset, 160],
          ]);
          try {
            const reader = await openVdiImage(mutatedSource(base, mutation));
            await reader.allocated();
            await reader.read(0, Math.min(reader.size, 8 * 2 ** 20));
          } catch (error) {
            if (!isFerryError(error)) throw error;
          }
        }
      } finally {
        await base.close();
      }
    });
  });
});
