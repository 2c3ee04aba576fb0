import { open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWhole, uncoveredSectors } from '../../test/fixtures/disk-bytes.js';
import { qemuConvert } from '../../test/fixtures/qemu-img.js';
import { partitionedMbrRaw, scatteredGrainsRaw, splitRaw } from '../../test/fixtures/raw-disks.js';
import { scratchDir } from '../../test/fixtures/scratch-dir.js';
import { writeRaw } from '../../test/fixtures/write-raw.js';
import type { FileProbe } from './types.js';
import { vmdkReader } from './vmdk-reader.js';
import { SECTOR } from './vmdk-sparse.js';
import { vmdkStreamWriter } from './vmdk-stream.js';

let dir: string;
beforeAll(async () => {
  dir = await scratchDir('vmdk-reader');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function probe(path: string): Promise<FileProbe> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(size, 65536));
    const tail = Buffer.alloc(Math.min(size, 512));
    await file.read(head, 0, head.length, 0);
    await file.read(tail, 0, tail.length, size - tail.length);
    return { head, tail, size };
  } finally {
    await file.close();
  }
}

const SUBFORMATS = [
  'monolithicSparse',
  'streamOptimized',
  'monolithicFlat',
  'twoGbMaxExtentSparse',
  'twoGbMaxExtentFlat',
];

describe('VMDK reader on images qemu-img made', () => {
  const cases = SUBFORMATS.flatMap((subformat) => [
    { subformat, name: 'scattered', raw: scatteredGrainsRaw },
    { subformat, name: 'partitioned', raw: partitionedMbrRaw },
  ]);
  it.each(cases)(
    'reads $subformat of the $name disk byte for byte',
    async ({ subformat, name, raw }) => {
      const source = await raw();
      const target = join(dir, `${name}-${subformat}.vmdk`);
      await qemuConvert(source, target, 'vmdk', ['-o', `subformat=${subformat}`]);
      expect(vmdkReader.detect(await probe(target))).toBe(true);

      const reader = await vmdkReader.open(target);
      try {
        const expected = await readFile(source);
        expect(reader).toMatchObject({ format: 'vmdk', size: expected.length, sectorSize: 512 });
        expect((await readWhole(reader)).equals(expected)).toBe(true);
        expect(
          (await reader.read(1_000_001, 300_007)).equals(expected.subarray(1_000_001, 1_300_008)),
        ).toBe(true);
        expect((await reader.read(expected.length - 77, 77)).equals(expected.subarray(-77))).toBe(
          true,
        );
        const allocated = await reader.allocated();
        expect(uncoveredSectors(expected, allocated)).toEqual([]);
        await expect(reader.read(expected.length - 1, 2)).rejects.toMatchObject({
          code: 'SOURCE_TRUNCATED',
        });
      } finally {
        await reader.close();
      }
    },
  );

  it.each(['twoGbMaxExtentSparse', 'twoGbMaxExtentFlat'])(
    'reads across the boundary of two extents of %s',
    async (subformat) => {
      const source = await splitRaw();
      const target = join(dir, `split-${subformat}.vmdk`);
      await qemuConvert(source, target, 'vmdk', ['-o', `subformat=${subformat}`]);
      const reader = await vmdkReader.open(target);
      const raw = await open(source, 'r');
      try {
        expect(reader.size).toBe((await raw.stat()).size);
        for (const [start, length] of [
          [2 ** 31 - 1_000_000, 2_000_000],
          [reader.size - 3_000_000, 3_000_000],
        ] as const) {
          const expected = Buffer.alloc(length);
          await raw.read(expected, 0, length, start);
          expect((await reader.read(start, length)).equals(expected)).toBe(true);
        }
        const allocated = await reader.allocated();
        expect(
          allocated.some(
            (r) => r.start <= 2 ** 31 - 32768 && 2 ** 31 + 32768 <= r.start + r.length,
          ),
        ).toBe(true);
        if (subformat.endsWith('Sparse')) {
          expect(allocated.reduce((sum, r) => sum + r.length, 0)).toBeLessThanOrEqual(4 * 65536);
        }
      } finally {
        await raw.close();
        await reader.close();
      }
    },
  );

  it('does not claim files that are not VMDKs', () => {
    const zeros = Buffer.alloc(4096);
    expect(vmdkReader.detect({ head: zeros, tail: zeros.subarray(0, 512), size: 4096 })).toBe(
      false,
    );
    const text = Buffer.from('# Disk Descriptor, not really\n');
    expect(vmdkReader.detect({ head: text, tail: text, size: text.length })).toBe(false);
    expect(vmdkReader.detect({ head: Buffer.from('KDM'), tail: Buffer.alloc(0), size: 3 })).toBe(
      false,
    );
  });
});

/** Opens, reads everything (up to 64 MiB) and lists what is allocated: where a bad image must fail. */
async function readCompletely(path: string): Promise<void> {
  const reader = await vmdkReader.open(path);
  try {
    await reader.read(0, Math.min(reader.size, 64 << 20));
    await reader.allocated();
  } finally {
    await reader.close();
  }
}

/** A copy of `original` named `name`, changed by `change`. */
async function damaged(
  original: string,
  name: string,
  change: (image: Buffer) => Buffer,
): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, change(Buffer.from(await readFile(original))));
  return path;
}

describe('VMDK reader on damaged images', () => {
  let sparse: string;
  let stream: string;
  let gtSector: number;
  beforeAll(async () => {
    sparse = join(dir, 'good-sparse.vmdk');
    await qemuConvert(await scatteredGrainsRaw(), sparse, 'vmdk');
    stream = join(dir, 'good-stream.vmdk');
    await writeRaw(vmdkStreamWriter, await scatteredGrainsRaw(), stream);
    const image = await readFile(sparse);
    gtSector = image.readUInt32LE(Number(image.readBigUInt64LE(56)) * SECTOR);
  });

  const sparseCases: [string, string, (image: Buffer) => Buffer][] = [
    ['a version from the future', 'BAD_IMAGE', (b) => (b.writeUInt32LE(9, 4), b)],
    ['an unknown incompatible feature', 'UNSUPPORTED', (b) => (b.writeUInt32LE(0x00100003, 8), b)],
    [
      'a grain size that is not a power of two',
      'BAD_IMAGE',
      (b) => (b.writeBigUInt64LE(3n, 20), b),
    ],
    ['a capacity beyond 8 PiB', 'BAD_IMAGE', (b) => (b.writeBigUInt64LE(1n << 60n, 12), b)],
    [
      'a huge capacity whose directory the file cannot hold',
      'BAD_IMAGE',
      (b) => (b.writeBigUInt64LE(1n << 40n, 12), b),
    ],
    ['a directory beyond the end', 'BAD_IMAGE', (b) => (b.writeBigUInt64LE(1n << 40n, 56), b)],
    ['line endings rewritten', 'BAD_IMAGE', (b) => ((b[75] = 0x0a), b)],
    ['a header cut short', 'BAD_IMAGE', (b) => b.subarray(0, 100)],
  ];
  it.each(sparseCases)('refuses a sparse extent with %s', async (name, code, change) => {
    const path = await damaged(sparse, `sparse-${name}.vmdk`, change);
    await expect(readCompletely(path)).rejects.toMatchObject({ name: 'FerryError', code });
  });

  it('refuses a grain directory entry pointing beyond the end', async () => {
    const path = await damaged(sparse, 'gd-beyond.vmdk', (b) => {
      b.writeUInt32LE(0x7fffffff, Number(b.readBigUInt64LE(56)) * SECTOR);
      return b;
    });
    await expect(readCompletely(path)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
  });

  it('refuses a grain table entry pointing beyond the end, where the grain is read', async () => {
    // Grain 15 holds the random data at 1000001.
    const path = await damaged(sparse, 'gt-beyond.vmdk', (b) => {
      b.writeUInt32LE(0x7fffffff, gtSector * SECTOR + 15 * 4);
      return b;
    });
    const reader = await vmdkReader.open(path);
    try {
      expect((await reader.read(0, 65536)).length).toBe(65536);
      await expect(reader.read(1_000_001, 10)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
      await expect(reader.allocated()).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    } finally {
      await reader.close();
    }
  });

  const streamCases: [string, (image: Buffer) => Buffer][] = [
    ['cut short (no footer)', (b) => b.subarray(0, b.length - SECTOR)],
    ['garbage in a compressed grain', (b) => b.fill(0xff, 128 * SECTOR + 40, 128 * SECTOR + 400)],
    ['a grain marker naming another grain', (b) => (b.writeBigUInt64LE(999n, 128 * SECTOR), b)],
    [
      'a compressed length beyond the file',
      (b) => (b.writeUInt32LE(0xffffffff, 128 * SECTOR + 8), b),
    ],
    ['a footer without its marker', (b) => (b.writeUInt32LE(7, b.length - 3 * SECTOR + 12), b)],
  ];
  it.each(streamCases)('refuses a streamOptimized extent %s', async (name, change) => {
    const path = await damaged(stream, `stream-${name}.vmdk`, change);
    await expect(readCompletely(path)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
  });

  describe('descriptors', () => {
    let descriptor: string;
    let text: string;
    beforeAll(async () => {
      descriptor = join(dir, 'flat.vmdk');
      await qemuConvert(await scatteredGrainsRaw(), descriptor, 'vmdk', [
        '-o',
        'subformat=monolithicFlat',
      ]);
      text = (await readFile(descriptor, 'utf8')).replace(/\0+$/, '');
    });

    it.each([
      ['an extent outside its folder', '"flat-flat.vmdk"', '"../flat-flat.vmdk"', 'UNSUPPORTED'],
      ['a missing extent file', '"flat-flat.vmdk"', '"absent-flat.vmdk"', 'SOURCE_NOT_FOUND'],
      ['a flat extent larger than its file', 'RW 12295 FLAT', 'RW 99999 FLAT', 'BAD_IMAGE'],
      ['a parent (a snapshot)', 'parentCID=ffffffff', 'parentCID=1234abcd', 'UNSUPPORTED'],
    ])('refuses %s', async (name, from, to, code) => {
      expect(text).toContain(from);
      const path = join(dir, `desc-${name}.vmdk`);
      await writeFile(path, text.replace(from, to));
      await expect(readCompletely(path)).rejects.toMatchObject({ code });
    });

    it('refuses a flat file cut short', async () => {
      const path = join(dir, 'short.vmdk');
      await writeFile(path, text.replace('"flat-flat.vmdk"', '"short-flat.vmdk"'));
      await writeFile(join(dir, 'short-flat.vmdk'), Buffer.alloc(4096));
      await truncate(join(dir, 'short-flat.vmdk'), 1 << 20);
      await expect(readCompletely(path)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    });
  });
});
