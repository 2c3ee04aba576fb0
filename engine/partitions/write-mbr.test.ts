import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { sfdiskImage } from '../../test/fixtures/tables.js';
import { sfdiskJson, type SfdiskTable } from '../../test/fixtures/truth.js';
import {
  buildMbr,
  chsOf,
  type LogicalEntry,
  type MbrEntry,
  type MbrSpec,
  type TableBytes,
} from './write-mbr.js';

const SECTOR = 512;

/** A primary after the extended container, a bootable logical, free space between logicals. */
const SCRIPT = `label: dos
label-id: 0x0badcafe
start=2048, size=4096, type=83, bootable
start=6144, size=2048, type=7
start=10240, size=12288, type=f
start=24576, size=2048, type=8e
start=12288, size=3072, type=83
start=18432, size=1024, type=b, bootable
`;

const EBR_LINK = 446 + 16;

/** The EBR offsets sfdisk wrote, by following its links from the container's start. */
function ebrOffsets(image: Buffer, containerStart: number): number[] {
  const offsets = [containerStart];
  for (;;) {
    const link = image.readUInt32LE((offsets.at(-1) as number) + EBR_LINK + 8);
    if (link === 0) return offsets;
    offsets.push(containerStart + link * SECTOR);
  }
}

/** What sfdisk reports, as a spec for buildMbr, with the EBRs where sfdisk put them. */
function specFrom(table: SfdiskTable, image: Buffer): MbrSpec {
  const number = (node: string): number => Number(/(\d+)$/.exec(node)?.[1]);
  const entries = table.partitions.map((p) => ({
    slot: number(p.node),
    typeId: Number.parseInt(p.type, 16),
    bootable: p.bootable === true,
    start: p.start * SECTOR,
    size: p.size * SECTOR,
  }));
  const primaries: MbrEntry[] = entries.filter((e) => e.slot <= 4);
  const container = primaries.find((p) => p.typeId === 0x0f) as MbrEntry;
  const ebrs = ebrOffsets(image, container.start);
  const logicals: LogicalEntry[] = entries
    .filter((e) => e.slot > 4)
    .map((e, index) => ({ ...e, ebr: ebrs[index] as number }));
  return { sectorSize: SECTOR, bootCode: image.subarray(0, 446), primaries, logicals };
}

describe('buildMbr', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(FIXTURE_ROOT, 'write-mbr-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("writes sfdisk's own table byte for byte: sector 0, every EBR, links and CHS", async () => {
    const image = await sfdiskImage('write-mbr-logicals', 16, SCRIPT);
    const bytes = await readFile(image);
    // Boot code of our own, to see it carried over.
    bytes.fill(0x90, 0, 440);
    const sectors = buildMbr(specFrom(await sfdiskJson(image), bytes));
    expect(sectors.map((s) => s.offset)).toEqual([0, ...ebrOffsets(bytes, 10240 * SECTOR)]);
    for (const { offset, data } of sectors) {
      expect(data.equals(bytes.subarray(offset, offset + SECTOR)), `sector at ${offset}`).toBe(
        true,
      );
    }
  });

  it('writes a table sfdisk reads back as given, with CHS capped beyond cylinder 1023', async () => {
    const file = join(work, 'big.img');
    await sh('truncate', ['-s', '12G', file]);
    const GIB = 1024 ** 3;
    const sectors = buildMbr({
      sectorSize: SECTOR,
      bootCode: Buffer.alloc(446, 0).fill(0x12, 440, 444),
      primaries: [
        { slot: 1, typeId: 0x83, bootable: false, start: 1024 ** 2, size: 9 * GIB },
        { slot: 2, typeId: 0x05, bootable: false, start: 10 * GIB, size: GIB },
      ],
      logicals: [
        { ebr: 10 * GIB, typeId: 0x82, bootable: true, start: 10 * GIB + 1024 ** 2, size: GIB / 2 },
      ],
    });
    await place(file, sectors);
    const table = await sfdiskJson(file);
    expect(table.id).toBe('0x12121212');
    expect(table.partitions).toEqual([
      { node: `${file}1`, start: 2048, size: 9 * 2 * 1024 ** 2, type: '83' },
      { node: `${file}2`, start: 20 * 1024 ** 2, size: 2 * 1024 ** 2, type: '5' },
      {
        node: `${file}5`,
        start: 20 * 1024 ** 2 + 2048,
        size: 1024 ** 2,
        type: '82',
        bootable: true,
      },
    ]);
    expect(await sh('sfdisk', ['--verify', file])).toMatch(/No errors detected/);
    const second = (sectors[0] as TableBytes).data.subarray(446 + 16, 446 + 32);
    expect([...second.subarray(1, 4)]).toEqual([0xfe, 0xff, 0xff]);
    expect([...second.subarray(5, 8)]).toEqual([0xfe, 0xff, 0xff]);
  });

  it('computes CHS with 255 heads and 63 sectors per track', () => {
    expect(chsOf(2048)).toEqual([32, 33, 0]);
    expect(chsOf(409599)).toEqual([0x7e, 0x25, 0x19]);
    expect(chsOf(1024 * 255 * 63 - 1)).toEqual([254, 63 | 0xc0, 0xff]);
  });

  it('refuses what an MBR cannot hold', () => {
    const base = { sectorSize: SECTOR, bootCode: Buffer.alloc(446), logicals: [] };
    const beyond = {
      slot: 1,
      typeId: 0x83,
      bootable: false,
      start: 2 ** 32 * SECTOR,
      size: SECTOR,
    };
    expect(() => buildMbr({ ...base, primaries: [beyond] })).toThrow(
      expect.objectContaining({ code: 'LAYOUT_REFUSED' }),
    );
    const odd = { slot: 1, typeId: 0x83, bootable: false, start: 1000, size: SECTOR };
    expect(() => buildMbr({ ...base, primaries: [odd] })).toThrow(/whole number/);
    const slot5 = { slot: 5, typeId: 0x83, bootable: false, start: SECTOR, size: SECTOR };
    expect(() => buildMbr({ ...base, primaries: [slot5] })).toThrow(/slot 5/);
    const orphan = { ebr: SECTOR, typeId: 0x83, bootable: false, start: 2 * SECTOR, size: SECTOR };
    expect(() => buildMbr({ ...base, primaries: [], logicals: [orphan] })).toThrow(/container/);
  });
});

async function place(file: string, sectors: readonly TableBytes[]): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    for (const { offset, data } of sectors) await handle.write(data, 0, data.length, offset);
  } finally {
    await handle.close();
  }
}
