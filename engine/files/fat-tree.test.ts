import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import {
  expectSameBytes,
  expectSameTree,
  fatTreeFixture,
  fatTreeImage,
  type TreeFixture,
} from '../../test/fixtures/file-trees.js';
import { expectBadFilesystem } from '../../test/fixtures/signatures.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { FerryError } from '../../shared/errors.js';
import { parseFatBoot } from '../filesystems/fat-boot.js';
import { fatDriver } from '../filesystems/fat.js';
import { openFileSource } from '../io/file-source.js';
import type { BlockSource } from '../io/source.js';
import { openFatTree } from './fat-tree.js';
import type { FileTree } from './types.js';

/** The cluster runs mshowfat prints for a path: "<2> <225-227>" is two. */
async function clusterRuns(image: string, path: string): Promise<number> {
  const shown = await sh('mshowfat', ['-i', image, `::${path}`]);
  return shown.match(/<\d+(-\d+)?>/g)?.length ?? 0;
}

async function openTree(volume: BlockSource): Promise<FileTree> {
  return openFatTree(volume, (await fatDriver.probe(volume))!);
}

describe.each([12, 16, 32] as const)('FAT%i files', (bits) => {
  let fixture: TreeFixture;
  let volume: BlockSource;
  let tree: FileTree;

  beforeAll(async () => {
    fixture = await fatTreeFixture(bits);
    volume = await openFileSource(fixture.image);
    expect((await fatDriver.probe(volume))?.type).toBe(`fat${bits}`);
    tree = await openTree(volume);
  });
  afterAll(async () => {
    await volume?.close();
    await fixture?.remove();
  });

  it('holds the chains and deleted entries the tests are about', async () => {
    // FAT32's next-free hint skips the holes that fragment the file on FAT12/16.
    if (bits !== 32)
      expect(await clusterRuns(fixture.image, '/Frag/fragmented.bin')).toBeGreaterThan(1);
    expect(await clusterRuns(fixture.image, '/Many')).toBeGreaterThan(1);
    if (bits === 32) expect(await clusterRuns(fixture.image, '/')).toBeGreaterThan(1);
    const image = await readFile(fixture.image);
    expect(image.indexOf(Buffer.from('\xe5OOMED  BIN', 'latin1'))).toBeGreaterThan(0);
    expect(image.indexOf(Buffer.from('\xe5ELETE~1TXT', 'latin1'))).toBeGreaterThan(0);
  });

  it('reads every file and lists every directory as they were put in', async () => {
    const seen = await expectSameTree(tree, fixture.source, 1024 * 1024);
    expect(seen.files).toBeGreaterThan(60);
    expect(seen.directories).toBeGreaterThan(8);
  });

  it('finds names whatever their case, by long name or 8.3 alias', async () => {
    const efi = await readFile(`${fixture.source}/EFI/BOOT/BOOTX64.EFI`);
    expectSameBytes(await tree.readFile('/efi/boot/bootx64.efi'), efi, 'lower case');
    expectSameBytes(await tree.readFile('/Efi/./Boot/../BOOT/BootX64.efi'), efi, '. and ..');
    expect((await tree.readFile('/LONGFI~1.TXT'))?.toString()).toBe('long name\n');
    expect((await tree.readFile('/long file name with SPACES.TXT'))?.toString()).toBe(
      'long name\n',
    );
    expect((await tree.readFile('/ÉTÉ.TXT'))?.toString()).toBe('a short name in code page 437\n');
    expect(await tree.list('/many/')).toHaveLength(120);
  });

  it('skips deleted entries and reads what is missing as null', async () => {
    expect(await tree.readFile('/Frag/doomed.bin')).toBeNull();
    expect(await tree.readFile('/Deleted Long Name.txt')).toBeNull();
    expect(await tree.readFile('/EFI')).toBeNull();
    expect(await tree.readFile('/UPPER.TXT/more')).toBeNull();
    expect(await tree.list('/UPPER.TXT')).toBeNull();
    expect(await tree.list('/nowhere')).toBeNull();
    expect((await tree.readFile('/empty.txt'))?.length).toBe(0);
  });

  it('reads the head of a file, through its chain as far as the head reaches', async () => {
    const fragmented = await readFile(`${fixture.source}/Frag/fragmented.bin`);
    // 20000 bytes run from the holes a.bin and c.bin left into the clusters after c.bin.
    for (const length of [1, 1000, 20000, fragmented.length, fragmented.length + 1]) {
      const head = await tree.readHead!('/frag/FRAGMENTED.BIN', length);
      expectSameBytes(head, fragmented.subarray(0, length), `fragmented.bin (${length})`);
    }
    expect((await tree.readHead!('/UPPER.TXT', 5))?.toString()).toBe('plain');
    expect((await tree.readHead!('/upper.txt', 1000))?.toString()).toBe('plain 8.3\n');
    expect((await tree.readHead!('/efi/boot/bootx64.efi', 2))?.toString('hex')).toBe(
      (await readFile(`${fixture.source}/EFI/BOOT/BOOTX64.EFI`)).subarray(0, 2).toString('hex'),
    );
    expect(await tree.readHead!('/empty.txt', 10)).toEqual(Buffer.alloc(0));
    expect(await tree.readHead!('/Frag/doomed.bin', 10)).toBeNull();
    expect(await tree.readHead!('/EFI', 10)).toBeNull();
    expect(await tree.readHead!('/nowhere/at/all', 10)).toBeNull();
  });

  it('refuses a file larger than maxBytes with UNSUPPORTED', async () => {
    const refusal = await tree
      .readFile('/EFI/BOOT/BOOTX64.EFI', 1000)
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(FerryError);
    expect((refusal as FerryError).code).toBe('UNSUPPORTED');
  });

  it('shows the 8.3 name when the long name does not belong to it (checksum)', async () => {
    // What an old DOS leaves when it renames a file: the short name changes, the long one stays.
    const image = await readFile(fixture.image);
    const at = image.indexOf('MIXEDC~1TXT');
    image.write('MIXEDC~2TXT', at, 'latin1');
    const names = await (await openTree(bufferSource(image))).list('/');
    expect(names).toContain('MIXEDC~2.TXT');
    expect(names).not.toContain('MixedCase.Txt');
  });
});

describe('FAT chains that contradict the directory', () => {
  /** A FAT16 or FAT32 image with the FAT entry of one cluster of `path` set to `value`. */
  async function withFatEntry(
    bits: 16 | 32,
    path: string,
    pick: (clusters: number[]) => [cluster: number, value: number],
  ): Promise<FileTree> {
    const image = await fatTreeImage(bits);
    const shown = await sh('mshowfat', ['-i', image, `::${path}`]);
    const clusters = [...shown.matchAll(/<(\d+)(?:-(\d+))?>/g)].flatMap(([, first, last]) =>
      Array.from(
        { length: Number(last ?? first) - Number(first) + 1 },
        (_, i) => Number(first) + i,
      ),
    );
    const bytes = await readFile(image);
    const geometry = parseFatBoot(bytes.subarray(0, 512), image)!;
    const [cluster, value] = pick(clusters);
    if (bits === 16) bytes.writeUInt16LE(value, geometry.fatStart + cluster * 2);
    else bytes.writeUInt32LE(value, geometry.fatStart + cluster * 4);
    return openTree(bufferSource(bytes));
  }

  it.each([16, 32] as const)('FAT%i: a file chain that loops is refused', async (bits) => {
    const tree = await withFatEntry(bits, '/Frag/fragmented.bin', ([first]) => [first!, first!]);
    const refusal = await expectBadFilesystem(tree.readFile('/Frag/fragmented.bin'));
    expect(refusal.message).toContain('loops');
  });

  it.each([16, 32] as const)('FAT%i: a file chain that ends early is refused', async (bits) => {
    const tree = await withFatEntry(bits, '/Frag/fragmented.bin', ([first]) => [
      first!,
      bits === 16 ? 0xfff8 : 0x0ffffff8,
    ]);
    const refusal = await expectBadFilesystem(tree.readFile('/Frag/fragmented.bin'));
    expect(refusal.message).toContain('shorter');
  });

  it.each([16, 32] as const)(
    'FAT%i: the head of a file is read without following its chain further',
    async (bits) => {
      const tree = await withFatEntry(bits, '/Frag/fragmented.bin', ([first]) => [
        first!,
        bits === 16 ? 0xfff8 : 0x0ffffff8,
      ]);
      const head = await tree.readHead!('/Frag/fragmented.bin', 512);
      const fixture = await fatTreeFixture(bits);
      try {
        const whole = await readFile(`${fixture.source}/Frag/fragmented.bin`);
        expectSameBytes(head, whole.subarray(0, 512), 'the first cluster');
      } finally {
        await fixture.remove();
      }
      await expectBadFilesystem(tree.readHead!('/Frag/fragmented.bin', 513));
    },
  );

  it.each([16, 32] as const)('FAT%i: a directory chain that loops is refused', async (bits) => {
    const tree = await withFatEntry(bits, '/Many', (clusters) => [clusters.at(-1)!, clusters[0]!]);
    const refusal = await expectBadFilesystem(tree.list('/Many'));
    expect(refusal.message).toContain('loops');
  });

  it('a volume without a FAT boot sector is refused', async () => {
    const empty = bufferSource(Buffer.alloc(1024 * 1024));
    await expectBadFilesystem(
      openFatTree(empty, { type: 'fat16', label: null, uuid: null, size: null }),
    );
  });
});
