import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../shared/errors.js';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { UUID_V4 } from '../../test/fixtures/disk-uuids.js';
import { paddedTo, readWhole, uncoveredSectors } from '../../test/fixtures/disk-bytes.js';
import { qemuCheck, qemuCompare, qemuInfo } from '../../test/fixtures/qemu-img.js';
import {
  oddSizeRaw,
  partitionedGptRaw,
  scatteredBlocksRaw,
} from '../../test/fixtures/raw-disks.js';
import { writeRaw } from '../../test/fixtures/write-raw.js';
import { openFileSource } from '../io/file-source.js';
import { RangeBuilder, type ByteRange } from '../ranges.js';
import { PAYLOAD_STATE, batGeometry, batIndex, readBatEntry } from './vhdx-bat.js';
import { VHDX_REGION, checkRegionTable, checkVhdxHeader } from './vhdx-header.js';
import { readVhdxMetadata } from './vhdx-metadata.js';
import { vhdxReader } from './vhdx-reader.js';
import { vhdxDiskSize, vhdxWriter } from './vhdx-writer.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(FIXTURE_ROOT, 'vhdx-writer-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const SOURCES = [
  ['scattered data', scatteredBlocksRaw],
  ['a GPT disk with three ext4 partitions', partitionedGptRaw],
  ['a disk of 100 MiB + 512 bytes', oddSizeRaw],
] as const;

/** The blocks of `disk` holding a non-zero byte: what a dynamic VHDX must store. */
function nonZeroBlocks(disk: Buffer, blockSize: number): ByteRange[] {
  const ranges = new RangeBuilder();
  for (let start = 0; start < disk.length; start += blockSize) {
    const block = disk.subarray(start, start + blockSize);
    if (block.some((byte) => byte !== 0)) ranges.add(start, block.length);
  }
  return ranges.build();
}

/** Checks, field by field, the layout Hyper-V writes and expects. */
async function expectHyperVLayout(image: string, size: number, thick: boolean): Promise<void> {
  const bytes = await readFile(image);
  expect(bytes.toString('latin1', 0, 8)).toBe('vhdxfile');
  expect(bytes.toString('utf16le', 8, 18)).toBe('Ferry');
  const headers = [64 * 1024, 128 * 1024].map((at) => checkVhdxHeader(bytes.subarray(at)));
  const sequences: bigint[] = [];
  for (const checked of headers) {
    if (!checked.ok) throw new Error(checked.problem);
    expect(checked.value).toMatchObject({
      version: 1,
      logGuid: undefined,
      logOffset: BigInt(MiB),
      logLength: MiB,
    });
    sequences.push(checked.value.sequenceNumber);
  }
  expect(sequences[0]).not.toBe(sequences[1]);
  const tables = [192 * 1024, 256 * 1024].map((at) => bytes.subarray(at, at + 64 * 1024));
  expect(tables[0]!.equals(tables[1]!)).toBe(true);
  const regions = checkRegionTable(tables[0]!);
  if (!regions.ok) throw new Error(regions.problem);
  const bat = regions.value.find((r) => r.guid === VHDX_REGION.bat)!;
  const metadataRegion = regions.value.find((r) => r.guid === VHDX_REGION.metadata)!;
  expect(metadataRegion).toMatchObject({
    fileOffset: BigInt(2 * MiB),
    length: MiB,
    required: true,
  });
  expect(bat).toMatchObject({ fileOffset: BigInt(3 * MiB), required: true });
  expect(bat.length % MiB).toBe(0);

  const file = await openFileSource(image);
  const metadata = await readVhdxMetadata(file, 2 * MiB, MiB).finally(() => file.close());
  expect(metadata).toEqual({
    blockSize: thick ? 32 * MiB : MiB,
    leaveBlocksAllocated: thick,
    virtualDiskSize: size,
    logicalSectorSize: 512,
    physicalSectorSize: 4096,
    virtualDiskId: expect.stringMatching(UUID_V4),
  });
  const geometry = batGeometry(size, metadata.blockSize, 512);
  const dataStart = 3 * MiB + bat.length;
  let stored = 0;
  for (let index = 0; index < geometry.entries; index++) {
    const { state, offsetMiB } = readBatEntry(bytes, 3 * MiB + index * 8);
    const isBitmap = index % (geometry.chunkRatio + 1) === geometry.chunkRatio;
    if (isBitmap || state !== PAYLOAD_STATE.fullyPresent) {
      // Sector bitmap entries and blocks without data: state 0 or ZERO, and offset 0.
      expect([isBitmap ? 0 : PAYLOAD_STATE.zero, 0]).toEqual([state, offsetMiB]);
      continue;
    }
    expect(offsetMiB * MiB).toBe(dataStart + stored * metadata.blockSize);
    stored++;
  }
  if (thick) expect(stored).toBe(geometry.blocks);
  expect(bytes.length).toBe(dataStart + stored * metadata.blockSize);
}

describe('VHDX writer', () => {
  for (const [label, source] of SOURCES) {
    for (const thick of [false, true]) {
      it(`writes ${label} as a ${thick ? 'fixed' : 'dynamic'} VHDX that qemu-img checks and reads whole`, async () => {
        const raw = await source();
        const target = join(dir, `${source.name}-${thick ? 'fixed' : 'dynamic'}.vhdx`);
        expect(await writeRaw(vhdxWriter, raw, target, { thick })).toEqual([target]);
        const size = vhdxDiskSize((await stat(raw)).size);

        await qemuCheck(target, 'vhdx');
        expect((await qemuInfo(target, 'vhdx'))['virtual-size']).toBe(size);
        expect(await qemuCompare(raw, target, 'vhdx')).toContain('Images are identical');
        await expectHyperVLayout(target, size, thick);

        const disk = paddedTo(await readFile(raw), size);
        const reader = await vhdxReader.open(target);
        try {
          expect(reader.size).toBe(size);
          expect((await readWhole(reader)).equals(disk)).toBe(true);
          const allocated = await reader.allocated();
          expect(uncoveredSectors(disk, allocated)).toEqual([]);
          // qemu-img map cannot judge: QEMU's VHDX driver reports every block as data.
          expect(allocated).toEqual(
            thick ? [{ start: 0, length: size }] : nonZeroBlocks(disk, MiB),
          );
        } finally {
          await reader.close();
        }
      });
    }
  }

  for (const thick of [false, true]) {
    it(`writes a ${thick ? 'fixed' : 'dynamic'} VHDX from small, unaligned extents (4.5 KiB)`, async () => {
      const raw = await partitionedGptRaw();
      const target = join(dir, `small-extents-${thick}.vhdx`);
      await writeRaw(vhdxWriter, raw, target, { thick }, 4608);
      await qemuCheck(target, 'vhdx');
      expect(await qemuCompare(raw, target, 'vhdx')).toContain('Images are identical');
    });
  }

  it('interleaves sector bitmap entries in the BAT of a disk past one chunk (10 GiB)', async () => {
    // 512-byte runs of one byte value each; the second crosses the first chunk's end (4 GiB).
    const marks: [number, number][] = [
      [0, 0x11],
      [4 * GiB - 256, 0x22],
      [4 * GiB + MiB, 0x33],
      [8 * GiB + 12345, 0x44],
      [10 * GiB - 512, 0x55],
    ];
    const target = join(dir, 'ten-gib.vhdx');
    const image = await vhdxWriter.create(target, {
      size: 10 * GiB,
      thick: false,
      compress: false,
    });
    for (const [at, value] of marks)
      await image.write({ offset: at, data: Buffer.alloc(512, value) });
    await image.finish();

    await qemuCheck(target, 'vhdx');
    // qemu-io exits non-zero when a pattern does not match.
    await sh('qemu-io', [
      '-r',
      '-f',
      'vhdx',
      ...marks.flatMap(([at, value]) => ['-c', `read -P ${value} ${at} 512`]),
      ...marks.slice(0, -1).flatMap(([at]) => ['-c', `read -P 0 ${at + 512} 1024`]),
      target,
    ]);
    const bytes = await readFile(target);
    // 1 MiB blocks, 512-byte sectors: 4096 payload entries, then a sector bitmap entry.
    expect(batIndex(4096, 4096)).toBe(4097);
    expect(readBatEntry(bytes, 3 * MiB + 4095 * 8).state).toBe(PAYLOAD_STATE.fullyPresent);
    expect(readBatEntry(bytes, 3 * MiB + 4096 * 8)).toEqual({ state: 0, offsetMiB: 0 });
    expect(readBatEntry(bytes, 3 * MiB + 4097 * 8).state).toBe(PAYLOAD_STATE.fullyPresent);
    const reader = await vhdxReader.open(target);
    try {
      for (const [at, value] of marks)
        expect(await reader.read(at, 512)).toEqual(Buffer.alloc(512, value));
      expect(await reader.allocated()).toEqual([
        { start: 0, length: MiB },
        { start: 4 * GiB - MiB, length: 3 * MiB },
        { start: 8 * GiB, length: MiB },
        { start: 10 * GiB - MiB, length: MiB },
      ]);
    } finally {
      await reader.close();
    }
  });

  it('refuses a disk past 64 TiB before creating a file', async () => {
    const target = join(dir, 'too-large.vhdx');
    const error = await vhdxWriter
      .create(target, { size: 65 * 2 ** 40, thick: false, compress: false })
      .catch((caught: unknown) => caught);
    expect(isFerryError(error) && error.code).toBe('UNSUPPORTED');
    expect(existsSync(`${target}.partial`)).toBe(false);
  });

  for (const thick of [false, true]) {
    it(`leaves no file behind when a ${thick ? 'fixed' : 'dynamic'} write is aborted`, async () => {
      const sub = await mkdtemp(join(dir, 'abort-'));
      const image = await vhdxWriter.create(join(sub, 'disk.vhdx'), {
        size: 64 * MiB,
        thick,
        compress: false,
      });
      await image.write({ offset: 0, data: Buffer.alloc(3 * MiB, 1) });
      await image.write({ offset: 40 * MiB, data: Buffer.alloc(MiB, 2) });
      await image.abort();
      expect(await readdir(sub)).toEqual([]);
    });
  }
});
