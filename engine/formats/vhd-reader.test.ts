import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../shared/errors.js';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { mutate, mutatedSource, random } from '../../test/fixtures/mutate.js';
import { patchedCopy, resealedSource, type Sealed } from '../../test/fixtures/damaged-images.js';
import { paddedTo, readWhole, uncoveredSectors } from '../../test/fixtures/disk-bytes.js';
import { qemuConvert, qemuDataRanges, qemuInfo } from '../../test/fixtures/qemu-img.js';
import { partitionedGptRaw, scatteredBlocksRaw } from '../../test/fixtures/raw-disks.js';
import { openFileSource } from '../io/file-source.js';
import type { ImageReader } from './types.js';
import { vhdChecksum } from './vhd-footer.js';
import { openVhdImage, vhdReader } from './vhd-reader.js';
import { ferryFailure } from '../../test/fixtures/ferry-failure.js';

const MiB = 2 ** 20;
const ITERATIONS = Number(process.env.FERRY_FUZZ_ITERATIONS ?? 300);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(FIXTURE_ROOT, 'vhd-reader-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Flips the bits of `mask` in byte `at`: damage no tool makes on purpose. */
function flip(bytes: Buffer, at: number, mask: number): void {
  bytes[at] = bytes[at]! ^ mask;
}

/** qemu's dynamic VHD of the scattered disk, the one most tests damage. */
async function qemuDynamic(): Promise<string> {
  const image = join(dir, 'base-dynamic.vhd');
  await qemuConvert(await scatteredBlocksRaw(), image, 'vpc');
  return image;
}

/** Names for damaged copies that say nothing a test looks for in an error's `where`. */
let copies = 0;
const copyName = (): string => join(dir, `copy-${++copies}.vhd`);

/** Re-seals a footer (at `at`) after a test changed it, so only the intended damage remains. */
function sealFooter(bytes: Buffer, at: number): void {
  bytes.writeUInt32BE(vhdChecksum(bytes.subarray(at, at + 512), 64), at + 64);
}

const VARIANTS: [string, string[]][] = [
  ['dynamic', []],
  ['fixed', ['-o', 'subformat=fixed']],
  ['dynamic with force_size (creator "qem2", size from the footer)', ['-o', 'force_size=on']],
  ['fixed with force_size', ['-o', 'subformat=fixed,force_size=on']],
];

describe('VHD reader', () => {
  for (const [label, source] of [
    ['scattered data', scatteredBlocksRaw],
    ['a GPT disk with three ext4 partitions', partitionedGptRaw],
  ] as const) {
    for (const [variant, options] of VARIANTS) {
      it(`reads ${label} from qemu-img's ${variant} VHD byte for byte`, async () => {
        const raw = await source();
        const image = join(dir, `${source.name}-${variant}.vhd`);
        await qemuConvert(raw, image, 'vpc', options);
        const { 'virtual-size': size } = await qemuInfo(image, 'vpc');
        const disk = paddedTo(await readFile(raw), size);
        const reader = await vhdReader.open(image);
        try {
          expect(reader.format).toBe('vhd');
          expect(reader.size).toBe(size);
          expect((await readWhole(reader)).equals(disk)).toBe(true);
          const allocated = await reader.allocated();
          expect(uncoveredSectors(disk, allocated)).toEqual([]);
          if (!options.join().includes('fixed')) {
            expect(allocated).toEqual(await qemuDataRanges(image, 'vpc'));
          }
        } finally {
          await reader.close();
        }
      });
    }
  }

  it('detects a dynamic VHD by its footer copy at 0 and a fixed one by its footer at the end', async () => {
    const raw = await scatteredBlocksRaw();
    const dynamic = await readFile(await qemuDynamic());
    const fixedImage = join(dir, 'detect-fixed.vhd');
    await qemuConvert(raw, fixedImage, 'vpc', ['-o', 'subformat=fixed']);
    const fixed = await readFile(fixedImage);
    const probe = (bytes: Buffer) => ({
      head: bytes.subarray(0, 65536),
      tail: bytes.subarray(bytes.length - 512),
      size: bytes.length,
    });
    expect(vhdReader.detect(probe(dynamic))).toBe(true);
    expect(vhdReader.detect({ ...probe(dynamic), tail: Buffer.alloc(512) })).toBe(true);
    expect(vhdReader.detect(probe(fixed))).toBe(true);
    expect(vhdReader.detect(probe(await readFile(raw)))).toBe(false);
  });

  it('falls back to the footer copy at 0 when the footer at the end is damaged', async () => {
    const base = await qemuDynamic();
    const image = await patchedCopy(base, copyName(), (bytes) => {
      flip(bytes, bytes.length - 512 + 70, 0xff);
    });
    const reader = await vhdReader.open(image);
    const original = await vhdReader.open(base);
    try {
      expect((await readWhole(reader)).equals(await readWhole(original))).toBe(true);
    } finally {
      await reader.close();
      await original.close();
    }
  });

  it.each([
    [
      'both footers have a bad checksum',
      'footer',
      (b: Buffer) => {
        flip(b, 70, 1);
        flip(b, b.length - 512 + 70, 1);
      },
    ],
    [
      'the dynamic header has a bad checksum',
      'dynamic header',
      (b: Buffer) => {
        flip(b, 512 + 28, 1);
      },
    ],
    [
      'a BAT entry points past the end of the file',
      'BAT entry 1',
      (b: Buffer) => {
        b.writeUInt32BE(0x00ffff00, 1536 + 4);
      },
    ],
    [
      'the BAT is shorter than the disk',
      'dynamic header',
      (b: Buffer) => {
        b.writeUInt32BE(1, 512 + 28);
        b.writeUInt32BE(vhdChecksum(b.subarray(512, 1536), 36), 512 + 36);
      },
    ],
    [
      'the dynamic header lies past the end',
      'dynamic header',
      (b: Buffer) => {
        for (const at of [0, b.length - 512]) {
          b.writeBigUInt64BE(2n ** 40n, at + 16);
          sealFooter(b, at);
        }
      },
    ],
    [
      'the file is cut short in the middle of the blocks',
      'BAT entry',
      (b: Buffer) => b.subarray(0, 3 * MiB),
    ],
    ['the file is smaller than a footer', 'vhd', (b: Buffer) => b.subarray(0, 100)],
  ])('refuses a dynamic VHD where %s with BAD_IMAGE', async (_name, where, patch) => {
    const image = await patchedCopy(await qemuDynamic(), copyName(), patch);
    const error = await ferryFailure(vhdReader.open(image));
    expect(error.code).toBe('BAD_IMAGE');
    expect(error.where).toContain(where);
    expect(error.hint).toBeTruthy();
  });

  it('refuses a fixed VHD whose footer checksum is wrong, or that is shorter than its size', async () => {
    const fixed = join(dir, 'fixed-base.vhd');
    await qemuConvert(await scatteredBlocksRaw(), fixed, 'vpc', ['-o', 'subformat=fixed']);
    const badSum = await patchedCopy(fixed, copyName(), (b) => {
      flip(b, b.length - 512 + 48, 1);
    });
    expect((await ferryFailure(vhdReader.open(badSum))).code).toBe('BAD_IMAGE');
    const short = await patchedCopy(fixed, copyName(), (b) =>
      Buffer.concat([b.subarray(0, MiB), b.subarray(b.length - 512)]),
    );
    const error = await ferryFailure(vhdReader.open(short));
    expect([error.code, error.message]).toEqual(['BAD_IMAGE', expect.stringContaining('precede')]);
  });

  it('refuses a differencing VHD with UNSUPPORTED and a hint to merge it', async () => {
    // qemu-img cannot create differencing VHDs: this turns a dynamic one into one (disk type 4).
    const image = await patchedCopy(await qemuDynamic(), copyName(), (b) => {
      for (const at of [0, b.length - 512]) {
        b.writeUInt32BE(4, at + 60);
        sealFooter(b, at);
      }
    });
    const error = await ferryFailure(vhdReader.open(image));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.hint).toContain('merge');
  });

  for (const [variant, options] of [
    ['dynamic', []],
    ['fixed', ['-o', 'subformat=fixed']],
  ] as const) {
    it(`survives ${ITERATIONS} mutations of a ${variant} VHD: data or a FerryError, never a crash`, async () => {
      const image = join(dir, `fuzz-${variant}.vhd`);
      await qemuConvert(await scatteredBlocksRaw(), image, 'vpc', [...options]);
      const base = await openFileSource(image);
      const hot: [number, number][] = [
        [base.size - 512, 512],
        [0, 512],
        [512, 1024],
        [1536, 64],
      ];
      let opened = 0;
      let refused = 0;
      try {
        for (let i = 0; i < ITERATIONS; i++) {
          const seed = (variant === 'fixed' ? 200_000 : 100_000) + i;
          const mutated = mutatedSource(base, mutate(random(seed), base.size, hot));
          // Every other copy gets valid checksums, so the damage reaches the fields behind them.
          const source = i % 2 ? resealedSource(mutated, sealed(mutated.size)) : mutated;
          try {
            await exercise(await openVhdImage(source));
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

/** The footer, its copy and the dynamic header of a VHD of `size` bytes, as the reader reads them. */
function sealed(size: number): Sealed[] {
  const footer = (structure: Buffer): void => {
    structure.writeUInt32BE(vhdChecksum(structure, 64), 64);
  };
  return [
    { at: size - 512, length: 512, seal: footer },
    { at: 0, length: 512, seal: footer },
    { at: 512, length: 1024, seal: (s) => s.writeUInt32BE(vhdChecksum(s, 36), 36) },
  ];
}

/** Reads what a conversion would: the ends of the disk and the start of every allocated range. */
async function exercise(reader: ImageReader): Promise<void> {
  const take = Math.min(reader.size, MiB);
  await reader.read(0, take);
  await reader.read(reader.size - take, take);
  for (const { start, length } of (await reader.allocated()).slice(0, 64)) {
    await reader.read(start, Math.min(length, 4096));
  }
}
