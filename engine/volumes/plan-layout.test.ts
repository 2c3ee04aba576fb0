import { beforeAll, describe, expect, it } from 'vitest';
import { gptDisk, mbrWithLogicals } from '../../test/fixtures/disks.js';
import { sfdiskImage, withImage } from '../../test/fixtures/tables.js';
import { readLayout, type DiskLayout } from '../inspect.js';
import { planLayout } from './plan-layout.js';
import type { LayoutPlan, VolumeRequest } from './types.js';

const MIB = 1024 ** 2;
const S = 512;

function layoutOf(image: string): Promise<DiskLayout> {
  return withImage(image, readLayout);
}

/** [number, source number, kind, start sector, size sector, action, EBR sector] per partition. */
function summary(plan: LayoutPlan): unknown[] {
  return plan.partitions.map((p) => [
    p.number,
    p.sourceNumber,
    p.kind,
    p.start / S,
    p.size / S,
    p.action,
    p.ebr === null ? null : p.ebr / S,
  ]);
}

function plan(layout: DiskLayout, request: VolumeRequest): LayoutPlan {
  return planLayout(layout, { size: layout.report.size }, request);
}

function refusal(layout: DiskLayout, request: VolumeRequest): unknown {
  try {
    plan(layout, request);
  } catch (error) {
    return error;
  }
  throw new Error('the plan was not refused');
}

/**
 * mbrWithLogicals, in sectors: 1 FAT32 2048+147456 (bootable), 2 ext2 149504+49152, 3 extended
 * 198656+210944, 5 ext4 200704+81920, 6 NTFS 284672+49152, 7 swap 335872+73728; 409600 in all.
 */
describe('planLayout on MBR', () => {
  let mbr: DiskLayout;
  beforeAll(async () => {
    mbr = await layoutOf(await mbrWithLogicals());
  });

  it('keeps an unchanged layout exactly as the source has it', () => {
    const result = plan(mbr, {});
    expect(summary(result)).toEqual([
      [1, 1, 'primary', 2048, 147456, 'copy', null],
      [2, 2, 'primary', 149504, 49152, 'copy', null],
      [3, 3, 'extended', 198656, 210944, 'container', null],
      [5, 5, 'logical', 200704, 81920, 'copy', 198656],
      [6, 6, 'logical', 284672, 49152, 'copy', 282624],
      [7, 7, 'logical', 335872, 73728, 'copy', 333824],
    ]);
    expect(result).toMatchObject({
      table: 'mbr',
      sectorSize: 512,
      diskSize: 200 * MIB,
      minimumDiskSize: 200 * MIB,
      warnings: [],
    });
    expect(result.partitions.map((p) => p.filesystem)).toEqual([
      'fat32',
      'ext2',
      null,
      'ext4',
      'ntfs',
      'swap',
    ]);
  });

  it('renumbers the logical partitions after a removed one, which stay where they are', () => {
    const result = plan(mbr, { partitions: [1, 2, 6, 7] });
    expect(summary(result)).toEqual([
      [1, 1, 'primary', 2048, 147456, 'copy', null],
      [2, 2, 'primary', 149504, 49152, 'copy', null],
      [3, 3, 'extended', 282624, 126976, 'container', null],
      [5, 6, 'logical', 284672, 49152, 'copy', 282624],
      [6, 7, 'logical', 335872, 73728, 'copy', 333824],
    ]);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^logical partition 6 becomes 5/),
      expect.stringMatching(/^logical partition 7 becomes 6/),
    ]);
  });

  it('drops the extended container with the last of its logicals; naming it keeps them all', () => {
    expect(summary(plan(mbr, { partitions: [2, 1] })).map((p) => (p as unknown[])[0])).toEqual([
      1, 2,
    ]);
    expect(summary(plan(mbr, { partitions: [3] })).map((p) => (p as unknown[])[0])).toEqual([
      3, 5, 6, 7,
    ]);
  });

  it('moves what follows a grown partition by its growth, on 1 MiB boundaries, and grows the disk', () => {
    const result = plan(mbr, { resize: new Map([[2, 32 * MIB]]) });
    expect(summary(result)).toEqual([
      [1, 1, 'primary', 2048, 147456, 'copy', null],
      [2, 2, 'primary', 149504, 65536, 'resize', null],
      [3, 3, 'extended', 215040, 210944, 'container', null],
      [5, 5, 'logical', 217088, 81920, 'copy', 215040],
      [6, 6, 'logical', 301056, 49152, 'copy', 299008],
      [7, 7, 'logical', 352256, 73728, 'copy', 350208],
    ]);
    expect(result.diskSize).toBe(208 * MIB);
    expect(result.minimumDiskSize).toBe(208 * MIB);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^partition 6 moves: Windows on an MBR disk/),
    ]);
  });

  it('pulls what follows a shrunk partition down and keeps the disk size', () => {
    const result = plan(mbr, { resize: new Map([[1, 64 * MIB]]), partitions: [1, 2] });
    expect(summary(result)).toEqual([
      [1, 1, 'primary', 2048, 131072, 'resize', null],
      [2, 2, 'primary', 133120, 49152, 'copy', null],
    ]);
    expect(result.diskSize).toBe(200 * MIB);
    expect(result.minimumDiskSize).toBe(182272 * S);
  });

  it('grows and shrinks a swap partition, which mkswap makes afresh at its new size', () => {
    const grown = plan(mbr, { resize: new Map([[7, 44 * MIB]]), diskSize: 256 * MIB });
    expect(grown.partitions.at(-1)).toMatchObject({ number: 7, size: 44 * MIB, action: 'resize' });
    expect(grown.diskSize).toBe(256 * MIB);
    expect(grown.warnings).toEqual([]);
    const shrunk = plan(mbr, { resize: new Map([[7, 2 * MIB]]) });
    expect(shrunk.partitions.at(-1)).toMatchObject({ number: 7, size: 2 * MIB, action: 'resize' });
  });

  it('warns when the bootable partition is left out', () => {
    expect(plan(mbr, { partitions: [2] }).warnings).toEqual([
      'partition 1 (marked bootable) is not copied; the VM may not boot',
    ]);
  });

  it.each<[string, VolumeRequest, RegExp]>([
    [
      'an unknown partition',
      { partitions: [1, 4] },
      /names partition 4, which the source does not have/,
    ],
    ['an unknown resize', { resize: new Map([[9, 8 * MIB]]) }, /--resize names partition 9/],
    [
      'the extended container resized',
      { resize: new Map([[3, 300 * MIB]]) },
      /extended partition cannot be resized/,
    ],
    [
      'a partition resized but not kept',
      { partitions: [1], resize: new Map([[2, 30 * MIB]]) },
      /resized but not copied/,
    ],
    ['a size below 1 MiB', { resize: new Map([[2, 1000 * S]]) }, /below the 1 MiB/],
    [
      'a size in part sectors',
      { resize: new Map([[2, 30 * MIB + 100]]) },
      /whole number of 512-byte sectors/,
    ],
    ['nothing left', { partitions: [] }, /no partitions are left/],
    [
      'ext2 shrunk below its data',
      { resize: new Map([[2, 2 * MIB]]) },
      /ext2 filesystem uses .*, more than 2 MiB/,
    ],
    [
      'more than an MBR describes',
      { resize: new Map([[7, 2 * 1024 * 1024 * MIB]]) },
      /which an MBR cannot describe/,
    ],
    ['a disk in part sectors', { diskSize: 200 * MIB + 1 }, /not a whole number/],
  ])('refuses %s', (_, request, message) => {
    const error = refusal(mbr, request);
    expect(error).toMatchObject({ name: 'FerryError', code: 'LAYOUT_REFUSED', kind: 'input' });
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a disk too small, naming the size that would do', () => {
    const error = refusal(mbr, { partitions: [1, 2], diskSize: 90 * MIB });
    expect(error).toMatchObject({
      code: 'LAYOUT_REFUSED',
      message: expect.stringMatching(/at least 97 MiB \(101711872 bytes\)/),
      hint: 'use --disk-size 97M, or shrink partition 2 with --resize or leave it out with --partitions',
    });
    expect(plan(mbr, { partitions: [1, 2], diskSize: 97 * MIB }).diskSize).toBe(97 * MIB);
  });
});

/**
 * gptDisk, in sectors: 1 ESP 2048+147456, 2 ext4 149504+98304, 3 NTFS 247808+81920, 4 swap
 * 329728+79839 (to the last usable LBA); 409600 in all.
 */
describe('planLayout on GPT', () => {
  let gpt: DiskLayout;
  beforeAll(async () => {
    gpt = await layoutOf(await gptDisk());
  });

  it('keeps entry numbers, leaves a removed partition free and warns of a missing ESP', () => {
    const result = plan(gpt, { partitions: [2, 4] });
    expect(summary(result)).toEqual([
      [2, 2, 'primary', 149504, 98304, 'copy', null],
      [4, 4, 'primary', 329728, 79839, 'copy', null],
    ]);
    expect(result).toMatchObject({
      table: 'gpt',
      gptEntries: 128,
      diskSize: 200 * MIB,
      minimumDiskSize: 200 * MIB,
    });
    expect(result.warnings).toEqual([
      'partition 1 (the EFI system partition) is not copied; the VM may not boot',
    ]);
  });

  it('sizes the disk for the backup table after a grown partition', () => {
    const result = plan(gpt, { resize: new Map([[3, 48 * MIB]]) });
    expect(summary(result).slice(2)).toEqual([
      [3, 3, 'primary', 247808, 98304, 'resize', null],
      [4, 4, 'primary', 346112, 79839, 'copy', null],
    ]);
    expect(result.minimumDiskSize).toBe((346112 + 79839 + 33) * S);
    expect(result.diskSize).toBe(208 * MIB);
  });

  it('gives a partition asked to fill the disk all the room the others leave', () => {
    const result = plan(gpt, { fill: 3, diskSize: 256 * MIB });
    expect(summary(result).slice(2)).toEqual([
      [3, 3, 'primary', 247808, 196608, 'resize', null],
      [4, 4, 'primary', 444416, 79839, 'copy', null],
    ]);
    // Partition 4 follows it, and the backup table fills the last 33 sectors.
    expect((444416 + 79839 + 33) * S).toBe(256 * MIB);
    expect(result.minimumDiskSize).toBe(256 * MIB);
    // Without room to spare it keeps its size; an unknown partition is refused as --resize is.
    expect(plan(gpt, { fill: 3 }).partitions[2]).toMatchObject({ size: 81920 * S, action: 'copy' });
    expect(refusal(gpt, { fill: 9 })).toMatchObject({ code: 'LAYOUT_REFUSED' });
  });

  it('takes a smaller disk that still holds the partitions and the backup table', () => {
    const error = refusal(gpt, { partitions: [1, 2, 3], diskSize: 160 * MIB });
    expect(error).toMatchObject({
      hint: expect.stringMatching(/--disk-size 162M, or shrink partition 3/),
    });
    expect(plan(gpt, { partitions: [1, 2, 3], diskSize: 162 * MIB }).minimumDiskSize).toBe(
      (329728 + 33) * S,
    );
  });
});

describe('planLayout on an old DOS layout', () => {
  /** Cylinder-aligned partitions at sector 63, as DOS fdisk made them. */
  const DOS = `label: dos
start=63, size=16002, type=83
start=16065, size=16065, type=83
start=32130, size=32130, type=5
start=32193, size=16002, type=83
start=48258, size=15998, type=83
`;

  it('keeps unaligned starts and puts each EBR where there is room for it', async () => {
    const layout = await layoutOf(await sfdiskImage('plan-dos', 32, DOS));
    expect(summary(plan(layout, {}))).toEqual([
      [1, 1, 'primary', 63, 16002, 'copy', null],
      [2, 2, 'primary', 16065, 16065, 'copy', null],
      [3, 3, 'extended', 32130, 32126, 'container', null],
      [5, 5, 'logical', 32193, 16002, 'copy', 32130],
      [6, 6, 'logical', 48258, 15998, 'copy', 48195],
    ]);
    expect(summary(plan(layout, { partitions: [1, 6] }))).toEqual([
      [1, 1, 'primary', 63, 16002, 'copy', null],
      [3, 3, 'extended', 46210, 18046, 'container', null],
      [5, 6, 'logical', 48258, 15998, 'copy', 46210],
    ]);
  });

  it('refuses a partition that cannot be shrunk without knowing what it holds', async () => {
    const layout = await layoutOf(await sfdiskImage('plan-dos', 32, DOS));
    expect(refusal(layout, { resize: new Map([[2, 4 * MIB]]) })).toMatchObject({
      message: 'Ferry cannot shrink what it holds',
    });
  });
});
