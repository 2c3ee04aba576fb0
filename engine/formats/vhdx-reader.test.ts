import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../shared/errors.js';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { mutate, mutatedSource, random } from '../../test/fixtures/mutate.js';
import { patchedCopy, resealedSource, type Sealed } from '../../test/fixtures/damaged-images.js';
import { paddedTo, readWhole, uncoveredSectors } from '../../test/fixtures/disk-bytes.js';
import { qemuConvert, qemuInfo } from '../../test/fixtures/qemu-img.js';
import { partitionedGptRaw, scatteredBlocksRaw } from '../../test/fixtures/raw-disks.js';
import { openFileSource } from '../io/file-source.js';
import { RangeBuilder, type ByteRange } from '../ranges.js';
import type { ImageReader } from './types.js';
import { crc32c } from './crc32c.js';
import { readBatEntry, writeBatEntry } from './vhdx-bat.js';
import { openVhdxImage, vhdxReader } from './vhdx-reader.js';
import { ferryFailure } from '../../test/fixtures/ferry-failure.js';

const MiB = 2 ** 20;
const ITERATIONS = Number(process.env.FERRY_FUZZ_ITERATIONS ?? 300);
const HEADERS = [64 * 1024, 128 * 1024];
const REGION_TABLES = [192 * 1024, 256 * 1024];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(FIXTURE_ROOT, 'vhdx-reader-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Flips the bits of `mask` in byte `at`: damage no tool makes on purpose. */
function flip(bytes: Buffer, at: number, mask: number): void {
  bytes[at] = bytes[at]! ^ mask;
}

/** Recomputes the CRC-32C of the header or region table at `at` after a test changed it. */
function reseal(bytes: Buffer, at: number, length: number): void {
  bytes.writeUInt32LE(0, at + 4);
  bytes.writeUInt32LE(crc32c(bytes.subarray(at, at + length)), at + 4);
}

/** The blocks of `disk` holding a non-zero byte. */
function nonZeroBlocks(disk: Buffer, blockSize: number): ByteRange[] {
  const ranges = new RangeBuilder();
  for (let start = 0; start < disk.length; start += blockSize) {
    const block = disk.subarray(start, start + blockSize);
    if (block.some((byte) => byte !== 0)) ranges.add(start, block.length);
  }
  return ranges.build();
}

/** qemu's dynamic VHDX of the scattered disk (8 MiB blocks), the one most tests damage. */
async function qemuDynamic(): Promise<string> {
  const image = join(dir, 'base-dynamic.vhdx');
  await qemuConvert(await scatteredBlocksRaw(), image, 'vhdx', ['-o', 'block_size=1M']);
  return image;
}

/** A region's offset, from the region table entry whose GUID starts with `guidStart`. */
function regionOffset(bytes: Buffer, guidStart: number): number {
  for (let entry = 0; entry < bytes.readUInt32LE(REGION_TABLES[0]! + 8); entry++) {
    const at = REGION_TABLES[0]! + 16 + entry * 32;
    if (bytes.readUInt32LE(at) === guidStart) return Number(bytes.readBigUInt64LE(at + 16));
  }
  throw new Error(`no region ${guidStart.toString(16)}`);
}

const batOffset = (bytes: Buffer): number => regionOffset(bytes, 0x2dc27766);
const metadataOffset = (bytes: Buffer): number => regionOffset(bytes, 0x8b7ca206);

/** Names for damaged copies that say nothing a test looks for in an error's `where`. */
let copies = 0;
const copyName = (): string => join(dir, `copy-${++copies}.vhdx`);

const VARIANTS: [string, string[], number][] = [
  ['dynamic (8 MiB blocks)', [], 8 * MiB],
  ['fixed', ['-o', 'subformat=fixed'], 0],
  ['dynamic with 1 MiB blocks', ['-o', 'block_size=1M'], MiB],
  [
    'dynamic with 32 MiB blocks, NOT_PRESENT for empty blocks',
    ['-o', 'block_size=32M,block_state_zero=off'],
    32 * MiB,
  ],
];

describe('VHDX reader', () => {
  for (const [label, source] of [
    ['scattered data', scatteredBlocksRaw],
    ['a GPT disk with three ext4 partitions', partitionedGptRaw],
  ] as const) {
    for (const [variant, options, blockSize] of VARIANTS) {
      it(`reads ${label} from qemu-img's ${variant} VHDX byte for byte`, async () => {
        const raw = await source();
        const image = join(dir, `${source.name}-${variant}.vhdx`);
        await qemuConvert(raw, image, 'vhdx', options);
        const { 'virtual-size': size } = await qemuInfo(image, 'vhdx');
        const disk = paddedTo(await readFile(raw), size);
        const reader = await vhdxReader.open(image);
        try {
          expect(reader.format).toBe('vhdx');
          expect(reader.size).toBe(size);
          expect(reader.sectorSize).toBe(512);
          expect((await readWhole(reader)).equals(disk)).toBe(true);
          const allocated = await reader.allocated();
          expect(uncoveredSectors(disk, allocated)).toEqual([]);
          // qemu-img convert stores exactly the blocks holding data; a fixed disk stores all.
          expect(allocated).toEqual(
            blockSize ? nonZeroBlocks(disk, blockSize) : [{ start: 0, length: size }],
          );
        } finally {
          await reader.close();
        }
      });
    }
  }

  it('detects a VHDX by its signature at 0', async () => {
    const bytes = await readFile(await qemuDynamic());
    const probe = {
      head: bytes.subarray(0, 65536),
      tail: bytes.subarray(bytes.length - 512),
      size: bytes.length,
    };
    expect(vhdxReader.detect(probe)).toBe(true);
    expect(vhdxReader.detect({ ...probe, head: Buffer.alloc(65536) })).toBe(false);
  });

  it.each([
    ['the first header', HEADERS[0]!],
    ['the second header', HEADERS[1]!],
    ['the first region table', REGION_TABLES[0]!],
  ])('reads on when %s is damaged, from the other copy', async (_name, at) => {
    const base = await qemuDynamic();
    const image = await patchedCopy(base, copyName(), (b) => {
      flip(b, at + 100, 0xff);
    });
    const reader = await vhdxReader.open(image);
    const original = await vhdxReader.open(base);
    try {
      expect((await readWhole(reader)).equals(await readWhole(original))).toBe(true);
    } finally {
      await reader.close();
      await original.close();
    }
  });

  it.each([
    [
      'both headers fail their CRC-32C',
      'headers',
      (b: Buffer) => {
        flip(b, HEADERS[0]! + 8, 1);
        flip(b, HEADERS[1]! + 8, 1);
      },
    ],
    [
      'both region tables fail their CRC-32C',
      'region table',
      (b: Buffer) => {
        flip(b, REGION_TABLES[0]! + 40, 1);
        flip(b, REGION_TABLES[1]! + 40, 1);
      },
    ],
    [
      'the region table puts the BAT past the end',
      'region table',
      (b: Buffer) => {
        for (const at of REGION_TABLES) {
          for (let entry = 0; entry < 2; entry++)
            b.writeBigUInt64LE(2n ** 40n, at + 16 + entry * 32 + 16);
          reseal(b, at, 64 * 1024);
        }
      },
    ],
    [
      'the metadata table has no signature',
      'metadata',
      (b: Buffer) => {
        b.write('nothing!', metadataOffset(b), 'latin1');
      },
    ],
    [
      'a BAT entry points past the end of the file',
      'BAT entry 2',
      (b: Buffer) => {
        writeBatEntry(b, batOffset(b) + 2 * 8, 6, 2 ** 30);
      },
    ],
    [
      'a BAT entry points into the header section',
      'BAT entry 0',
      (b: Buffer) => {
        writeBatEntry(b, batOffset(b), 6, 0);
      },
    ],
    [
      'a block is PARTIALLY_PRESENT',
      'BAT entry 0',
      (b: Buffer) => {
        const { offsetMiB } = readBatEntry(b, batOffset(b));
        writeBatEntry(b, batOffset(b), 7, offsetMiB);
      },
    ],
    [
      'a block has the reserved state 4',
      'BAT entry 0',
      (b: Buffer) => {
        writeBatEntry(b, batOffset(b), 4, readBatEntry(b, batOffset(b)).offsetMiB);
      },
    ],
    [
      'the file is cut short in the middle of the blocks',
      'BAT entry',
      (b: Buffer) => b.subarray(0, b.length - 2 * MiB),
    ],
    [
      'the file is smaller than the header section',
      'vhdx',
      (b: Buffer) => b.subarray(0, 200 * 1024),
    ],
  ])('refuses a VHDX where %s with BAD_IMAGE', async (_name, where, patch) => {
    const image = await patchedCopy(await qemuDynamic(), copyName(), patch);
    const error = await ferryFailure(vhdxReader.open(image));
    expect(error.code).toBe('BAD_IMAGE');
    expect(error.where).toContain(where);
    expect(error.hint).toBeTruthy();
  });

  it('refuses a differencing VHDX (HasParent set) with UNSUPPORTED', async () => {
    // qemu-img cannot create differencing VHDX files: this sets HasParent in the file parameters.
    const image = await patchedCopy(await qemuDynamic(), copyName(), (b) => {
      const table = metadataOffset(b);
      for (let entry = 0; entry < b.readUInt16LE(table + 10); entry++) {
        const at = table + 32 + entry * 32;
        if (b.readUInt32LE(at) !== 0xcaa16737) continue;
        const item = table + b.readUInt32LE(at + 16);
        b.writeUInt32LE(b.readUInt32LE(item + 4) | 2, item + 4);
      }
    });
    const error = await ferryFailure(vhdxReader.open(image));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.hint).toContain('merge');
  });

  it('refuses, as qemu-img does, a VHDX whose log still holds updates to replay', async () => {
    // A VHDX written by qemu-io keeps its last log entry; QEMU clears the header's log GUID on
    // close. Giving the current header that entry's GUID again makes the state of a file whose
    // writer died before it could apply its log, which no tool leaves behind on purpose.
    const image = join(dir, 'log.vhdx');
    await sh('qemu-img', ['create', '-q', '-f', 'vhdx', image, '64M']);
    await sh('qemu-io', ['-f', 'vhdx', '-c', 'write -P 0x41 0 3M', image]);
    const clean = await vhdxReader.open(image);
    await clean.close();
    const unreplayed = await patchedCopy(image, join(dir, 'log-unreplayed.vhdx'), (b) => {
      const logOffset = Number(b.readBigUInt64LE(HEADERS[0]! + 72));
      expect(b.toString('latin1', logOffset, logOffset + 4)).toBe('loge');
      const current =
        b.readBigUInt64LE(HEADERS[0]! + 8) > b.readBigUInt64LE(HEADERS[1]! + 8)
          ? HEADERS[0]!
          : HEADERS[1]!;
      b.copy(b, current + 48, logOffset + 32, logOffset + 48);
      reseal(b, current, 4096);
    });
    await expect(sh('qemu-img', ['info', '-f', 'vhdx', unreplayed])).rejects.toThrow(
      /log that needs to be replayed/,
    );
    const error = await ferryFailure(vhdxReader.open(unreplayed));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.hint).toContain('Hyper-V');
  });

  for (const [variant, options] of [
    ['dynamic', ['-o', 'block_size=1M']],
    ['fixed', ['-o', 'subformat=fixed']],
  ] as const) {
    it(`survives ${ITERATIONS} mutations of a ${variant} VHDX: data or a FerryError, never a crash`, async () => {
      const image = join(dir, `fuzz-${variant}.vhdx`);
      await qemuConvert(await scatteredBlocksRaw(), image, 'vhdx', [...options]);
      const bytes = await readFile(image);
      const bat = batOffset(bytes);
      const metadata = metadataOffset(bytes);
      const base = await openFileSource(image);
      const hot: [number, number][] = [
        [0, 16],
        [HEADERS[0]!, 80],
        [HEADERS[1]!, 80],
        [REGION_TABLES[0]!, 80],
        [metadata, 32 + 5 * 32],
        [metadata + 64 * 1024, 40],
        [bat, 128],
      ];
      const sealed: Sealed[] = [
        ...HEADERS.map((at) => ({ at, length: 4096, seal: (s: Buffer) => reseal(s, 0, 4096) })),
        ...REGION_TABLES.map((at) => ({
          at,
          length: 65536,
          seal: (s: Buffer) => reseal(s, 0, 65536),
        })),
      ];
      let opened = 0;
      let refused = 0;
      try {
        for (let i = 0; i < ITERATIONS; i++) {
          const seed = (variant === 'fixed' ? 400_000 : 300_000) + i;
          const mutated = mutatedSource(base, mutate(random(seed), base.size, hot));
          // Every other copy gets valid checksums, so the damage reaches the fields behind them.
          const source = i % 2 ? resealedSource(mutated, sealed) : mutated;
          try {
            await exercise(await openVhdxImage(source));
            opened++;
          } catch (error) {
            if (!isFerryError(error)) {
              throw new Error(
                `seed ${seed}: ${error instanceof Error ? error.stack : String(error)}`,
              );
            }
            expect(error.toLine()).not.toContain('\n');
            refused++;
          }
        }
      } finally {
        await base.close();
      }
      expect(opened).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    });
  }
});

/** Reads what a conversion would: the ends of the disk and the start of every allocated range. */
async function exercise(reader: ImageReader): Promise<void> {
  const take = Math.min(reader.size, MiB);
  await reader.read(0, take);
  await reader.read(reader.size - take, take);
  for (const { start, length } of (await reader.allocated()).slice(0, 64)) {
    await reader.read(start, Math.min(length, 4096));
  }
}
