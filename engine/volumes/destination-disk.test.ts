import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bash, cachedImage, FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { gpt4kDisk, gptDisk, mbrWithLogicals } from '../../test/fixtures/disks.js';
import { checkFilesystem, type CheckedType } from '../../test/fixtures/filesystem-check.js';
import {
  bufferSource,
  imageSource,
  randomSfdiskImage,
  sgdiskImage,
  withImage,
  withLoopDevice,
} from '../../test/fixtures/tables.js';
import {
  blkidProbe,
  expectedPartitions,
  sfdiskJson,
  withPartitionCopy,
  type ExpectedPartition,
} from '../../test/fixtures/truth.js';
import { readLayout, type DiskLayout } from '../inspect.js';
import { sliceSource } from '../io/slice.js';
import type { BlockSource } from '../io/source.js';
import { readExtents } from '../jobs/read-extents.js';
import { readPartitionTable } from '../partitions/read-table.js';
import { shiftRanges, totalLength } from '../ranges.js';
import { destinationDisk, type DestinationDisk, type ReplacedVolume } from './destination-disk.js';
import { planLayout } from './plan-layout.js';
import type { LayoutPlan, PlannedPartition, VolumeRequest } from './types.js';

const MIB = 1024 ** 2;

/**
 * mbrWithLogicals with boot code in sector 0 and a core image in the gap before partition 1.
 * Random bytes stand in for GRUB's boot.img and core.img: grub-install is not among the tools.
 */
function mbrWithBootCode(): Promise<string> {
  return mbrWithLogicals().then((base) =>
    cachedImage(
      'disk-mbr-boot-code',
      (img) =>
        bash(`cp --sparse=always '${base}' '${img}'
        head -c 440 /dev/urandom | dd of='${img}' conv=notrunc status=none
        head -c $((2047 * 512)) /dev/urandom | dd of='${img}' bs=512 seek=1 conv=notrunc status=none`),
      base,
    ),
  );
}

/** A file's bytes as the filesystem's own tools read them; `path` has no leading slash. */
async function readFileOf(type: CheckedType, image: string, path: string): Promise<Buffer> {
  const [tool, args] = {
    ext4: ['debugfs', ['-R', `cat /${path}`, image]],
    fat32: ['mtype', ['-i', image, `::/${path}`]],
    ntfs: ['ntfscat', [image, path]],
  }[type] as [string, string[]];
  const run = await execa(tool, args, {
    encoding: 'buffer',
    env: { MTOOLS_SKIP_CHECK: '1' },
  });
  return Buffer.from(run.stdout);
}

interface Converted {
  image: string;
  plan: LayoutPlan;
  layout: DiskLayout;
  result: DestinationDisk;
}

/** One source partition's own volume, as the resizer would hand it over unresized. */
function unresized(source: BlockSource, layout: DiskLayout, number: number): ReplacedVolume {
  const p = layout.report.table.partitions.find((q) => q.number === number)!;
  return {
    volume: sliceSource(source, p.start, p.size),
    used: shiftRanges(layout.used.get(number)!, -p.start),
  };
}

describe('destinationDisk', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(FIXTURE_ROOT, 'destination-disk-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /**
   * Plans `request` on `source`, then writes the destination disk to a file the way a conversion
   * does: only the `copy` ranges, through readExtents, all-zero granules left out.
   */
  async function convert(
    sourceImage: string,
    name: string,
    request: VolumeRequest,
    grownOnly: readonly number[] = [],
  ): Promise<Converted> {
    const image = join(work, `${name}.img`);
    return withImage(sourceImage, async (source) => {
      const layout = await readLayout(source);
      const plan = planLayout(layout, source, request);
      const replaced = new Map(grownOnly.map((n) => [n, unresized(source, layout, n)] as const));
      const result = destinationDisk(source, layout, plan, replaced);
      await sh('truncate', ['-s', String(plan.diskSize), image]);
      const handle = await open(image, 'r+');
      try {
        for await (const extent of readExtents(result.disk, result.copy)) {
          await handle.write(extent.data, 0, extent.data.length, extent.offset);
          extent.release?.();
        }
      } finally {
        await handle.close();
      }
      return { image, plan, layout, result };
    });
  }

  /** The plan in sfdisk's terms, names and GUIDs from the source partitions they came from. */
  function planned({ plan, layout }: Converted): ExpectedPartition[] {
    return plan.partitions.map((p) => {
      const source = layout.report.table.partitions.find((q) => q.number === p.sourceNumber)!;
      return {
        number: p.number,
        start: p.start,
        size: p.size,
        type: p.type,
        bootable: p.bootable,
        name: source.name,
        uuid: source.uuid,
      };
    });
  }

  /** Runs the filesystem's checker on the partition and reads `files` back from it and the source. */
  async function expectSameFiles(
    sourceImage: string,
    converted: Converted,
    p: PlannedPartition,
    type: CheckedType,
    files: readonly string[],
  ): Promise<void> {
    await withPartitionCopy(converted.image, p.start, p.size, async (part) => {
      const check = await checkFilesystem(type, part);
      expect(check.ok, check.output).toBe(true);
      await withPartitionCopy(sourceImage, p.sourceStart, p.sourceSize, async (original) => {
        for (const file of files) {
          const copied = await readFileOf(type, part, file);
          expect(copied.length).toBeGreaterThan(0);
          expect(copied.equals(await readFileOf(type, original, file)), file).toBe(true);
        }
      });
    });
  }

  const partition = (c: Converted, number: number): PlannedPartition =>
    c.plan.partitions.find((p) => p.number === number)!;

  it('MBR: drops a logical, grows a partition, moves and renumbers the logicals after it', async () => {
    const source = await mbrWithBootCode();
    const c = await convert(
      source,
      'mbr-moved',
      {
        partitions: [1, 2, 6, 7],
        resize: new Map([[2, 32 * MIB]]),
      },
      [2],
    );
    expect(
      c.plan.partitions.map((p) => [p.number, p.sourceNumber, p.start - p.sourceStart]),
    ).toEqual([
      [1, 1, 0],
      [2, 2, 0],
      [3, 3, 49 * MIB],
      [5, 6, 8 * MIB],
      [6, 7, 8 * MIB],
    ]);

    const table = await sfdiskJson(c.image);
    expect(table.id).toBe('0x1234abcd');
    expect(expectedPartitions(table)).toEqual(planned(c));
    expect(await sh('sfdisk', ['--verify', c.image])).toMatch(/No errors detected/);

    const [written, original] = await Promise.all([
      withImage(c.image, (d) => d.read(0, MIB)),
      withImage(source, (s) => s.read(0, MIB)),
    ]);
    expect(written.subarray(0, 446).equals(original.subarray(0, 446))).toBe(true);
    expect(written.subarray(512).equals(original.subarray(512))).toBe(true);

    await expectSameFiles(source, c, partition(c, 1), 'fat32', ['data/big.bin', 'etc/services']);
    await expectSameFiles(source, c, partition(c, 2), 'ext4', ['data/big.bin', 'data/numbers.txt']);
    await expectSameFiles(source, c, partition(c, 5), 'ntfs', ['big.bin', 'services']);
    const swap = partition(c, 6);
    expect(await blkidProbe(c.image, swap.start, swap.size)).toMatchObject({
      TYPE: 'swap',
      LABEL: 'swap0',
    });
    expect(totalLength(c.result.copy)).toBeLessThan(c.plan.diskSize / 4);
  });

  it('MBR: a smaller disk holding only the partitions kept', async () => {
    const source = await mbrWithLogicals();
    const c = await convert(source, 'mbr-small', { partitions: [1, 2], diskSize: 100 * MIB });
    expect(await withImage(c.image, async (d) => d.size)).toBe(100 * MIB);
    expect(expectedPartitions(await sfdiskJson(c.image))).toEqual(planned(c));
    expect(await sh('sfdisk', ['--verify', c.image])).toMatch(/No errors detected/);
    await expectSameFiles(source, c, partition(c, 2), 'ext4', ['data/numbers.txt']);
  });

  it('MBR: a logical partition moved up behind a grown first partition', async () => {
    const source = await mbrWithLogicals();
    const c = await convert(
      source,
      'mbr-logical-moved',
      { partitions: [1, 5], resize: new Map([[1, 80 * MIB]]), diskSize: 150 * MIB },
      [1],
    );
    const moved = partition(c, 5);
    expect([moved.sourceNumber, moved.start - moved.sourceStart]).toEqual([5, 8 * MIB]);
    expect(expectedPartitions(await sfdiskJson(c.image))).toEqual(planned(c));
    expect(await sh('sfdisk', ['--verify', c.image])).toMatch(/No errors detected/);
    await expectSameFiles(source, c, moved, 'ext4', ['data/big.bin', 'etc/services']);
    await expectSameFiles(source, c, partition(c, 1), 'fat32', ['data/numbers.txt']);
  });

  it('GPT: drops the ESP, grows a partition and moves the rest, names and GUIDs kept', async () => {
    const source = await gptDisk();
    const c = await convert(
      source,
      'gpt-moved',
      {
        partitions: [2, 3, 4],
        resize: new Map([[2, 64 * MIB]]),
      },
      [2],
    );
    expect(c.plan.diskSize).toBe(216 * MIB);
    const table = await sfdiskJson(c.image);
    expect(table.id.toLowerCase()).toBe(c.layout.report.table.id);
    expect(expectedPartitions(table)).toEqual(planned(c));
    expect(await sh('sgdisk', ['-v', c.image])).toMatch(/No problems found/);

    await expectSameFiles(source, c, partition(c, 2), 'ext4', ['data/big.bin', 'etc/services']);
    await expectSameFiles(source, c, partition(c, 3), 'ntfs', ['big.bin']);
    const swap = partition(c, 4);
    expect(swap.start - swap.sourceStart).toBe(16 * MIB);
    expect(await blkidProbe(c.image, swap.start, swap.size)).toMatchObject({ TYPE: 'swap' });
  });

  it('GPT: a smaller disk gets its backup table at its new end', async () => {
    const source = await gptDisk();
    const c = await convert(source, 'gpt-small', { partitions: [1, 2], diskSize: 130 * MIB });
    expect(expectedPartitions(await sfdiskJson(c.image))).toEqual(planned(c));
    expect(await sh('sgdisk', ['-v', c.image])).toMatch(/No problems found/);
    await expectSameFiles(source, c, partition(c, 1), 'fat32', ['data/numbers.txt']);
  });

  it('GPT: keeps every attribute bit and the exact name bytes of each entry, on a larger disk', async () => {
    const source = await sgdiskImage('destination-gpt-attributes', 16, [
      '-n',
      '1:2048:+4M',
      '-t',
      '1:ef00',
      '-A',
      '1:set:2',
      '-n',
      '2:0:+4M',
      '-c',
      '2:ρίζα',
      '-A',
      '2:set:63',
      '-A',
      '2:set:0',
      '-n',
      '5:0:+2M',
      '-A',
      '5:set:60',
    ]);
    const c = await convert(source, 'gpt-attributes', {
      partitions: [2, 5],
      resize: new Map([[2, 6 * MIB]]),
      diskSize: 24 * MIB,
    });
    expect(await withImage(c.image, async (d) => d.size)).toBe(24 * MIB);
    const before = (await sfdiskJson(source)).partitions;
    const after = (await sfdiskJson(c.image)).partitions;
    expect(after.map((p) => [p.name, p.attrs, p.uuid])).toEqual(
      before.slice(1).map((p) => [p.name, p.attrs, p.uuid]),
    );
    expect(await sh('sgdisk', ['-v', c.image])).toMatch(/No problems found/);
  });

  it('GPT with 4096-byte sectors: grows the root partition, shrinks the disk', async () => {
    const source = await gpt4kDisk();
    const c = await convert(
      source,
      'gpt-4k',
      {
        partitions: [1, 2],
        resize: new Map([[2, 96 * MIB]]),
        diskSize: 384 * MIB,
      },
      [2],
    );
    expect(c.plan.sectorSize).toBe(4096);
    expect(expectedPartitions(await sfdiskJson(c.image, 4096))).toEqual(planned(c));
    const verdict = await withLoopDevice(c.image, 4096, (device) => sh('sgdisk', ['-v', device]));
    expect(verdict).toMatch(/No problems found/);
    await expectSameFiles(source, c, partition(c, 2), 'ext4', ['data/big.bin']);
    await expectSameFiles(source, c, partition(c, 1), 'fat32', ['etc/services']);
  });
});

describe('destinationDisk reads', () => {
  /** Random bytes in every partition and gap, so a read from the wrong place shows. */
  const SCRIPT = `label: dos
start=2048, size=4096, type=83
start=6144, size=4096, type=7
start=10240, size=36864, type=5
start=12288, size=4096, type=83
start=18432, size=4096, type=b
`;
  const REQUEST: VolumeRequest = { partitions: [1, 2, 6], resize: new Map([[1, 3 * MIB]]) };

  async function randomDisk(): Promise<{
    bytes: Buffer;
    source: BlockSource;
    layout: DiskLayout;
    plan: LayoutPlan;
  }> {
    const image = await randomSfdiskImage('destination-random', 24, SCRIPT);
    const source = await imageSource(image);
    const layout = await readLayout(source);
    const plan = planLayout(layout, source, REQUEST);
    return { bytes: await readFile(image), source, layout, plan };
  }

  it('puts each partition where the plan says, the boot gap in place, zeros elsewhere', async () => {
    const { bytes, source, layout, plan } = await randomDisk();
    const { disk, copy } = destinationDisk(source, layout, plan, new Map());
    expect(disk).toMatchObject({ format: 'layout', size: 24 * MIB, sectorSize: 512 });
    expect(copy).toEqual([
      { start: 0, length: 3 * MIB },
      { start: 4 * MIB, length: 2 * MIB },
      { start: 9 * MIB, length: 512 },
      { start: 10 * MIB, length: 2 * MIB },
    ]);
    const whole = await disk.read(0, disk.size);
    expect(whole.subarray(512, MIB).equals(bytes.subarray(512, MIB))).toBe(true);
    for (const p of plan.partitions.filter((q) => q.kind !== 'extended')) {
      const kept = whole.subarray(p.start, p.start + p.sourceSize);
      expect(kept.equals(bytes.subarray(p.sourceStart, p.sourceStart + p.sourceSize))).toBe(true);
      expect(whole.subarray(p.start + p.sourceSize, p.start + p.size).every((b) => b === 0)).toBe(
        true,
      );
    }
    let outside = 0;
    let cursor = 0;
    for (const r of [...copy, { start: whole.length, length: 0 }]) {
      outside += whole.subarray(cursor, r.start).filter((b) => b !== 0).length;
      cursor = r.start + r.length;
    }
    expect(outside).toBe(0);

    const table = await readPartitionTable(bufferSource(whole));
    expect(table.warnings).toEqual([]);
    expect(table.partitions.map((p) => [p.number, p.kind, p.start, p.size, p.type])).toEqual(
      plan.partitions.map((p) => [p.number, p.kind, p.start, p.size, p.type]),
    );
  });

  it('reads a span of segments with one source read per piece', async () => {
    const { source, layout, plan } = await randomDisk();
    let calls = 0;
    const counted: BlockSource = {
      ...source,
      read: (offset, length) => {
        calls++;
        return source.read(offset, length);
      },
    };
    const { disk } = destinationDisk(counted, layout, plan, new Map());
    await disk.read(0, 512);
    calls = 0;
    // Sector 0 (built), the boot gap and partition 1: two pieces from the source.
    await disk.read(0, 2 * MIB);
    expect(calls).toBe(2);
    calls = 0;
    // An EBR (built) and the start of partition 6, zeros around them.
    await disk.read(9 * MIB - 4096, MIB + 8192);
    expect(calls).toBe(1);
    // The zeros after partition 1's old size, then partition 2, moved up by 1 MiB.
    const target = Buffer.alloc(3 * MIB, 0xff);
    await disk.readInto!(3 * MIB, target);
    expect(target.subarray(0, MIB).every((b) => b === 0)).toBe(true);
    expect(target.subarray(MIB).equals(await source.read(3 * MIB, 2 * MIB))).toBe(true);
  });

  it('refuses a resize without its resized copy, and a copy larger than planned', async () => {
    await withImage(await mbrWithLogicals(), async (source) => {
      const layout = await readLayout(source);
      const plan = planLayout(layout, source, { resize: new Map([[2, 30 * MIB]]) });
      expect(() => destinationDisk(source, layout, plan, new Map())).toThrow(
        expect.objectContaining({
          code: 'LAYOUT_REFUSED',
          message: expect.stringMatching(/no resized copy/),
        }),
      );
      const tooBig = { volume: sliceSource(source, 0, 31 * MIB), used: [] };
      expect(() => destinationDisk(source, layout, plan, new Map([[2, tooBig]]))).toThrow(
        /more than the planned/,
      );
    });
  });
});
