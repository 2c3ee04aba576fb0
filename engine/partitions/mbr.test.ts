import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  bufferSource,
  imageSource,
  NO_TABLE,
  sfdiskImage,
  superfloppyImage,
} from '../../test/fixtures/tables.js';
import { comparablePartition, expectedPartitions, sfdiskJson } from '../../test/fixtures/truth.js';
import { readMbrTable } from './mbr.js';
import { readPartitionTable } from './read-table.js';

const THREE_PRIMARIES_THREE_LOGICALS = `label: dos
label-id: 0x12345678
start=2048, size=2048, type=83, bootable
start=4096, size=2048, type=82
start=6144, size=2048, type=7
start=8192, type=5
size=1024, type=83
size=1024, type=b, bootable
size=1024, type=8e
`;

const mbrImage = (): Promise<string> =>
  sfdiskImage('mbr-logicals', 16, THREE_PRIMARIES_THREE_LOGICALS);

const EBR_LINK = 446 + 16;

/** Byte offsets of the EBRs, found by following the links sfdisk wrote. */
function ebrOffsets(image: Buffer, extendedStart: number): number[] {
  const offsets = [extendedStart];
  for (;;) {
    const link = image.readUInt32LE((offsets.at(-1) as number) + EBR_LINK + 8);
    if (link === 0) return offsets;
    offsets.push(extendedStart + link * 512);
  }
}

describe('MBR', () => {
  it('reads primaries, the extended container and its logicals as sfdisk does', async () => {
    const image = await mbrImage();
    const table = await readPartitionTable(await imageSource(image));
    const expected = await sfdiskJson(image);
    expect(table.type).toBe('mbr');
    expect(table.id).toBe(expected.id);
    expect(table.sectorSize).toBe(512);
    expect(table.hybrid).toBe(false);
    expect(table.warnings).toEqual([]);
    expect(table.partitions.map(comparablePartition)).toEqual(expectedPartitions(expected));
    expect(table.partitions.map((p) => [p.number, p.kind])).toEqual([
      [1, 'primary'],
      [2, 'primary'],
      [3, 'primary'],
      [4, 'extended'],
      [5, 'logical'],
      [6, 'logical'],
      [7, 'logical'],
    ]);
    expect(table.partitions.map((p) => p.typeName)).toEqual([
      'Linux',
      'Linux swap',
      'NTFS/exFAT/HPFS',
      'Extended',
      'Linux',
      'FAT32',
      'Linux LVM',
    ]);
  });

  it('reads an MBR made on a 4096-byte-sector disk, with that sector size', async () => {
    const script =
      'label: dos\nsize=1M, type=c, bootable\ntype=f\nsize=1M, type=83\nsize=1M, type=82\n';
    const image = await sfdiskImage('mbr-4k', 16, script, 4096);
    const expected = await sfdiskJson(image, 4096);
    expect(expected.sectorsize).toBe(4096);

    const table = await readPartitionTable(await imageSource(image, 4096));
    expect(table.sectorSize).toBe(4096);
    expect(table.partitions.map(comparablePartition)).toEqual(expectedPartitions(expected));
    expect(table.partitions.map((p) => p.kind)).toEqual([
      'primary',
      'extended',
      'logical',
      'logical',
    ]);

    // An image file does not know its sector size; the caller re-reads with the other one.
    const asImage = await imageSource(image, 512);
    const reread = await readPartitionTable(asImage, { sectorSize: 4096 });
    expect(reread.partitions.map(comparablePartition)).toEqual(expectedPartitions(expected));
    expect((await readMbrTable(asImage, 4096)).partitions).toEqual(reread.partitions);
  });

  it('follows an EBR that points at itself only once', async () => {
    const bytes = await readFile(await mbrImage());
    const [, second] = ebrOffsets(bytes, 8192 * 512) as [number, number, number];
    bytes.writeUInt32LE((second - 8192 * 512) / 512, second + EBR_LINK + 8);

    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.partitions.map((p) => p.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(table.warnings).toEqual([expect.stringContaining('loops back')]);
  });

  it('reports each logical once when the last EBR links back to the first', async () => {
    const bytes = await readFile(await mbrImage());
    const [, , third] = ebrOffsets(bytes, 8192 * 512) as [number, number, number];
    bytes.writeUInt8(0x05, third + EBR_LINK + 4);
    bytes.writeUInt32LE(0, third + EBR_LINK + 8);
    bytes.writeUInt32LE(2048, third + EBR_LINK + 12);

    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.partitions.map((p) => p.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(table.warnings).toEqual([expect.stringContaining('loops back')]);
  });

  it('stops a chain longer than any disk has', async () => {
    // Hand-made links: sfdisk refuses to create more than 60 partitions.
    const bytes = Buffer.from(await readFile(await mbrImage()));
    const extendedStart = 8192 * 512;
    for (let i = 0; i < 300; i++) {
      const ebr = extendedStart + i * 512;
      bytes.fill(0, ebr + 446, ebr + 510);
      bytes.writeUInt16LE(0xaa55, ebr + 510);
      bytes.writeUInt8(0x83, ebr + 446 + 4);
      bytes.writeUInt32LE(16384 - i, ebr + 446 + 8);
      bytes.writeUInt32LE(1, ebr + 446 + 12);
      bytes.writeUInt8(0x05, ebr + EBR_LINK + 4);
      bytes.writeUInt32LE(i + 1, ebr + EBR_LINK + 8);
      bytes.writeUInt32LE(1, ebr + EBR_LINK + 12);
    }
    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.partitions.filter((p) => p.kind === 'logical')).toHaveLength(256);
    expect(table.warnings).toContainEqual(expect.stringContaining('more than 256 EBRs'));
  });

  it('keeps what a truncated image still shows and says what is missing', async () => {
    const bytes = await readFile(await mbrImage());
    const table = await readPartitionTable(bufferSource(bytes.subarray(0, 6 * 1024 * 1024)));
    expect(table.partitions.map((p) => p.number)).toEqual([1, 2, 3, 4, 5]);
    expect(table.warnings).toEqual([
      expect.stringMatching(/EBR at sector 12288 lies beyond the end/),
      expect.stringMatching(/^partition 4 ends at byte 16777216, beyond the end/),
    ]);
  });

  it('sees no table in a FAT filesystem spanning the whole disk', async () => {
    for (const syslinux of [false, true]) {
      const image = await superfloppyImage('superfloppy', 4, syslinux);
      const bytes = await readFile(image);
      expect(bytes.readUInt16LE(510)).toBe(0xaa55);
      if (syslinux) expect(bytes.subarray(446, 510).some((b) => b !== 0)).toBe(true);
      const table = await readPartitionTable(bufferSource(bytes));
      expect(table).toEqual(NO_TABLE);
    }
  });

  it('warns about primaries that overlap', async () => {
    const bytes = await readFile(await mbrImage());
    bytes.writeUInt32LE(3000, 446 + 16 + 8);
    bytes.writeUInt32LE(7000, 446 + 32 + 8);
    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.partitions.find((p) => p.number === 2)?.start).toBe(3000 * 512);
    // Logicals inside their container are no overlap; the container reaching into partition 3 is.
    expect(table.warnings).toEqual([
      'partition 2 overlaps partition 1',
      'partition 4 overlaps partition 3',
    ]);
  });

  it('ignores a boot signature whose entries are not a table', async () => {
    const bytes = await readFile(await mbrImage());
    bytes.writeUInt8(0x12, 446);
    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.type).toBe('none');
    expect(table.warnings).toEqual([expect.stringContaining('boot flags')]);
  });
});
