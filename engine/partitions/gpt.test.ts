import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import {
  bufferSource,
  imageSource,
  resealGptHeader,
  sfdiskImage,
  sgdiskImage,
} from '../../test/fixtures/tables.js';
import { comparablePartition, expectedPartitions, sfdiskJson } from '../../test/fixtures/truth.js';
import { readPartitionTable } from './read-table.js';
import type { PartitionTable } from './types.js';

const SIX_PARTITIONS = [
  ...['-o', '-n', '1:2048:+1M', '-t', '1:ef00', '-c', '1:EFI system', '-A', '1:set:2'],
  ...['-n', '2:0:+1M', '-t', '2:ef02', '-c', '2:bios'],
  ...['-n', '3:0:+2M', '-t', '3:8304', '-c', '3:root'],
  ...['-n', '4:0:+1M', '-t', '4:8200', '-c', '4:swap'],
  ...['-n', '6:0:+1M', '-t', '6:0700', '-c', '6:Données ☃'],
  ...['-n', '7:0:0', '-t', '7:8302', '-c', '7:'],
];

const gptImage = (): Promise<string> => sgdiskImage('gpt-six', 10, SIX_PARTITIONS);

const MiB = 1024 * 1024;
const SECTOR = 512;

async function expectSameAsSfdisk(
  table: PartitionTable,
  image: string,
  sectorSize: 512 | 4096 = 512,
): Promise<void> {
  const expected = await sfdiskJson(image, sectorSize);
  expect(table.type).toBe('gpt');
  expect(table.id).toBe(expected.id.toLowerCase());
  expect(table.sectorSize).toBe(sectorSize);
  expect(table.partitions.map(comparablePartition)).toEqual(expectedPartitions(expected));
}

function flip(bytes: Buffer, at: number, mask: number): void {
  bytes.writeUInt8(bytes.readUInt8(at) ^ mask, at);
}

/** The byte offset of the backup header: the last LBA, as sgdisk placed it. */
const backupHeader = (bytes: Buffer): number => bytes.length - SECTOR;

describe('GPT', () => {
  it('reads entries, names, GUIDs and the legacy-bootable flag as sfdisk does', async () => {
    const image = await gptImage();
    const table = await readPartitionTable(await imageSource(image));
    await expectSameAsSfdisk(table, image);
    expect(table.warnings).toEqual([]);
    expect(table.hybrid).toBe(false);
    expect(table.partitions.map((p) => [p.number, p.typeName, p.name, p.bootable])).toEqual([
      [1, 'EFI System', 'EFI system', true],
      [2, 'BIOS boot', 'bios', false],
      [3, 'Linux root (x86-64)', 'root', false],
      [4, 'Linux swap', 'swap', false],
      [6, 'Microsoft basic data', 'Données ☃', false],
      [7, 'Linux home', null, false],
    ]);
    expect(table.partitions.every((p) => p.kind === 'primary')).toBe(true);
  });

  it('finds a GPT made on a 4096-byte-sector disk by where its header sits', async () => {
    const script = `label: gpt
size=1M, type=U, name="ESP"
size=2M, type=L, name="data"
size=1M, type=S
type=H, name="rest"
`;
    const image = await sfdiskImage('gpt-4k', 12, script, 4096);
    // The source claims 512-byte sectors, as an image file does; the header at byte 4096 decides.
    const table = await readPartitionTable(await imageSource(image, 512));
    await expectSameAsSfdisk(table, image, 4096);
    expect(table.warnings).toEqual([]);
  });

  it('marks a hybrid MBR and still takes the partitions from the GPT', async () => {
    const image = await sgdiskImage('gpt-hybrid', 10, [...SIX_PARTITIONS, '-h', '1:3']);
    const bytes = await readFile(image);
    const mbrTypes = [0, 1, 2, 3].map((slot) => bytes[446 + slot * 16 + 4]);
    expect(mbrTypes).toContain(0xee);
    expect(mbrTypes).toContain(0xef);

    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.hybrid).toBe(true);
    await expectSameAsSfdisk(table, image);
  });

  it('falls back to the backup header when the primary header is damaged', async () => {
    const image = await gptImage();
    const bytes = await readFile(image);
    flip(bytes, SECTOR + 60, 0xff);
    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.warnings).toEqual([
      expect.stringMatching(/primary GPT header is damaged \(header CRC32 mismatch\)/),
    ]);
    await expectSameAsSfdisk(table, image);
  });

  it('falls back to the backup when the primary entry array is damaged', async () => {
    const image = await gptImage();
    const bytes = await readFile(image);
    flip(bytes, 2 * SECTOR + 200, 0x01);
    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.warnings).toEqual([expect.stringContaining('entry array CRC32 mismatch')]);
    await expectSameAsSfdisk(table, image);
  });

  it('falls back to the backup when LBA 1 is wiped', async () => {
    const image = await gptImage();
    const bytes = await readFile(image);
    bytes.fill(0, SECTOR, 2 * SECTOR);
    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.warnings).toEqual([expect.stringContaining('no "EFI PART" signature')]);
    await expectSameAsSfdisk(table, image);
  });

  it('finds the backup where the primary says it is when the disk has grown', async () => {
    const image = await gptImage();
    const bytes = Buffer.concat([await readFile(image), Buffer.alloc(2 * MiB)]);
    flip(bytes, 2 * SECTOR, 0x01);
    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.warnings).toEqual([expect.stringMatching(/backup at LBA 20479 was used/)]);
    await expectSameAsSfdisk(table, image);
  });

  it('reports a damaged backup while reading the intact primary', async () => {
    const bytes = await readFile(await gptImage());
    flip(bytes, backupHeader(bytes) + 60, 0xff);
    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.partitions).toHaveLength(6);
    expect(table.warnings).toEqual([
      expect.stringMatching(/backup GPT header at LBA 20479 is damaged/),
    ]);
  });

  it('refuses a disk whose two headers are both damaged', async () => {
    const bytes = await readFile(await gptImage());
    flip(bytes, SECTOR + 60, 0xff);
    flip(bytes, backupHeader(bytes) + 60, 0xff);
    const error = await readPartitionTable(bufferSource(bytes, 'disk.img')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({ code: 'BAD_PARTITION_TABLE', where: 'disk.img: GPT' });
    expect((error as FerryError).hint).toBeTruthy();
  });

  it.each([
    ['an absurd entry count', 80, 0xffffffff, /entries of 128 bytes is absurd/],
    ['an absurd entry size', 84, 0x80000000, /entries of 2147483648 bytes is absurd/],
    ['an entry size below 128', 84, 100, /entry size 100 is impossible/],
    ['an entry size of 0', 84, 0, /entry size 0 is impossible/],
    ['a header size past the sector', 12, 4096, /header size 4096 is impossible/],
  ])('treats %s as damage, without allocating for it', async (_, field, value, problem) => {
    const bytes = await readFile(await gptImage());
    bytes.writeUInt32LE(value, SECTOR + field);
    if (field !== 12) resealGptHeader(bytes, SECTOR, SECTOR);
    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.warnings).toEqual([expect.stringMatching(problem)]);
    expect(table.partitions).toHaveLength(6);

    bytes.writeUInt32LE(value, backupHeader(bytes) + field);
    if (field !== 12) resealGptHeader(bytes, backupHeader(bytes), SECTOR);
    await expect(readPartitionTable(bufferSource(bytes))).rejects.toThrow(problem);
  });

  it('skips an entry whose end lies before its start, with a warning', async () => {
    const bytes = await readFile(await gptImage());
    const entry = 2 * SECTOR + 128;
    bytes.writeBigUInt64LE(100n, entry + 40);
    resealGptHeader(bytes, SECTOR, SECTOR);
    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.partitions.map((p) => p.number)).toEqual([1, 3, 4, 6, 7]);
    expect(table.warnings).toEqual([expect.stringMatching(/GPT entry 2 spans LBA 4096-100/)]);
  });

  it('keeps the partitions of a truncated image and warns about what is cut off', async () => {
    const bytes = await readFile(await gptImage());
    const table = await readPartitionTable(bufferSource(bytes.subarray(0, 6 * MiB)));
    expect(table.partitions.map((p) => p.number)).toEqual([1, 2, 3, 4, 6, 7]);
    expect(table.warnings).toEqual([
      expect.stringMatching(/backup GPT header at LBA 20479 is damaged \(it lies beyond the end/),
      expect.stringMatching(
        /^partition 6 ends at byte 7340032, beyond the end of the source \(6291456 bytes\)/,
      ),
      expect.stringMatching(/^partition 7 ends at/),
    ]);
  });
});
