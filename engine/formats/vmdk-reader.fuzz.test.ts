import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { mutate, random, within } from '../../test/fixtures/mutate.js';
import { qemuConvert } from '../../test/fixtures/qemu-img.js';
import { scatteredGrainsRaw } from '../../test/fixtures/raw-disks.js';
import { scratchDir } from '../../test/fixtures/scratch-dir.js';
import { writeRaw } from '../../test/fixtures/write-raw.js';
import { vmdkReader } from './vmdk-reader.js';
import { SECTOR } from './vmdk-sparse.js';
import { vmdkStreamWriter } from './vmdk-stream.js';

const ITERATIONS = Number(process.env.FERRY_FUZZ_ITERATIONS ?? 150);

let dir: string;
beforeAll(async () => {
  dir = await scratchDir('vmdk-fuzz');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Everything a verify or a conversion does with a reader: open, read (up to 64 MiB), allocated. */
async function useFully(path: string): Promise<void> {
  const reader = await vmdkReader.open(path);
  try {
    for (let offset = 0; offset < Math.min(reader.size, 64 << 20); offset += 1 << 20) {
      await reader.read(offset, Math.min(1 << 20, reader.size - offset));
    }
    await reader.allocated();
  } finally {
    await reader.close();
  }
}

interface Target {
  /** The file mutated; the image opened is `open` (a descriptor beside it, or the file itself). */
  file: string;
  open: string;
  hot: (size: number) => [number, number][];
}

/** The header, descriptor and tables at the front, grain markers, and the footer at the back. */
const sparseHot = (size: number): [number, number][] => [
  [0, SECTOR],
  [SECTOR, 2 * SECTOR],
  [21 * SECTOR, 107 * SECTOR],
  [128 * SECTOR, 4096],
  [Math.max(0, size - 8192), Math.min(size, 8192)],
];

const targets: [string, () => Promise<Target>][] = [
  [
    'qemu-img monolithicSparse',
    async () => {
      const file = join(dir, 'sparse.vmdk');
      await qemuConvert(await scatteredGrainsRaw(), file, 'vmdk');
      return { file, open: file, hot: sparseHot };
    },
  ],
  [
    'qemu-img streamOptimized',
    async () => {
      const file = join(dir, 'qemu-stream.vmdk');
      await qemuConvert(await scatteredGrainsRaw(), file, 'vmdk', [
        '-o',
        'subformat=streamOptimized',
      ]);
      return { file, open: file, hot: sparseHot };
    },
  ],
  [
    'Ferry streamOptimized (directory at the end)',
    async () => {
      const file = join(dir, 'ferry-stream.vmdk');
      await writeRaw(vmdkStreamWriter, await scatteredGrainsRaw(), file);
      return { file, open: file, hot: sparseHot };
    },
  ],
  [
    'qemu-img twoGbMaxExtentSparse descriptor',
    async () => {
      const open = join(dir, 'split.vmdk');
      await qemuConvert(await scatteredGrainsRaw(), open, 'vmdk', [
        '-o',
        'subformat=twoGbMaxExtentSparse',
      ]);
      return { file: open, open, hot: (size) => [[0, size]] };
    },
  ],
];

describe.each(targets)('the VMDK reader survives mutations of a %s', (name, make) => {
  it(`${ITERATIONS} mutated copies: data or a FerryError, never a crash or a hang`, async () => {
    const target = await make();
    const original = await readFile(target.file);
    const seedBase = targets.findIndex(([n]) => n === name) + 1;
    const outcomes = { read: 0, refused: 0 };
    for (let i = 0; i < ITERATIONS; i++) {
      const seed = seedBase * 100_000 + i;
      const mutation = mutate(random(seed), original.length, target.hot(original.length));
      const copy = Buffer.from(original.subarray(0, mutation.size));
      for (const [at, value] of mutation.patches) {
        if (at >= copy.length) continue;
        copy[at] = value >= 0 ? value : copy[at]! ^ (1 << (-value - 1));
      }
      await writeFile(target.file, copy);
      try {
        await within(5_000, `seed ${seed}`, useFully(target.open));
        outcomes.read++;
      } catch (error) {
        if (!(error instanceof FerryError)) {
          throw new Error(`seed ${seed}: ${error instanceof Error ? error.stack : String(error)}`);
        }
        expect(error.toLine()).not.toContain('\n');
        outcomes.refused++;
      }
    }
    expect(outcomes.read + outcomes.refused).toBe(ITERATIONS);
    expect(outcomes.refused).toBeGreaterThan(0);
  }, 120_000);
});
