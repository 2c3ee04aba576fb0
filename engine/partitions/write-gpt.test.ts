import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { sgdiskImage, withLoopDevice } from '../../test/fixtures/tables.js';
import { sfdiskJson } from '../../test/fixtures/truth.js';
import { readGuid, writeGuid } from './guid.js';
import { buildGpt, gptEntryCount, type GptEntrySpec, type GptSpec } from './write-gpt.js';
import type { TableBytes } from './write-mbr.js';

const MIB = 1024 ** 2;
const LINUX = '0fc63daf-8483-4772-8e79-3d69d8477de4';

/** Entries 1, 2 and 5 (a hole in the numbering), attributes, a name beyond ASCII. */
const SGDISK_ARGS = [
  '-U',
  '11111111-2222-3333-4444-555555555555',
  '-n',
  '1:2048:+4M',
  '-t',
  '1:ef00',
  '-c',
  '1:EFI system',
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
  '-t',
  '5:8200',
];

/** The spec that describes what sgdisk wrote: its entries, read raw from its primary array. */
function specFrom(image: Buffer): GptSpec {
  const header = image.subarray(512, 1024);
  const entries: GptEntrySpec[] = [];
  for (let index = 0; index < 128; index++) {
    const raw = image.subarray(1024 + index * 128, 1024 + (index + 1) * 128);
    if (raw.subarray(0, 16).equals(Buffer.alloc(16))) continue;
    const first = Number(raw.readBigUInt64LE(32));
    const last = Number(raw.readBigUInt64LE(40));
    entries.push({ number: index + 1, raw, start: first * 512, size: (last - first + 1) * 512 });
  }
  return {
    sectorSize: 512,
    diskSize: image.length,
    diskGuid: readGuid(header, 56),
    entryCount: 128,
    bootCode: image.subarray(0, 446),
    entries,
  };
}

describe('buildGpt', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(FIXTURE_ROOT, 'write-gpt-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("writes sgdisk's own table byte for byte: protective MBR, both headers, both arrays", async () => {
    const image = await readFile(await sgdiskImage('write-gpt', 16, SGDISK_ARGS));
    const [head, tail] = buildGpt(specFrom(image)) as [TableBytes, TableBytes];
    expect(head.offset).toBe(0);
    expect(head.data.equals(image.subarray(0, 34 * 512))).toBe(true);
    expect(tail.offset).toBe(image.length - 33 * 512);
    expect(tail.data.equals(image.subarray(image.length - 33 * 512))).toBe(true);
  });

  it('writes a GPT with 4096-byte sectors that sfdisk and sgdisk read as given', async () => {
    const file = join(work, 'gpt4k.img');
    await sh('truncate', ['-s', '64M', file]);
    const entry = (number: number, guid: string, name: string, start: number, size: number) => {
      const raw = Buffer.alloc(128);
      writeGuid(LINUX, raw, 0);
      writeGuid(guid, raw, 16);
      raw.write(name, 56, 'utf16le');
      return { number, raw, start, size };
    };
    await place(
      file,
      buildGpt({
        sectorSize: 4096,
        diskSize: 64 * MIB,
        diskGuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        entryCount: gptEntryCount(3, 4096),
        bootCode: Buffer.alloc(446),
        entries: [
          entry(1, '00000000-0000-0000-0000-000000000001', 'one', MIB, 8 * MIB),
          entry(
            3,
            '00000000-0000-0000-0000-000000000003',
            'three',
            40 * MIB,
            64 * MIB - 40 * MIB - 5 * 4096,
          ),
        ],
      }),
    );
    const table = await sfdiskJson(file, 4096);
    expect(table).toMatchObject({
      label: 'gpt',
      id: 'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE',
      sectorsize: 4096,
      firstlba: 6,
      lastlba: 16384 - 6,
    });
    expect(
      table.partitions.map((p) => [p.node.slice(-1), p.start, p.size, p.name, p.uuid]),
    ).toEqual([
      ['1', 256, 2048, 'one', '00000000-0000-0000-0000-000000000001'],
      ['3', 10240, 16384 - 10240 - 5, 'three', '00000000-0000-0000-0000-000000000003'],
    ]);
    const verdict = await withLoopDevice(file, 4096, (device) => sh('sgdisk', ['-v', device]));
    expect(verdict).toMatch(/No problems found/);
  });

  it('sizes the array for the highest entry, in whole sectors', () => {
    expect(gptEntryCount(4, 512)).toBe(128);
    expect(gptEntryCount(130, 512)).toBe(132);
    expect(gptEntryCount(130, 4096)).toBe(160);
  });

  it('refuses entries outside the usable LBAs, twice the same entry, a disk too small', () => {
    const raw = Buffer.alloc(128, 1);
    const spec = {
      sectorSize: 512,
      diskSize: 8 * MIB,
      diskGuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      entryCount: 128,
      bootCode: Buffer.alloc(446),
    };
    const one = { number: 1, raw, start: MIB, size: MIB };
    expect(() => buildGpt({ ...spec, entries: [{ ...one, size: 7 * MIB }] })).toThrow(/usable/);
    expect(() => buildGpt({ ...spec, entries: [{ ...one, start: 17 * 512 }] })).toThrow(/usable/);
    expect(() => buildGpt({ ...spec, entries: [one, one] })).toThrow(/twice/);
    expect(() => buildGpt({ ...spec, entries: [{ ...one, number: 129 }] })).toThrow(/1-128/);
    expect(() => buildGpt({ ...spec, diskSize: 64 * 512, entries: [] })).toThrow(
      expect.objectContaining({ code: 'LAYOUT_REFUSED' }),
    );
  });
});

async function place(file: string, pieces: readonly TableBytes[]): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    for (const { offset, data } of pieces) await handle.write(data, 0, data.length, offset);
  } finally {
    await handle.close();
  }
}
