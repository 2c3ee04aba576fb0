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
import { openQcow2Image, qcow2Reader } from './qcow2-reader.js';
import { ferryFailure } from '../../test/fixtures/ferry-failure.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(FIXTURE_ROOT, 'qcow2-reader-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `qemu-img convert -O qcow2` with `options`, into the test folder. */
async function qemuConvert(raw: string, name: string, options: string[]): Promise<string> {
  const image = join(dir, name);
  await sh('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', ...options, raw, image]);
  return image;
}

const VARIANTS: [string, string[]][] = [
  ['v3', []],
  ['compressed', ['-c']],
  ['v2 (compat=0.10)', ['-o', 'compat=0.10']],
  ['v2 compressed', ['-c', '-o', 'compat=0.10']],
  ['512-byte clusters', ['-o', 'cluster_size=512']],
  ['512-byte compressed clusters', ['-c', '-o', 'cluster_size=512']],
  ['2 MiB compressed clusters', ['-c', '-o', 'cluster_size=2M']],
];

describe('qcow2 reader', () => {
  for (const [label, source] of [
    ['scattered data', scatteredClustersRaw],
    ['an MBR disk with two ext4 partitions', partitionedMbrRaw],
  ] as const) {
    for (const [variant, options] of VARIANTS) {
      it(`reads ${label} from qemu-img's ${variant} image byte for byte`, async () => {
        const raw = await source();
        const image = await qemuConvert(raw, `${source.name}-${variant}.qcow2`, options);
        const disk = await readFile(raw);
        const reader = await qcow2Reader.open(image);
        try {
          expect(reader.format).toBe('qcow2');
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

  it('reads zero clusters as zeros, with or without a host cluster, and leaves them out of allocated()', async () => {
    const image = join(dir, 'zero-clusters.qcow2');
    await sh('qemu-img', ['create', '-q', '-f', 'qcow2', image, '4M']);
    // Cluster 0 keeps its host cluster with the zero flag, cluster 2 loses it (-u).
    await sh('qemu-io', [
      ...['-f', 'qcow2', '-c', 'write -P 0xaa 0 256k'],
      ...['-c', 'write -z 0 64k', '-c', 'write -z -u 128k 64k', image],
    ]);
    const reader = await qcow2Reader.open(image);
    try {
      const data = await reader.read(0, 262144);
      const expected = Buffer.alloc(262144, 0xaa);
      expected.fill(0, 0, 65536).fill(0, 131072, 196608);
      expect(data.equals(expected)).toBe(true);
      expect(await reader.allocated()).toEqual([
        { start: 65536, length: 65536 },
        { start: 196608, length: 65536 },
      ]);
      expect(await reader.allocated()).toEqual(await qemuDataRanges(image));
    } finally {
      await reader.close();
    }
  });

  it('detects qcow2 by its magic', async () => {
    const image = await qemuConvert(await scatteredClustersRaw(), 'detect.qcow2', []);
    const head = (await readFile(image)).subarray(0, 65536);
    expect(qcow2Reader.detect({ head, tail: Buffer.alloc(0), size: head.length })).toBe(true);
    const raw = (await readFile(await partitionedMbrRaw())).subarray(0, 65536);
    expect(qcow2Reader.detect({ head: raw, tail: Buffer.alloc(0), size: raw.length })).toBe(false);
  });

  describe('refuses what it cannot read alone', () => {
    const cases: [string, string[], RegExp][] = [
      ['a backing file', ['-b', 'base.qcow2', '-F', 'qcow2'], /backing file/],
      [
        'encryption',
        [
          ...['--object', 'secret,id=sec0,data=123456'],
          // AES rather than LUKS: creating LUKS times its key derivation, which fails on a
          // busy machine ("Unable to get accurate CPU usage").
          ...['-o', 'encrypt.format=aes,encrypt.key-secret=sec0'],
        ],
        /encrypted/,
      ],
      ['an external data file', ['-o', 'data_file=data.raw'], /external data file/],
      ['extended L2 entries', ['-o', 'extended_l2=on'], /extended L2/],
      ['zstd compression', ['-o', 'compression_type=zstd'], /zstd/],
    ];
    for (const [label, options, message] of cases) {
      it(label, async () => {
        await sh('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'base.qcow2'), '4M']);
        const image = join(dir, `refused-${label.replace(/\W/g, '-')}.qcow2`);
        await sh('qemu-img', ['create', '-q', '-f', 'qcow2', ...options, image, '4M'], {
          cwd: dir,
        });
        const error = await ferryFailure(qcow2Reader.open(image));
        expect(error.code).toBe('UNSUPPORTED');
        expect(error.message).toMatch(message);
        expect(error.hint).toBeTruthy();
      });
    }
  });

  describe('reports damage as BAD_IMAGE', () => {
    /** Opens `image` with 32-bit big-endian words replaced, and reads all of it. */
    async function openPatched(image: string, words: [number, number][], size?: number) {
      const base = await openFileSource(image);
      const patches = new Map<number, number>();
      for (const [at, word] of words) {
        for (let b = 0; b < 4; b++) patches.set(at + b, (word >>> (8 * (3 - b))) & 0xff);
      }
      try {
        const reader = await openQcow2Image(
          mutatedSource(base, { patches, size: size ?? base.size }),
        );
        await reader.allocated();
        await readWhole(reader);
      } finally {
        await base.close();
      }
    }

    async function layout(image: string): Promise<{ l1: number; l2: number; data: Buffer }> {
      const data = await readFile(image);
      const l1 = Number(data.readBigUInt64BE(40));
      const l2 = Number(data.readBigUInt64BE(l1) & 0x00fffffffffffe00n);
      return { l1, l2, data };
    }

    it('cluster_bits out of range', async () => {
      const image = await qemuConvert(await scatteredClustersRaw(), 'bad-bits.qcow2', []);
      const error = await ferryFailure(openPatched(image, [[20, 30]]));
      expect(error.code).toBe('BAD_IMAGE');
      expect(error.message).toMatch(/cluster_bits 30/);
      expect(error.where).toMatch(/qcow2 header/);
    });

    it('an L1 table larger than the file', async () => {
      const image = await qemuConvert(await scatteredClustersRaw(), 'bad-l1-size.qcow2', []);
      const error = await ferryFailure(openPatched(image, [[36, 0x10000000]]));
      expect(error.message).toMatch(/L1 table .* beyond the end of the file/);
    });

    it('an L1 table too small for the disk', async () => {
      const image = await qemuConvert(await scatteredClustersRaw(), 'bad-size.qcow2', []);
      const error = await ferryFailure(openPatched(image, [[24, 0x100]]));
      expect(error.message).toMatch(/needs/);
    });

    it('an L2 table beyond the file', async () => {
      const image = await qemuConvert(await scatteredClustersRaw(), 'bad-l1-entry.qcow2', []);
      const { l1 } = await layout(image);
      const error = await ferryFailure(openPatched(image, [[l1 + 4, 0x7fff0000]]));
      expect(error.where).toMatch(/L1 table/);
    });

    it('a data cluster beyond the file', async () => {
      const image = await qemuConvert(await scatteredClustersRaw(), 'bad-l2-entry.qcow2', []);
      const { l2 } = await layout(image);
      const error = await ferryFailure(openPatched(image, [[l2, 0x80000001]]));
      expect(error.where).toMatch(/L2 table/);
      expect(error.message).toMatch(/beyond the end of the file/);
    });

    it('a compressed cluster that does not inflate', async () => {
      const image = await qemuConvert(await scatteredClustersRaw(), 'bad-deflate.qcow2', ['-c']);
      const { l2, data } = await layout(image);
      // Cluster 100 (6.25 MiB) holds text, so it is compressed: overwrite its deflate stream.
      const entry = data.readBigUInt64BE(l2 + 100 * 8);
      expect(entry >> 62n).toBe(1n);
      const host = Number(entry & ((1n << 54n) - 1n));
      const error = await ferryFailure(
        openPatched(image, [
          [host, 0xffffffff],
          [host + 4, 0xffffffff],
        ]),
      );
      expect(error.code).toBe('BAD_IMAGE');
      expect(error.where).toMatch(/compressed cluster/);
    });

    it('a file cut short', async () => {
      const image = await qemuConvert(await scatteredClustersRaw(), 'cut.qcow2', []);
      const error = await ferryFailure(openPatched(image, [], 40));
      expect(error.code).toBe('BAD_IMAGE');
    });

    it('survives mutated headers and tables with nothing but FerryErrors', async () => {
      const image = await qemuConvert(await scatteredClustersRaw(), 'fuzz.qcow2', ['-c']);
      const { l1, l2 } = await layout(image);
      const base = await openFileSource(image);
      const hot: [number, number][] = [
        [0, 112],
        [l1, 64],
        [l2, 65536],
      ];
      const rand = random(0x9c0f2);
      try {
        for (let round = 0; round < 300; round++) {
          const source = mutatedSource(base, mutate(rand, base.size, hot));
          try {
            const reader = await openQcow2Image(source);
            await reader.allocated();
            await reader.read(0, Math.min(reader.size, 12 * 2 ** 20));
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
