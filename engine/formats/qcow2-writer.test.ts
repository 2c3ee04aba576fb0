import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { extentsOfRawFile } from '../../test/fixtures/extents.js';
import { readWhole } from '../../test/fixtures/disk-bytes.js';
import { qemuCheck, qemuCompare, qemuDataRanges, qemuInfo } from '../../test/fixtures/qemu-img.js';
import { partitionedMbrRaw, scatteredClustersRaw } from '../../test/fixtures/raw-disks.js';
import { normalizeRanges, type ByteRange } from '../ranges.js';
import { qcow2Reader } from './qcow2-reader.js';
import { createQcow2Writer, qcow2Writer } from './qcow2-writer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(FIXTURE_ROOT, 'qcow2-writer-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface ConvertOptions {
  compress?: boolean;
  chunkSize?: number;
  clusterBits?: number;
}

async function convert(raw: string, name: string, options: ConvertOptions = {}): Promise<string> {
  const target = join(dir, name);
  const { size } = await stat(raw);
  const writer = await createQcow2Writer(
    target,
    { size, thick: false, compress: options.compress ?? false },
    options.clusterBits,
  );
  for await (const extent of extentsOfRawFile(raw, options.chunkSize)) await writer.write(extent);
  expect(await writer.finish()).toEqual([target]);
  expect(existsSync(`${target}.partial`)).toBe(false);
  return target;
}

/** The clusters of `disk` holding any non-zero byte, as merged byte ranges. */
function nonZeroClusters(disk: Buffer, clusterSize: number): ByteRange[] {
  const zeros = Buffer.alloc(clusterSize);
  const ranges: ByteRange[] = [];
  for (let start = 0; start < disk.length; start += clusterSize) {
    const cluster = disk.subarray(start, start + clusterSize);
    if (!cluster.equals(zeros.subarray(0, cluster.length))) {
      ranges.push({ start, length: cluster.length });
    }
  }
  return normalizeRanges(ranges);
}

async function expectFaithful(raw: string, image: string, clusterSize: number): Promise<void> {
  const check = await qemuCheck(image);
  expect(check['check-errors']).toBe(0);
  expect(check.corruptions ?? 0).toBe(0);
  expect(check.leaks ?? 0).toBe(0);
  await qemuCompare(raw, image);
  const disk = await readFile(raw);
  const expected = nonZeroClusters(disk, clusterSize);
  expect(await qemuDataRanges(image)).toEqual(expected);
  const reader = await qcow2Reader.open(image);
  try {
    expect(reader.size).toBe(disk.length);
    expect((await readWhole(reader)).equals(disk)).toBe(true);
    expect(await reader.allocated()).toEqual(expected);
  } finally {
    await reader.close();
  }
}

describe('qcow2 writer', () => {
  for (const [label, source] of [
    ['scattered data', scatteredClustersRaw],
    ['an MBR disk with two ext4 partitions', partitionedMbrRaw],
  ] as const) {
    it(`writes ${label} that qemu-img checks clean and reads back identically`, async () => {
      const raw = await source();
      const image = await convert(raw, `${source.name}.qcow2`);
      await expectFaithful(raw, image, 65536);
      const info = await qemuInfo(image);
      expect(info).toMatchObject({
        format: 'qcow2',
        'virtual-size': (await stat(raw)).size,
        'cluster-size': 65536,
        'dirty-flag': false,
        'format-specific': {
          type: 'qcow2',
          data: { compat: '1.1', 'refcount-bits': 16, 'compression-type': 'zlib', corrupt: false },
        },
      });
    });

    it(`compresses ${label}, storing clusters that do not shrink as they are`, async () => {
      const raw = await source();
      const plain = await convert(raw, `${source.name}-plain.qcow2`);
      const image = await convert(raw, `${source.name}-compressed.qcow2`, { compress: true });
      await expectFaithful(raw, image, 65536);
      const check = await qemuCheck(image);
      // Random bytes (about 1 MiB in the scattered disk, 2 MB of files in each partition)
      // cannot shrink: those clusters stay uncompressed, the rest are compressed.
      expect(check['compressed-clusters']).toBeGreaterThan(0);
      expect(check['compressed-clusters']).toBeLessThan(check['allocated-clusters']!);
      expect((await stat(image)).size).toBeLessThan((await stat(plain)).size);
    });
  }

  it('assembles clusters from extents that start and end anywhere', async () => {
    const raw = await scatteredClustersRaw();
    const image = await convert(raw, 'unaligned.qcow2', { chunkSize: 3 * 512 });
    await expectFaithful(raw, image, 65536);
  });

  it('keeps refcounts exact across many refcount blocks and L2 tables', async () => {
    // With 512-byte clusters one refcount block covers 128 KiB of file and one L2 table 32 KiB
    // of disk, so a few MiB of data cross dozens of refcount blocks and hundreds of L2 tables.
    const raw = await scatteredClustersRaw();
    for (const compress of [false, true]) {
      const image = await convert(raw, `small-clusters-${compress}.qcow2`, {
        clusterBits: 9,
        compress,
      });
      await expectFaithful(raw, image, 512);
    }
  });

  it('leaves no file behind when aborted', async () => {
    const raw = await scatteredClustersRaw();
    const target = join(dir, 'aborted.qcow2');
    const writer = await qcow2Writer.create(target, {
      size: (await stat(raw)).size,
      thick: false,
      compress: true,
    });
    let count = 0;
    for await (const extent of extentsOfRawFile(raw, 65536)) {
      await writer.write(extent);
      if (++count === 5) break;
    }
    await writer.abort();
    expect((await readdir(dir)).filter((name) => name.startsWith('aborted'))).toEqual([]);
  });

  it('refuses a disk larger than QEMU opens, before creating a file', async () => {
    const target = join(dir, 'huge.qcow2');
    await expect(
      qcow2Writer.create(target, { size: 2 ** 52, thick: false, compress: false }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(existsSync(`${target}.partial`)).toBe(false);
  });

  it('refuses extents out of order or beyond the disk', async () => {
    const writer = await qcow2Writer.create(join(dir, 'refused.qcow2'), {
      size: 65536 * 4,
      thick: false,
      compress: false,
    });
    await writer.write({ offset: 65536, data: Buffer.alloc(512, 1) });
    await expect(writer.write({ offset: 0, data: Buffer.alloc(512, 1) })).rejects.toThrow(
      /out of order/,
    );
    await expect(writer.write({ offset: 65536 * 4, data: Buffer.alloc(1, 1) })).rejects.toThrow(
      /beyond the disk/,
    );
    await writer.abort();
  });
});
