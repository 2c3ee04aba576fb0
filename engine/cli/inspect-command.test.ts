import { describe, expect, it } from 'vitest';
import type { InspectReport, PartitionReport } from '../../shared/layout.js';
import { gpt4kDisk, gptDisk, mbrWithLogicals } from '../../test/fixtures/disks.js';
import { sh } from '../../test/fixtures/cache.js';
import { runFerry } from '../../test/fixtures/ferry.js';
import {
  blkidProbe,
  extUsedBytes,
  fatUsedBytes,
  ntfsUsedBytes,
  sfdiskJson,
  sfdiskJson4k,
  withPartitionCopy,
  type SfdiskTable,
} from '../../test/fixtures/truth.js';

async function inspectJson(image: string): Promise<InspectReport> {
  const run = await runFerry(['inspect', '--json', image]);
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout) as InspectReport;
}

/** blkid's TYPE (+ VERSION for FAT) in Ferry's words. */
function blkidType(probe: Record<string, string>): string | undefined {
  if (probe.TYPE === 'vfat') return probe.VERSION?.toLowerCase();
  return probe.TYPE;
}

/** The filesystem's own count of the bytes it uses. */
async function toolUsedBytes(image: string, part: PartitionReport): Promise<number | null> {
  const type = part.filesystem?.type;
  if (type === 'swap') return null;
  return withPartitionCopy(image, part.start, part.size, (file) => {
    if (type === 'ext2' || type === 'ext3' || type === 'ext4') return extUsedBytes(file);
    if (type === 'ntfs') return ntfsUsedBytes(file);
    return fatUsedBytes(file);
  });
}

async function expectAgreement(
  image: string,
  report: InspectReport,
  truth: SfdiskTable,
): Promise<void> {
  const sector = truth.sectorsize ?? 512;
  expect(report.sectorSize).toBe(sector);
  expect(report.table.type).toBe(truth.label === 'dos' ? 'mbr' : 'gpt');
  expect(report.table.partitions.map((p) => p.number)).toEqual(
    truth.partitions.map((p) => Number(/(\d+)$/.exec(p.node)?.[1])),
  );
  for (const [index, expected] of truth.partitions.entries()) {
    const part = report.table.partitions[index]!;
    expect({ start: part.start, size: part.size, bootable: part.bootable }).toEqual({
      start: expected.start * sector,
      size: expected.size * sector,
      bootable: expected.bootable ?? false,
    });
    if (truth.label === 'dos') expect(Number(part.type)).toBe(parseInt(expected.type, 16));
    else expect(part.type).toBe(expected.type.toLowerCase());
    if (part.kind === 'extended') continue;

    const probe = await blkidProbe(image, part.start, part.size);
    expect(part.filesystem, `partition ${part.number}`).not.toBeNull();
    expect({
      type: part.filesystem?.type,
      label: part.filesystem?.label,
      uuid: part.filesystem?.uuid,
    }).toEqual({
      type: blkidType(probe),
      label: probe.LABEL ?? null,
      uuid: probe.UUID ?? null,
    });
    const toolUsed = await toolUsedBytes(image, part);
    if (toolUsed !== null) {
      expect(
        Math.abs(part.filesystem!.usedBytes! - toolUsed) / toolUsed,
        `used bytes of ${part.number}`,
      ).toBeLessThan(0.01);
    }
  }
}

describe('ferry inspect agrees with sfdisk, blkid and the filesystems own tools', () => {
  it('on an MBR disk with logical partitions', async () => {
    const image = await mbrWithLogicals();
    const report = await inspectJson(image);
    await expectAgreement(image, report, await sfdiskJson(image));
    expect(report.table.id).toBe('0x1234abcd');
    expect(report.table.partitions.map((p) => p.kind)).toEqual([
      'primary',
      'primary',
      'extended',
      'logical',
      'logical',
      'logical',
    ]);
  });

  it('on a GPT disk with ESP, ext4, NTFS and swap', async () => {
    const image = await gptDisk();
    const report = await inspectJson(image);
    await expectAgreement(image, report, await sfdiskJson(image));
    expect(report.table.partitions.map((p) => p.name)).toEqual(['EFI', 'root', 'data', 'swap']);
    expect(report.table.partitions.map((p) => p.filesystem?.type)).toEqual([
      'fat32',
      'ext4',
      'ntfs',
      'swap',
    ]);
  });

  it('on a GPT disk with 4096-byte sectors', async () => {
    const image = await gpt4kDisk();
    const report = await inspectJson(image);
    await expectAgreement(image, report, await sfdiskJson4k(image));
    expect(report.sectorSize).toBe(4096);
  });

  it.each([
    ['vmdk', 'vmdk'],
    ['vpc', 'vhd'],
    ['vhdx', 'vhdx'],
    ['vdi', 'vdi'],
    ['qcow2', 'qcow2'],
  ])('reads a virtual disk made by qemu-img -O %s as a source', async (qemuFormat, ferryFormat) => {
    const raw = await gptDisk();
    const image = `${raw}.${qemuFormat}`;
    await sh('qemu-img', ['convert', '-f', 'raw', '-O', qemuFormat, raw, image]);
    const info = JSON.parse(
      await sh('qemu-img', ['info', '--output=json', '-f', qemuFormat, image]),
    ) as {
      'virtual-size': number;
    };
    const [fromImage, fromRaw] = [await inspectJson(image), await inspectJson(raw)];
    expect(fromImage.format).toBe(ferryFormat);
    expect(fromImage.size).toBe(info['virtual-size']);
    expect(fromImage.storedBytes).toBeGreaterThan(0);
    expect(fromImage.storedBytes).toBeLessThan(fromImage.size / 2);
    expect(fromImage.table).toEqual(fromRaw.table);
  });

  it('prints a readable table without --json', async () => {
    const run = await runFerry(['inspect', await gptDisk()]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/Partition table: gpt/);
    expect(run.stdout).toMatch(/^\s*1\s+2048\s+149503\s+72 MiB\s+EFI System\s+fat32\s+ESP/m);
    expect(run.stdout).toMatch(/Linux swap\s+swap\s+swap/);
  });
});
