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
import { vdiReader } from './vdi-reader.js';
import { vdiWriter } from './vdi-writer.js';

const MiB = 2 ** 20;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(FIXTURE_ROOT, 'vdi-writer-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function convert(raw: string, name: string, thick: boolean, chunkSize?: number) {
  const target = join(dir, name);
  const { size } = await stat(raw);
  const writer = await vdiWriter.create(target, { size, thick, compress: false });
  for await (const extent of extentsOfRawFile(raw, chunkSize)) await writer.write(extent);
  expect(await writer.finish()).toEqual([target]);
  expect(existsSync(`${target}.partial`)).toBe(false);
  return target;
}

/** Indices of the 1 MiB blocks of `disk` holding a non-zero byte. */
function nonZeroBlocks(disk: Buffer): number[] {
  const zeros = Buffer.alloc(MiB);
  const blocks: number[] = [];
  for (let start = 0; start < disk.length; start += MiB) {
    const block = disk.subarray(start, start + MiB);
    if (!block.equals(zeros.subarray(0, block.length))) blocks.push(start / MiB);
  }
  return blocks;
}

function blockRanges(blocks: number[], size: number): ByteRange[] {
  return normalizeRanges(
    blocks.map((b) => ({ start: b * MiB, length: Math.min(MiB, size - b * MiB) })),
  );
}

const isZero = (bytes: Buffer): boolean => bytes.every((byte) => byte === 0);

describe('VDI writer', () => {
  for (const [label, source] of [
    ['scattered data', scatteredClustersRaw],
    ['an MBR disk with two ext4 partitions', partitionedMbrRaw],
  ] as const) {
    for (const thick of [false, true]) {
      const kind = thick ? 'fixed' : 'dynamic';
      it(`writes ${label} as a ${kind} VDI laid out as VirtualBox lays it out`, async () => {
        const raw = await source();
        const image = await convert(raw, `${source.name}-${kind}.vdi`, thick);
        const disk = await readFile(raw);
        const size = disk.length;
        const blocks = Math.ceil(size / MiB);
        const stored = nonZeroBlocks(disk);

        const check = await qemuCheck(image);
        expect(check['check-errors']).toBe(0);
        expect(check.corruptions ?? 0).toBe(0);
        await qemuCompare(raw, image);
        expect(await qemuInfo(image)).toMatchObject({
          format: 'vdi',
          'virtual-size': size,
          'cluster-size': MiB,
        });

        const file = await readFile(image);
        expect(file.subarray(0, 40).toString('latin1')).toBe(
          '<<< Oracle VM VirtualBox Disk Image >>>\n',
        );
        expect(file.readUInt32LE(0x40)).toBe(0xbeda107f);
        expect(file.readUInt32LE(0x44)).toBe(0x00010001);
        expect(file.readUInt32LE(0x48)).toBe(400);
        expect(file.readUInt32LE(0x4c)).toBe(thick ? 2 : 1);
        expect(file.readUInt32LE(0x154)).toBe(MiB);
        const dataOffset = Math.ceil((MiB + blocks * 4) / MiB) * MiB;
        expect(file.readUInt32LE(0x158)).toBe(dataOffset);
        expect(file.readUInt32LE(0x168)).toBe(512);
        expect(Number(file.readBigUInt64LE(0x170))).toBe(size);
        expect(file.readUInt32LE(0x178)).toBe(MiB);
        expect(file.readUInt32LE(0x180)).toBe(blocks);
        expect(file.readUInt32LE(0x184)).toBe(thick ? blocks : stored.length);
        const uuid = (at: number) => file.subarray(at, at + 16);
        expect(isZero(uuid(0x188))).toBe(false);
        expect(isZero(uuid(0x198))).toBe(false);
        expect(uuid(0x188).equals(uuid(0x198))).toBe(false);
        expect(isZero(uuid(0x1a8))).toBe(true);
        expect(isZero(uuid(0x1b8))).toBe(true);
        expect(file.readUInt32LE(0x1d4)).toBe(512);

        const map = Array.from({ length: blocks }, (_, b) => file.readUInt32LE(MiB + b * 4));
        const expectedMap = Array.from({ length: blocks }, (_, b) =>
          thick ? b : stored.includes(b) ? stored.indexOf(b) : 0xffffffff,
        );
        expect(map).toEqual(expectedMap);
        expect(file.length).toBe(dataOffset + (thick ? blocks : stored.length) * MiB);

        const allocated = thick ? [{ start: 0, length: size }] : blockRanges(stored, size);
        expect(await qemuDataRanges(image)).toEqual(allocated);
        const reader = await vdiReader.open(image);
        try {
          expect((await readWhole(reader)).equals(disk)).toBe(true);
          expect(await reader.allocated()).toEqual(allocated);
        } finally {
          await reader.close();
        }
      });
    }
  }

  it('assembles blocks from extents that start and end anywhere', async () => {
    const raw = await scatteredClustersRaw();
    const image = await convert(raw, 'unaligned.vdi', false, 3 * 512);
    await qemuCheck(image);
    await qemuCompare(raw, image);
  });

  it('refuses a disk larger than a VDI block map can hold, before creating a file', async () => {
    const target = join(dir, 'huge.vdi');
    await expect(
      vdiWriter.create(target, { size: 2 ** 51, thick: false, compress: false }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(existsSync(`${target}.partial`)).toBe(false);
  });

  it('leaves no file behind when aborted', async () => {
    const raw = await partitionedMbrRaw();
    const target = join(dir, 'aborted.vdi');
    const writer = await vdiWriter.create(target, {
      size: (await stat(raw)).size,
      thick: true,
      compress: false,
    });
    let count = 0;
    for await (const extent of extentsOfRawFile(raw)) {
      await writer.write(extent);
      if (++count === 3) break;
    }
    await writer.abort();
    expect((await readdir(dir)).filter((name) => name.startsWith('aborted'))).toEqual([]);
  });
});
