import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobSpec } from '../../shared/api.js';
import { FORMAT_NAMES, type FormatName } from '../../shared/formats.js';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { gptDisk } from '../../test/fixtures/disks.js';
import { convert } from './convert.js';
import { summarizePlan } from './plan-summary.js';

let scratch: string;
let source: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(FIXTURE_ROOT, 'plan-summary-'));
  source = await gptDisk();
});

function spec(format: FormatName, name: string, extra: Partial<JobSpec> = {}): JobSpec {
  return {
    source,
    destination: join(scratch, name),
    format,
    allBlocks: false,
    thick: false,
    compress: false,
    force: false,
    verify: false,
    ...extra,
  };
}

describe('summarizePlan', () => {
  it("gives every volume's bounds unchanged, and the changes, scratch space and time of a new layout", async () => {
    const MiB = 2 ** 20;
    const unchanged = await summarizePlan(spec('qcow2', 'volumes.qcow2'));
    // gptDisk: 1 ESP (FAT32) 72M, 2 ext4 48M, 3 NTFS 40M, 4 swap to the end.
    expect(unchanged.volumes.map((v) => [v.number, v.change, v.resizer])).toEqual([
      [1, 'copy', 'native'],
      [2, 'copy', 'resize2fs'],
      [3, 'copy', 'ntfsresize'],
      [4, 'copy', 'mkswap'],
    ]);
    for (const v of unchanged.volumes) {
      expect(v.minimumSize).toBeLessThanOrEqual(v.sourceSize);
      expect(v.maximumSize).toBeGreaterThanOrEqual(v.sourceSize);
    }
    // Swap is made afresh at any size: its partition may shrink to a MiB.
    expect(unchanged.volumes[3]!.minimumSize).toBe(2 ** 20);
    expect(unchanged.temporaryBytes).toBe(0);
    expect(unchanged.minimumDiskSize).toBeLessThanOrEqual(unchanged.diskSize);

    const changed = await summarizePlan(
      spec('qcow2', 'volumes.qcow2', {
        partitions: [1, 2, 3],
        resize: { '2': 32 * MiB },
        diskSize: 180 * MiB,
      }),
    );
    expect(changed.diskSize).toBe(180 * MiB);
    expect(changed.volumes.map((v) => [v.number, v.change, v.size])).toEqual([
      [1, 'copy', 72 * MiB],
      [2, 'resize', 32 * MiB],
      [3, 'move', 40 * MiB],
      [4, 'remove', null],
    ]);
    expect(changed.temporaryBytes).toBeGreaterThan(0);
    expect(changed.estimatedSeconds).toBeGreaterThanOrEqual(1);
    await expect(
      summarizePlan(spec('qcow2', 'volumes.qcow2', { resize: { '2': 2 * MiB } })),
    ).rejects.toMatchObject({ code: 'LAYOUT_REFUSED' });
  });

  it('offers as the largest size of a volume one the plan then accepts as it is', async () => {
    const MiB = 2 ** 20;
    // 1.5 MiB of room after the others: the partitions behind ext4 move on whole MiB.
    const larger = spec('qcow2', 'largest.qcow2', { diskSize: 201.5 * MiB });
    const ext4 = (await summarizePlan(larger)).volumes[1]!;
    expect(ext4.maximumSize).toBe(49 * MiB);
    const grown = await summarizePlan({ ...larger, resize: { '2': ext4.maximumSize } });
    expect(grown.volumes[1]).toMatchObject({ size: 49 * MiB, change: 'resize' });
    await expect(
      summarizePlan({ ...larger, resize: { '2': ext4.maximumSize + MiB } }),
    ).rejects.toMatchObject({ code: 'LAYOUT_REFUSED' });
  });

  it('reports the disk as sgdisk made it, the used bytes to read and nothing in the way', async () => {
    const summary = await summarizePlan(spec('qcow2', 'first.qcow2'));
    const sgdisk = await sh('sgdisk', ['--print', source]);
    const partitions = sgdisk.split('\n').filter((line) => /^\s+\d+\s+\d+\s+\d+/.test(line));

    expect(summary.format).toBe('qcow2');
    expect(summary.outputFiles).toEqual([join(scratch, 'first.qcow2')]);
    expect(summary.diskSize).toBe((await stat(source)).size);
    expect(summary.layout.table.type).toBe('gpt');
    expect(summary.layout.table.partitions).toHaveLength(partitions.length);
    expect(summary.copyBytes).toBeGreaterThan(0);
    expect(summary.copyBytes).toBeLessThan(summary.diskSize / 2);
    expect(summary.warnings).toEqual(summary.layout.warnings);
    expect(summary.existing).toEqual([]);
  });

  it.each(FORMAT_NAMES)(
    'estimates no less than %s really takes, used blocks and all blocks',
    async (format) => {
      for (const allBlocks of [false, true]) {
        const job = spec(format, `estimate-${allBlocks}.${format}`, { allBlocks });
        const summary = await summarizePlan(job);
        const result = await convert(job);
        expect(result.bytes).toBeLessThanOrEqual(summary.estimatedOutputBytes);
        if (!allBlocks && format !== 'vhd-fixed' && format !== 'vmdk-flat')
          expect(summary.estimatedOutputBytes).toBeLessThan(summary.diskSize / 2);
      }
    },
  );

  it.each(['raw', 'vhd', 'vhdx', 'vdi'] as const)(
    'counts the whole disk for a thick %s, and no less than it takes',
    async (format) => {
      const job = spec(format, `thick.${format}`, { thick: true });
      const summary = await summarizePlan(job);
      const result = await convert(job);
      expect(summary.estimatedOutputBytes).toBeGreaterThanOrEqual(summary.diskSize);
      expect(result.bytes).toBeLessThanOrEqual(summary.estimatedOutputBytes);
    },
  );

  it('counts a fixed VHD whole even when its holes are left, and ignores thick for qcow2', async () => {
    const fixed = await summarizePlan(spec('vhd-fixed', 'fixed.vhd'));
    expect(fixed.estimatedOutputBytes).toBeGreaterThanOrEqual(fixed.diskSize);
    const thin = await summarizePlan(spec('qcow2', 'thin.qcow2'));
    const thick = await summarizePlan(spec('qcow2', 'thin.qcow2', { thick: true }));
    expect(thick.estimatedOutputBytes).toBe(thin.estimatedOutputBytes);
  });

  it('lists the output files that exist already, of a two-file flat VMDK only the one there', async () => {
    const job = spec('vmdk-flat', 'existing.vmdk');
    const before = await summarizePlan(job);
    expect(before.outputFiles).toHaveLength(2);
    expect(before.existing).toEqual([]);
    await writeFile(before.outputFiles[1]!, 'in the way');
    const after = await summarizePlan(job);
    expect(after.existing).toEqual([before.outputFiles[1]]);
  });

  it('refuses a destination folder that does not exist, and the source as its own destination', async () => {
    const missing = spec('raw', 'no-such-folder/out.img');
    await expect(summarizePlan(missing)).rejects.toMatchObject({
      code: 'USAGE',
      where: join(scratch, 'no-such-folder'),
    });
    await expect(summarizePlan({ ...missing, destination: source })).rejects.toMatchObject({
      code: 'DESTINATION_ON_SOURCE',
    });
  });

  it('refuses a source that is not there, with a FerryError', async () => {
    const job = { ...spec('raw', 'gone.img'), source: join(scratch, 'no-such-disk.img') };
    await expect(summarizePlan(job)).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });
});
