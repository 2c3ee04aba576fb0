import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import {
  EXT_TREE_CASES,
  extTreeImage,
  FAT_TREE_CASES,
  fatTreeImage,
} from '../../test/fixtures/file-trees.js';
import { fuzzMutations } from '../../test/fixtures/mutate.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { parseFatBoot } from '../filesystems/fat-boot.js';
import { FerryError } from '../../shared/errors.js';
import type { DetectedFilesystem } from '../filesystems/types.js';
import type { BlockSource } from '../io/source.js';
import { openExtTree } from './ext-tree.js';
import { openFatTree } from './fat-tree.js';
import type { FileTree } from './types.js';

const ITERATIONS = Number(process.env.FERRY_FUZZ_ITERATIONS ?? 150);
/** One mutated copy opened and read; more than this is a hang. */
const TIMEOUT_MS = 5000;
/** Enough for every file the walks read, so mutations reach the deepest block maps. */
const MAX_BYTES = 6 * 1024 * 1024;

interface Walk {
  files: string[];
  directories: string[];
}

/**
 * Opens the tree on a mutated copy and reads everything the walk names. A path refused with a
 * FerryError does not stop the others from being tried; anything else thrown ends the copy.
 */
async function readAll(
  open: (volume: BlockSource, filesystem: DetectedFilesystem) => Promise<FileTree>,
  type: DetectedFilesystem['type'],
  walk: Walk,
  volume: BlockSource,
): Promise<void> {
  const tree = await open(volume, { type, label: null, uuid: null, size: null });
  const attempts = [
    ...walk.files.map((path) => () => tree.readFile(path, MAX_BYTES)),
    ...walk.directories.map((path) => () => tree.list(path)),
  ];
  for (const attempt of attempts) {
    try {
      await attempt();
    } catch (error) {
      if (!(error instanceof FerryError)) throw error;
      expect(error.toLine()).not.toContain('\n');
    }
  }
}

const EXT_WALK: Walk = {
  files: [
    '/etc/os-release',
    '/links/long-target',
    '/links/inline-target',
    '/data/sixty-kib.bin',
    '/data/big.bin',
    '/data/islands.bin',
    '/inline/hundred.bin',
    '/many/entry-1500.txt',
  ],
  directories: ['/', '/etc', '/inline/dir', '/many'],
};

/**
 * Where the walk's metadata lies, as debugfs finds it: the superblock and descriptors, each
 * path's inode, its directory blocks and its indirect or extent-tree blocks.
 */
async function extHotRanges(image: string): Promise<[number, number][]> {
  const debugfs = (command: string): Promise<string> => sh('debugfs', ['-R', command, image]);
  const blockSize = Number(/Block size:\s+(\d+)/.exec(await debugfs('stats'))![1]);
  const block = (n: number): [number, number] => [n * blockSize, blockSize];
  const hot: [number, number][] = [[1024, 1024], block(blockSize === 1024 ? 2 : 1)];
  for (const path of [...EXT_WALK.files, ...EXT_WALK.directories, '/links', '/data']) {
    const located = /located at block (\d+), offset 0x([0-9a-f]+)/.exec(
      await debugfs(`imap ${path}`),
    );
    if (!located) continue;
    hot.push([Number(located[1]) * blockSize + parseInt(located[2]!, 16), 256]);
    const metadata = (await debugfs(`stat ${path}`)).matchAll(/\((?:[DT]?IND|ETB\d+)\):(\d+)/g);
    for (const [, number] of metadata) hot.push(block(Number(number)));
  }
  for (const path of EXT_WALK.directories) {
    for (const number of (await debugfs(`blocks ${path}`)).trim().split(/\s+/).slice(0, 8)) {
      if (number) hot.push(block(Number(number)));
    }
  }
  return hot;
}

describe.each(EXT_TREE_CASES)('ext file tree survives mutations of $name', (spec) => {
  it(`${ITERATIONS} mutated copies: content or a FerryError, never a crash or a hang`, async () => {
    const image = await extTreeImage(spec);
    const base = bufferSource(await readFile(image), image);
    const plan = {
      hot: await extHotRanges(image),
      iterations: ITERATIONS,
      firstSeed: 7_000_000 + EXT_TREE_CASES.indexOf(spec) * 100_000,
      timeoutMs: TIMEOUT_MS,
    };
    const { answered, refused } = await fuzzMutations(base, plan, (volume) =>
      readAll(openExtTree, 'ext4', EXT_WALK, volume),
    );
    expect(answered + refused).toBe(ITERATIONS);
  });
});

const FAT_WALK: Walk = {
  files: [
    '/EFI/BOOT/BOOTX64.EFI',
    '/Frag/fragmented.bin',
    '/Many/A long name, number 060.txt',
    '/Deep/Er/And/Deeper/Still/leaf.bin',
  ],
  directories: ['/', '/Many', '/EFI/BOOT'],
};

/** The boot sector, the first FAT, the fixed root, and the clusters of the walk's directories. */
async function fatHotRanges(image: string, bytes: Buffer): Promise<[number, number][]> {
  const geometry = parseFatBoot(bytes.subarray(0, 512), image)!;
  const hot: [number, number][] = [
    [0, 512],
    [geometry.fatStart, geometry.fatSize],
    [geometry.fatStart, 256],
  ];
  if (geometry.rootStart > 0) hot.push([geometry.rootStart, geometry.rootEntries * 32]);
  const chains = ['/', '/Many', '/EFI', '/EFI/BOOT', '/Frag', '/Deep'];
  const shown = await sh('mshowfat', ['-i', image, ...chains.map((path) => `::${path}`)]);
  for (const [, first, last] of shown.matchAll(/<(\d+)(?:-(\d+))?>/g)) {
    const start = geometry.dataStart + (Number(first) - 2) * geometry.clusterSize;
    hot.push([start, (Number(last ?? first) - Number(first) + 1) * geometry.clusterSize]);
  }
  return hot;
}

describe.each(FAT_TREE_CASES)('FAT file tree survives mutations of FAT$bits', ({ bits }) => {
  it(`${ITERATIONS} mutated copies: content or a FerryError, never a crash or a hang`, async () => {
    const image = await fatTreeImage(bits);
    const bytes = await readFile(image);
    const base = bufferSource(bytes, image);
    const plan = {
      hot: await fatHotRanges(image, bytes),
      iterations: ITERATIONS,
      firstSeed: 8_000_000 + bits * 100_000,
      timeoutMs: TIMEOUT_MS,
    };
    const { answered, refused } = await fuzzMutations(base, plan, (volume) =>
      readAll(openFatTree, `fat${bits}`, FAT_WALK, volume),
    );
    expect(answered + refused).toBe(ITERATIONS);
  });
});
