import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import {
  DEEP_LEAF,
  EXT_TREE_CASES,
  expectSameBytes,
  expectSameTree,
  extTreeFixture,
  extTreeImage,
  MANY_FILES,
  OS_RELEASE,
  SPARSE_SIZE,
  type TreeFixture,
} from '../../test/fixtures/file-trees.js';
import { expectBadFilesystem } from '../../test/fixtures/signatures.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { FerryError } from '../../shared/errors.js';
import { extDriver } from '../filesystems/ext.js';
import { openFileSource } from '../io/file-source.js';
import type { BlockSource } from '../io/source.js';
import { openExtTree } from './ext-tree.js';
import { DEFAULT_MAX_FILE_BYTES, type FileTree } from './types.js';
import { countingSource } from '../../test/fixtures/counting-source.js';

const KiB = 1024;

/** What debugfs must say about each image for its case to test what it claims to. */
const STRUCTURES: Record<string, [command: string, shows: RegExp][]> = {
  'ext2-1k': [
    ['stat /data/sixty-kib.bin', /\(IND\)/],
    ['stat /data/big.bin', /\(DIND\)/],
    ['stat /data/sparse.bin', /\(TIND\)/],
    ['stat /links/long-target', /BLOCKS:/],
  ],
  'ext3-4k': [
    ['stats', /Filesystem features:.*has_journal/],
    ['stat /data/big.bin', /\(DIND\)/],
  ],
  'ext4-1k': [
    ['stats', /Filesystem features:.*64bit/],
    ['ex /data/islands.bin', /^\s*2\/\s*2\s/m],
    ['htree /many', /Number of entries \(count\)/],
    ['stat /links/long-target', /EXTENTS:/],
  ],
  'ext4-inline': [
    ['stat /inline/hundred.bin', /Size of inline data: 100/],
    ['stat /inline/dir', /Size of inline data: 60/],
    ['stat /links/inline-target', /system\.data \(20\)/],
  ],
};

describe.each(EXT_TREE_CASES)('ext files on $name', (spec) => {
  let fixture: TreeFixture;
  let volume: BlockSource;
  let tree: FileTree;

  beforeAll(async () => {
    fixture = await extTreeFixture(spec);
    volume = await openFileSource(fixture.image);
    const filesystem = await extDriver.probe(volume);
    tree = await openExtTree(volume, filesystem!);
  });
  afterAll(async () => {
    await volume?.close();
    await fixture?.remove();
  });

  it('holds the structures the case is about, as debugfs reports them', async () => {
    for (const [command, shows] of STRUCTURES[spec.name]!) {
      expect(await sh('debugfs', ['-R', command, fixture.image]), command).toMatch(shows);
    }
  });

  it('reads every file and lists every directory as they were put in', async () => {
    const seen = await expectSameTree(tree, fixture.source, SPARSE_SIZE, ['lost+found']);
    expect(seen.files).toBeGreaterThan(10);
    expect(seen.linksLeaving.sort()).toEqual([
      '/etc/os-release-absolute',
      '/etc/os-release-escaping',
    ]);
  });

  it('follows links as the system would with this filesystem as its root', async () => {
    for (const path of [
      '/etc/os-release',
      '/etc/os-release-absolute',
      '/etc/os-release-escaping',
      '/links/to-directory/os-release',
      '/links/to-directory/../lib/./os-release',
      '/usr/../../usr/lib/os-release',
    ]) {
      expect((await tree.readFile(path))?.toString(), path).toBe(OS_RELEASE);
    }
    expect((await tree.readFile('/links/chain-1'))?.toString()).toBe('ferry-test\n');
    expect(await tree.readFile('/links/long-target')).toEqual(await tree.readFile(DEEP_LEAF));
  });

  it('reads a loop, a dangling link, a path through a file and a directory as missing', async () => {
    for (const path of [
      '/links/loop-a',
      '/links/self',
      '/links/dangling',
      '/links/through-file',
      '/etc/hostname/more',
      '/no/such/file',
      '/usr/lib',
    ]) {
      expect(await tree.readFile(path), path).toBeNull();
    }
    expect(await tree.list('/etc/hostname')).toBeNull();
    expect(await tree.list('/links/loop-a')).toBeNull();
    expect(await tree.list('/empty')).toEqual([]);
  });

  it('refuses a file larger than maxBytes with UNSUPPORTED, before reading it', async () => {
    for (const [path, maxBytes] of [
      ['/data/sparse.bin', DEFAULT_MAX_FILE_BYTES],
      ['/data/small.bin', 999],
    ] as const) {
      const refusal = await tree.readFile(path, maxBytes).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(FerryError);
      expect((refusal as FerryError).code).toBe('UNSUPPORTED');
      expect((refusal as FerryError).toLine()).toContain(path);
    }
    expect(await tree.readFile('/data/small.bin', 1000)).toHaveLength(1000);
  });

  it('reads the head of a file, and only the blocks that hold it', async () => {
    const counted = countingSource(volume);
    const heads = await openExtTree(counted.source, (await extDriver.probe(volume))!);
    // big.bin's head reaches past the direct pointers, sparse.bin's runs into a hole, and
    // islands.bin's crosses a dozen extents of a two-level tree.
    const cases: [path: string, length: number][] = [
      ['/data/big.bin', 4096],
      ['/data/big.bin', 300 * KiB + 7],
      ['/data/sparse.bin', 10 * KiB],
      ['/data/small.bin', 100],
      ['/data/small.bin', 5000],
      ['/data/empty-file', 10],
      ['/etc/os-release', 4096],
    ];
    if (spec.name === 'ext4-1k') cases.push(['/data/islands.bin', 50 * KiB]);
    if (spec.name === 'ext4-inline') cases.push(['/inline/hundred.bin', 30]);
    for (const [path, length] of cases) {
      const whole = await readFile(join(fixture.source, path));
      counted.reset();
      const head = await heads.readHead!(path, length);
      expectSameBytes(head, whole.subarray(0, length), `${path} (${length})`);
      expect(counted.total(), path).toBeLessThan(Math.min(length, whole.length) + 64 * KiB);
    }
    expect(await heads.readHead!('/no/such/file', 10)).toBeNull();
    expect(await heads.readHead!('/links/loop-a', 10)).toBeNull();
    expect(await heads.readHead!('/usr/lib', 10)).toBeNull();
  });
});

describe('ext files on an htree directory', () => {
  it(`lists all ${MANY_FILES} entries and finds the last one`, async () => {
    const image = await extTreeImage(EXT_TREE_CASES.find((c) => c.name === 'ext4-1k')!);
    const volume = await openFileSource(image);
    try {
      const tree = await openExtTree(volume, (await extDriver.probe(volume))!);
      const names = await tree.list('/many');
      expect(names).toHaveLength(MANY_FILES);
      expect(new Set(names).size).toBe(MANY_FILES);
      const last = await tree.readFile(`/many/entry-${MANY_FILES}.txt`);
      expect(last?.toString()).toBe(`entry ${MANY_FILES}\n`);
    } finally {
      await volume.close();
    }
  });
});

describe('ext structures that contradict themselves', () => {
  /** The image of a case, in memory, and the blocks debugfs lists as metadata of `path`. */
  async function damageable(name: string, path: string) {
    const image = await extTreeImage(EXT_TREE_CASES.find((c) => c.name === name)!);
    const stat = await sh('debugfs', ['-R', `stat ${path}`, image]);
    const metadata = [...stat.matchAll(/\(([A-Z]+\d*)\):(\d+)/g)].map(([, kind, block]) => ({
      kind: kind!,
      at: Number(block) * 1024,
    }));
    return { bytes: await readFile(image), metadata };
  }

  async function openDamaged(bytes: Buffer): Promise<FileTree> {
    const volume = bufferSource(bytes);
    return openExtTree(volume, (await extDriver.probe(volume))!);
  }

  it('refuses an indirect block used twice', async () => {
    const { bytes, metadata } = await damageable('ext2-1k', '/data/big.bin');
    const double = metadata.find((block) => block.kind === 'DIND')!;
    bytes.writeUInt32LE(bytes.readUInt32LE(double.at), double.at + 4);
    const refusal = await expectBadFilesystem((await openDamaged(bytes)).readFile('/data/big.bin'));
    expect(refusal.message).toContain('used twice');
  });

  it('refuses an extent tree node without its magic', async () => {
    const { bytes, metadata } = await damageable('ext4-1k', '/data/islands.bin');
    bytes.writeUInt16LE(0, metadata.find((block) => block.kind === 'ETB1')!.at);
    const tree = await openDamaged(bytes);
    const refusal = await expectBadFilesystem(tree.readFile('/data/islands.bin'));
    expect(refusal.message).toContain('extent tree node');
  });

  it('refuses a volume without an ext superblock', async () => {
    const empty = bufferSource(Buffer.alloc(1024 * 1024));
    await expectBadFilesystem(
      openExtTree(empty, { type: 'ext4', label: null, uuid: null, size: null }),
    );
  });
});
