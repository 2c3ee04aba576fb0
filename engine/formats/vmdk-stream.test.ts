import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstNonZero, readWhole, uncoveredSectors } from '../../test/fixtures/disk-bytes.js';
import { qemuCheck, qemuCompare, qemuConvert, qemuInfo } from '../../test/fixtures/qemu-img.js';
import { partitionedMbrRaw, scatteredGrainsRaw, wideRaw } from '../../test/fixtures/raw-disks.js';
import { scratchDir } from '../../test/fixtures/scratch-dir.js';
import { writeRaw } from '../../test/fixtures/write-raw.js';
import { vmdkReader } from './vmdk-reader.js';
import { GRAIN_BYTES, SECTOR, decodeSparseHeader } from './vmdk-sparse.js';
import { vmdkStreamWriter } from './vmdk-stream.js';

let dir: string;
beforeAll(async () => {
  dir = await scratchDir('vmdk-stream');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function words(image: Buffer, start: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => image.readUInt32LE(start + index * 4));
}

interface Walk {
  grains: Map<number, number>;
  tables: { sector: number; entries: number[] }[];
  directorySector: number;
  footerSector: number;
  eosSector: number;
}

/**
 * Reads a stream front to back as a streaming consumer (ESXi importing an OVA) does, by its
 * markers alone, checking that each grain table follows the grains it points at.
 */
function walkStream(image: Buffer, overhead: number): Walk {
  const walk: Walk = {
    grains: new Map(),
    tables: [],
    directorySector: -1,
    footerSector: -1,
    eosSector: -1,
  };
  let sector = overhead;
  while (sector * SECTOR < image.length) {
    const at = sector * SECTOR;
    const value = Number(image.readBigUInt64LE(at));
    const size = image.readUInt32LE(at + 8);
    if (size !== 0) {
      expect(inflateSync(image.subarray(at + 12, at + 12 + size)).length).toBe(GRAIN_BYTES);
      walk.grains.set(sector, value);
      sector += Math.ceil((12 + size) / SECTOR);
      continue;
    }
    const type = image.readUInt32LE(at + 12);
    if (type === 0) {
      walk.eosSector = sector;
      break;
    }
    if (type === 1) {
      const entries = words(image, at + SECTOR, (value * SECTOR) / 4);
      for (const entry of entries.filter((e) => e !== 0)) expect(walk.grains.has(entry)).toBe(true);
      walk.tables.push({ sector: sector + 1, entries });
    }
    if (type === 2) walk.directorySector = sector + 1;
    if (type === 3) walk.footerSector = sector + 1;
    sector += 1 + value;
  }
  return walk;
}

describe('streamOptimized writer', () => {
  const cases = [
    { name: 'scattered data, 1 MiB extents', raw: scatteredGrainsRaw, chunk: 1 << 20 },
    { name: 'scattered data, 3000-byte extents', raw: scatteredGrainsRaw, chunk: 3000 },
    { name: 'partitioned ext4 disk', raw: partitionedMbrRaw, chunk: 1 << 20 },
    { name: 'four grain tables, one of them empty', raw: wideRaw, chunk: 1 << 20 },
  ];
  it.each(cases)('writes what qemu-img reads back identically: $name', async ({ raw, chunk }) => {
    const source = await raw();
    const target = join(dir, `disk-${chunk}.vmdk`);
    expect(await writeRaw(vmdkStreamWriter, source, target, {}, chunk)).toEqual([target]);

    await qemuCheck(target, 'vmdk');
    await qemuCompare(source, target, 'vmdk');
    const info = await qemuInfo(target);
    expect(info['virtual-size']).toBe((await stat(source)).size);
    expect(info['format-specific']?.data['create-type']).toBe('streamOptimized');

    const reader = await vmdkReader.open(target);
    try {
      const expected = await readFile(source);
      expect((await readWhole(reader)).equals(expected)).toBe(true);
      expect(uncoveredSectors(expected, await reader.allocated())).toEqual([]);
    } finally {
      await reader.close();
    }
  });

  it('lays the stream out as VMware does: markers, tables after grains, footer, end of stream', async () => {
    const source = await wideRaw();
    const target = join(dir, 'layout.vmdk');
    await writeRaw(vmdkStreamWriter, source, target);
    const image = await readFile(target);

    const header = decodeSparseHeader(image.subarray(0, SECTOR), target);
    expect(header).toMatchObject({
      version: 3,
      flags: 0x30001,
      gdOffset: 'at-end',
      compressAlgorithm: 1,
      grainSectors: 128,
      gtEntries: 512,
    });
    expect(image.readBigUInt64LE(56)).toBe(0xffffffffffffffffn);
    const descriptor = image.toString('utf8', SECTOR, SECTOR * 21);
    expect(descriptor).toMatch(
      /\nCID=[0-9a-f]{8}\nparentCID=ffffffff\ncreateType="streamOptimized"\n/,
    );

    const walk = walkStream(image, header.overhead);
    const sectors = image.length / SECTOR;
    expect(walk.eosSector).toBe(sectors - 1);
    expect(walk.footerSector).toBe(sectors - 2);
    const footer = decodeSparseHeader(image.subarray(walk.footerSector * SECTOR), target);
    expect(footer).toMatchObject({ ...header, gdOffset: walk.directorySector });

    // Each grain sits where its table says, carrying its own virtual sector.
    const tables = Math.ceil(header.capacity / 128 / 512);
    const gdStart = walk.directorySector * SECTOR;
    const directory = words(image, gdStart, tables);
    expect(directory.filter((d) => d !== 0)).toEqual(walk.tables.map((t) => t.sector));
    expect(directory[1]).toBe(0);
    const expected = await readFile(source);
    let stored = 0;
    walk.tables.forEach((table) => {
      const tableIndex = directory.indexOf(table.sector);
      table.entries.forEach((sector, slot) => {
        const grain = tableIndex * 512 + slot;
        const data = expected.subarray(grain * GRAIN_BYTES, (grain + 1) * GRAIN_BYTES);
        expect(sector !== 0).toBe(firstNonZero(data) !== -1);
        if (sector !== 0) {
          expect(walk.grains.get(sector)).toBe(grain * 128);
          stored++;
        }
      });
    });
    expect(stored).toBe(walk.grains.size);
  });

  it('compresses about as well as qemu-img', async () => {
    const source = await partitionedMbrRaw();
    const ours = join(dir, 'ours.vmdk');
    const theirs = join(dir, 'theirs.vmdk');
    await writeRaw(vmdkStreamWriter, source, ours);
    await qemuConvert(source, theirs, 'vmdk', ['-o', 'subformat=streamOptimized']);
    const ratio = (await stat(ours)).size / (await stat(theirs)).size;
    expect(ratio).toBeLessThan(1.05);
  });

  it('leaves no file behind when aborted with compressions in flight', async () => {
    const aborted = await scratchDir('vmdk-stream-abort');
    try {
      const writer = await vmdkStreamWriter.create(join(aborted, 'gone.vmdk'), {
        size: 8 << 20,
        thick: false,
        compress: false,
      });
      await writer.write({ offset: 0, data: Buffer.alloc(4 << 20, 'not zero') });
      await writer.abort();
      expect(await readdir(aborted)).toEqual([]);
    } finally {
      await rm(aborted, { recursive: true, force: true });
    }
  });
});
