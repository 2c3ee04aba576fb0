/**
 * `--partitions`, `--resize` and `--disk-size` end to end: a real disk converted with a new
 * layout, read back by qemu-img, judged by sfdisk and each filesystem's own tools.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { LIVE_FILES, dirtyDisk } from '../../test/fixtures/dirty-disk.js';
import { mbrWithLogicals } from '../../test/fixtures/disks.js';
import { linuxGuestDisk } from '../../test/fixtures/guest-disks.js';
import {
  checkFilesystem,
  filesystemSize,
  readFileFrom,
  type CheckedType,
} from '../../test/fixtures/filesystem-check.js';
import { sfdiskJson, withPartitionCopy } from '../../test/fixtures/truth.js';
import { openSource } from '../io/open-source.js';
import { convert, planConversion } from './convert.js';

const MiB = 2 ** 20;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(FIXTURE_ROOT, 'convert-volumes-'));
});

/** What a destination partition must be, and where its files come from on the source. */
interface Expected {
  number: number;
  start: number;
  size: number;
  type?: CheckedType;
  /** The source partition's start and size, to read the original files from. */
  from?: { start: number; size: number };
  files?: readonly string[];
  /** The filesystem fills the partition (resized), or keeps this size (moved, or grown without a resizer). */
  filesystemSize?: number;
}

async function convertAndReadBack(
  source: string,
  name: string,
  options: Parameters<typeof convert>[0] extends infer R
    ? Omit<R, 'source' | 'destination'>
    : never,
  format: 'qcow2' | 'vmdk',
): Promise<string> {
  const output = join(scratch, `${name}.${format}`);
  await convert({ source, destination: output, format, force: true, ...options });
  const raw = `${output}.raw`;
  await sh('qemu-img', ['convert', '-O', 'raw', output, raw]);
  return raw;
}

async function expectLayout(
  raw: string,
  source: string,
  diskSize: number,
  expected: readonly Expected[],
): Promise<void> {
  const table = await sfdiskJson(raw);
  const got = table.partitions.map((p) => ({
    number: Number(/(\d+)$/.exec(p.node)![1]),
    start: p.start * 512,
    size: p.size * 512,
  }));
  expect(got.filter((p) => expected.some((e) => e.number === p.number))).toEqual(
    expected.map(({ number, start, size }) => ({ number, start, size })),
  );
  expect(Number(await sh('stat', ['-c', '%s', raw]))).toBe(diskSize);
  await sh('sfdisk', ['--verify', raw]);

  for (const e of expected) {
    if (!e.type) continue;
    await withPartitionCopy(raw, e.start, e.size, async (converted) => {
      const check = await checkFilesystem(e.type!, converted);
      expect(check.ok, `partition ${e.number}: ${check.output}`).toBe(true);
      // NTFS ends on a whole cluster and keeps its backup boot sector after its last one.
      const slack = e.type === 'ntfs' ? 4096 : 0;
      const size = await filesystemSize(e.type!, converted);
      expect(size, `partition ${e.number} size`).toBeLessThanOrEqual(e.filesystemSize ?? e.size);
      expect(size, `partition ${e.number} size`).toBeGreaterThan(
        (e.filesystemSize ?? e.size) - slack - 1,
      );
      await withPartitionCopy(source, e.from!.start, e.from!.size, async (original) => {
        for (const file of e.files ?? []) {
          const [want, gotFile] = await Promise.all([
            readFileFrom(e.type!, original, file),
            readFileFrom(e.type!, converted, file),
          ]);
          expect(gotFile.equals(want), `partition ${e.number} ${file}`).toBe(true);
        }
      });
    });
  }
}

describe('convert with a new layout, GPT (ext4, NTFS, FAT32 with files)', () => {
  // dirtyDisk: three 48 MiB partitions from 1 MiB, on a 160 MiB disk.
  const p = (n: number) => ({ start: (1 + (n - 1) * 48) * MiB, size: 48 * MiB });

  it('shrinks ext4, grows NTFS and shrinks FAT32; the partitions after each move', async () => {
    const source = await dirtyDisk();
    const raw = await convertAndReadBack(
      source,
      'gpt-resize',
      { resize: { 1: 32 * MiB, 2: 64 * MiB, 3: 40 * MiB }, diskSize: 200 * MiB },
      'qcow2',
    );
    await expectLayout(raw, source, 200 * MiB, [
      { number: 1, start: MiB, size: 32 * MiB, type: 'ext4', from: p(1), files: LIVE_FILES },
      { number: 2, start: 33 * MiB, size: 64 * MiB, type: 'ntfs', from: p(2), files: LIVE_FILES },
      { number: 3, start: 97 * MiB, size: 40 * MiB, type: 'fat32', from: p(3), files: LIVE_FILES },
    ]);
    const gpt = await sh('sgdisk', ['-v', raw]);
    expect(gpt).toMatch(/No problems found/);
  });

  it('leaves a partition out, grows ext4 into its room and shrinks NTFS, on a smaller disk', async () => {
    const source = await dirtyDisk();
    const raw = await convertAndReadBack(
      source,
      'gpt-remove',
      { partitions: [1, 2], resize: { 1: 64 * MiB, 2: 40 * MiB }, diskSize: 120 * MiB },
      'vmdk',
    );
    await expectLayout(raw, source, 120 * MiB, [
      { number: 1, start: MiB, size: 64 * MiB, type: 'ext4', from: p(1), files: LIVE_FILES },
      { number: 2, start: 65 * MiB, size: 40 * MiB, type: 'ntfs', from: p(2), files: LIVE_FILES },
    ]);
    expect((await sfdiskJson(raw)).partitions).toHaveLength(2);
  });

  it('grows FAT32 past a removed partition, whose space stays free', async () => {
    const source = await dirtyDisk();
    const raw = await convertAndReadBack(
      source,
      'gpt-fat-grow',
      { partitions: [1, 3], resize: { 1: 56 * MiB, 3: 64 * MiB }, diskSize: 180 * MiB },
      'qcow2',
    );
    // Partition 1 grows by 8 MiB, so partition 3 moves 8 MiB up; partition 2's space stays free.
    await expectLayout(raw, source, 180 * MiB, [
      { number: 1, start: MiB, size: 56 * MiB, type: 'ext4', from: p(1), files: LIVE_FILES },
      { number: 3, start: 105 * MiB, size: 64 * MiB, type: 'fat32', from: p(3), files: LIVE_FILES },
    ]);
  });
});

describe('convert with a new layout, MBR with logical partitions', () => {
  // mbrWithLogicals: 1 FAT32 72M at 1M (bootable), 2 ext2 24M, 3 extended, 5 ext4 40M,
  // 6 NTFS 24M, 7 swap; sfdisk places each logical 1 MiB after its EBR.
  it('drops a primary and the swap, shrinks FAT32 and grows the ext4 logical; NTFS moves', async () => {
    const source = await mbrWithLogicals();
    const before = await sfdiskJson(source);
    const at = (n: number) => {
      const entry = before.partitions.find((e) => e.node.endsWith(String(n)))!;
      return { start: entry.start * 512, size: entry.size * 512 };
    };
    const raw = await convertAndReadBack(
      source,
      'mbr-logicals',
      { partitions: [1, 5, 6], resize: { 1: 48 * MiB, 5: 56 * MiB } },
      'qcow2',
    );
    const table = await sfdiskJson(raw);
    expect(table.id).toBe(before.id);
    expect(table.partitions.find((e) => e.node.endsWith('1'))?.bootable).toBe(true);

    // Partition 1 shrinks by 24 MiB, so everything after it moves 24 MiB down; logical 5
    // grows by 16 MiB, so logical 6 moves 8 MiB down in all.
    const five = { start: at(5).start - 24 * MiB, size: 56 * MiB };
    const six = { start: at(6).start - 8 * MiB, size: at(6).size };
    const files = ['data/numbers.txt', 'data/big.bin'];
    await expectLayout(raw, source, 200 * MiB, [
      { number: 1, start: MiB, size: 48 * MiB, type: 'fat32', from: at(1), files },
      { number: 5, ...five, type: 'ext4', from: at(5), files },
      { number: 6, ...six, type: 'ntfs', from: at(6), files: ['services'] },
    ]);
    expect(table.partitions.map((e) => e.node.replace(/.*?(\d+)$/, '$1'))).toEqual([
      '1',
      '3',
      '5',
      '6',
    ]);
  });
});

describe('convert with a new layout, swap', () => {
  it('shrinks the swap logical: mkswap makes it afresh with its UUID and label', async () => {
    const source = await mbrWithLogicals();
    const before = await sfdiskJson(source);
    const swap = before.partitions.find((e) => e.node.endsWith('7'))!;
    const identity = async (file: string) =>
      (await sh('blkid', ['-p', '-o', 'export', file])).replace(/^DEVNAME=.*\n/m, '');
    const original = await withPartitionCopy(source, swap.start * 512, swap.size * 512, identity);
    expect(original).toMatch(/^UUID=[0-9a-f-]{36}$/m);
    expect(original).toMatch(/^TYPE=swap$/m);

    const raw = await convertAndReadBack(source, 'mbr-swap', { resize: { 7: 8 * MiB } }, 'vmdk');
    const after = await sfdiskJson(raw);
    const shrunk = after.partitions.find((e) => e.node.endsWith('7'))!;
    expect({ start: shrunk.start, size: shrunk.size * 512 }).toEqual({
      start: swap.start,
      size: 8 * MiB,
    });
    await withPartitionCopy(raw, shrunk.start * 512, 8 * MiB, async (file) => {
      expect(await identity(file)).toBe(original);
      expect(await sh('file', ['-s', file])).toMatch(
        /Linux swap file, 4k page size, .*size 2047 pages/,
      );
    });
  });
});

describe('warnings in the plan', () => {
  it('warns when the partition holding the installed system is left out', async () => {
    const source = await openSource(await linuxGuestDisk());
    try {
      const plan = await planConversion(source, {
        source: source.path,
        destination: join(scratch, 'no-root.qcow2'),
        partitions: [1, 3],
      });
      expect(plan.warnings).toContainEqual(
        expect.stringMatching(/^partition 2 holds the installed system \(Debian GNU\/Linux 12/),
      );
    } finally {
      await source.close();
    }
  });
});

describe('refusals before anything is written', () => {
  it('refuses a shrink below what the filesystem needs, and a disk too small, with exit-2 codes', async () => {
    const source = await dirtyDisk();
    const destination = join(scratch, 'refused.qcow2');
    await expect(convert({ source, destination, resize: { 1: 4 * MiB } })).rejects.toMatchObject({
      code: 'LAYOUT_REFUSED',
    });
    await expect(convert({ source, destination, diskSize: 100 * MiB })).rejects.toMatchObject({
      code: 'LAYOUT_REFUSED',
      message: expect.stringMatching(/needs a disk of at least 14\d/),
    });
    await expect(sh('stat', [destination])).rejects.toThrow();
    await expect(sh('stat', [`${destination}.partial`])).rejects.toThrow();
  });
});
