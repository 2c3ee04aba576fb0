import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import {
  bufferSource,
  NO_TABLE,
  resealGptHeader,
  sfdiskImage,
  sgdiskImage,
} from '../../test/fixtures/tables.js';
import { random } from '../../test/fixtures/mutate.js';
import { readPartitionTable } from './read-table.js';

const MiB = 1024 * 1024;

const mbrImage = (): Promise<string> =>
  sfdiskImage(
    'read-table-mbr',
    8,
    'label: dos\nsize=1M, type=83\ntype=5\nsize=1M, type=7\nsize=1M, type=82\n',
  );
const gptImage = (): Promise<string> =>
  sgdiskImage('read-table-gpt', 8, [
    '-o',
    '-n',
    '1:0:+1M',
    '-n',
    '2:0:+1M',
    '-c',
    '2:two',
    '-n',
    '3:0:0',
    '-h',
    '2',
  ]);
const gpt4kImage = (): Promise<string> =>
  sfdiskImage('read-table-gpt-4k', 8, 'label: gpt\nsize=1M, name=a\nsize=1M, type=S\n', 4096);

describe('readPartitionTable', () => {
  it('sees no table on a blank disk, an empty MBR or a source smaller than a sector', async () => {
    const emptyMbr = await sfdiskImage('read-table-empty-mbr', 2, 'label: dos\n');
    expect((await readFile(emptyMbr)).readUInt16LE(510)).toBe(0xaa55);
    expect(await readPartitionTable(bufferSource(await readFile(emptyMbr)))).toEqual(NO_TABLE);
    expect(await readPartitionTable(bufferSource(Buffer.alloc(1024 * 1024)))).toEqual(NO_TABLE);
    expect(await readPartitionTable(bufferSource(Buffer.alloc(100)))).toEqual(NO_TABLE);
  });

  it('reads a GPT whose protective MBR was wiped, with a warning', async () => {
    const bytes = await readFile(await gptImage());
    bytes.fill(0, 0, 512);
    const table = await readPartitionTable(bufferSource(bytes));
    expect(table.type).toBe('gpt');
    expect(table.hybrid).toBe(false);
    expect(table.partitions.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(table.warnings).toEqual([expect.stringContaining('no protective MBR')]);
  });

  it('only warns about a damaged GPT when sector 0 does not claim one', async () => {
    const bytes = await readFile(await gptImage());
    bytes.fill(0, 0, 512);
    bytes.writeUInt32LE(0, 512 + 16);
    bytes.writeUInt32LE(0, bytes.length - 512 + 16);
    const table = await readPartitionTable(bufferSource(bytes));
    expect(table).toMatchObject({ type: 'none', partitions: [] });
    expect(table.warnings).toEqual([
      expect.stringContaining('damaged GPT without a protective MBR'),
    ]);
  });

  it('refuses a protective MBR with no GPT behind it', async () => {
    const bytes = await readFile(await gptImage());
    bytes.fill(0, 512, 1024);
    bytes.fill(0, bytes.length - 512);
    await expect(readPartitionTable(bufferSource(bytes))).rejects.toMatchObject({
      code: 'BAD_PARTITION_TABLE',
    });
  });

  it('refuses a sector size it cannot read tables with', async () => {
    const source = bufferSource(await readFile(await mbrImage()));
    const error = await readPartitionTable(source, { sectorSize: 520 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED', where: 'memory.img' });
  });

  it('returns a table or throws a FerryError, whatever bytes the tables hold', async () => {
    const next = random(20240601);
    const cases = [
      { bytes: await readFile(await mbrImage()), sectorSize: 512, gpt: false },
      { bytes: await readFile(await gptImage()), sectorSize: 512, gpt: true },
      { bytes: await readFile(await gpt4kImage()), sectorSize: 4096, gpt: true },
    ];
    let tables = 0;
    let errors = 0;
    for (const { bytes, sectorSize, gpt } of cases) {
      // Where the tables live: sector 0, the primary GPT, the EBRs, the backup GPT.
      const regions = [
        [0, 40 * sectorSize],
        [2 * MiB, 2 * MiB + 512],
        [4 * MiB, 4 * MiB + 512],
        [bytes.length - 33 * sectorSize, bytes.length],
      ] as const;
      const pristine = regions.map(([from, to]) => Buffer.from(bytes.subarray(from, to)));
      for (let round = 0; round < 700; round++) {
        for (let flips = 1 + Math.floor(next() * 8); flips > 0; flips--) {
          const [from, to] = regions[Math.floor(next() * regions.length)] as readonly [
            number,
            number,
          ];
          bytes[from + Math.floor(next() * (to - from))] = pick(next, [
            0x00,
            0xff,
            0x80,
            0x05,
            0xee,
            next() * 256,
          ]);
        }
        // Resealing lets damage get past the CRCs to the code that reads the fields.
        if (gpt && next() < 0.5) resealGptHeader(bytes, sectorSize, sectorSize);
        const length = next() < 0.1 ? Math.floor(next() * bytes.length) : bytes.length;
        try {
          const table = await readPartitionTable(bufferSource(bytes.subarray(0, length)));
          for (const p of table.partitions) {
            expect(Number.isSafeInteger(p.start) && p.start >= 0).toBe(true);
            expect(Number.isSafeInteger(p.size) && p.size > 0).toBe(true);
          }
          tables++;
        } catch (error) {
          if (!(error instanceof FerryError)) throw error;
          errors++;
        }
        regions.forEach(([from], i) => (pristine[i] as Buffer).copy(bytes, from));
      }
    }
    expect(tables).toBeGreaterThan(0);
    expect(errors).toBeGreaterThan(0);
  });
});

function pick(next: () => number, choices: readonly number[]): number {
  return Math.floor(choices[Math.floor(next() * choices.length)] as number);
}
