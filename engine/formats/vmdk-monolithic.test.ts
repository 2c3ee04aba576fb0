import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstNonZero, readWhole, uncoveredSectors } from '../../test/fixtures/disk-bytes.js';
import { qemuCheck, qemuCompare, qemuInfo } from '../../test/fixtures/qemu-img.js';
import { partitionedMbrRaw, scatteredGrainsRaw, wideRaw } from '../../test/fixtures/raw-disks.js';
import { scratchDir } from '../../test/fixtures/scratch-dir.js';
import { writeRaw } from '../../test/fixtures/write-raw.js';
import { monolithicSparseWriter, vmdkWriter } from './vmdk-monolithic.js';
import { vmdkReader } from './vmdk-reader.js';
import { GRAIN_BYTES, SECTOR, decodeSparseHeader } from './vmdk-sparse.js';

let dir: string;
beforeAll(async () => {
  dir = await scratchDir('vmdk-monolithic');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('monolithicSparse writer', () => {
  const cases = [
    { name: 'scattered data, 1 MiB extents', raw: scatteredGrainsRaw, chunk: 1 << 20 },
    { name: 'scattered data, 3000-byte extents', raw: scatteredGrainsRaw, chunk: 3000 },
    { name: 'partitioned ext4 disk', raw: partitionedMbrRaw, chunk: 1 << 20 },
    { name: 'four grain tables, one of them empty', raw: wideRaw, chunk: 1 << 20 },
  ];
  it.each(cases)('writes what qemu-img reads back identically: $name', async ({ raw, chunk }) => {
    const source = await raw();
    const target = join(dir, `disk-${chunk}.vmdk`);
    expect(await writeRaw(vmdkWriter, source, target, {}, chunk)).toEqual([target]);

    await qemuCheck(target, 'vmdk');
    await qemuCompare(source, target, 'vmdk');
    const info = await qemuInfo(target);
    expect(info.format).toBe('vmdk');
    expect(info['virtual-size']).toBe((await stat(source)).size);
    expect(info['format-specific']?.data['create-type']).toBe('monolithicSparse');

    const reader = await vmdkReader.open(target);
    try {
      const expected = await readFile(source);
      expect((await readWhole(reader)).equals(expected)).toBe(true);
      expect(uncoveredSectors(expected, await reader.allocated())).toEqual([]);
    } finally {
      await reader.close();
    }
    expect(await readdir(dir)).not.toContain(`disk-${chunk}.vmdk.partial`);
  });

  it('stores no grain that is all zeros, and lays the header out as VMware does', async () => {
    const source = await scatteredGrainsRaw();
    const target = join(dir, 'layout.vmdk');
    await writeRaw(vmdkWriter, source, target);
    const image = await readFile(target);
    const header = decodeSparseHeader(image.subarray(0, SECTOR), target);
    expect(header).toMatchObject({
      version: 1,
      flags: 3,
      grainSectors: 128,
      gtEntries: 512,
      descriptorOffset: 1,
    });
    expect(header.overhead % 128).toBe(0);

    const expected = await readFile(source);
    let nonZeroGrains = 0;
    for (let at = 0; at < expected.length; at += GRAIN_BYTES) {
      if (firstNonZero(expected.subarray(at, at + GRAIN_BYTES)) !== -1) nonZeroGrains++;
    }
    expect(image.length).toBe(header.overhead * SECTOR + nonZeroGrains * GRAIN_BYTES);

    const reader = await vmdkReader.open(target);
    try {
      // The zero grain between two random ones (fixture: 2 MiB + 64 KiB) is not stored.
      const allocated = await reader.allocated();
      const zeroGrain = 2 * 1048576 + GRAIN_BYTES;
      expect(allocated.some((r) => r.start <= zeroGrain && zeroGrain < r.start + r.length)).toBe(
        false,
      );
    } finally {
      await reader.close();
    }
  });

  it('writes the adapter type and its geometry into the descriptor', async () => {
    const target = join(dir, 'ide.vmdk');
    await writeRaw(
      monolithicSparseWriter({ adapterType: 'ide' }),
      await scatteredGrainsRaw(),
      target,
    );
    const text = (await readFile(target)).subarray(SECTOR, 21 * SECTOR).toString('utf8');
    expect(text).toContain('ddb.adapterType = "ide"');
    expect(text).toContain('ddb.geometry.heads = "16"');
    expect(text).toMatch(/CID=[0-9a-f]{8}\nparentCID=ffffffff\ncreateType="monolithicSparse"\n/);
    expect(text).toContain('RW 12295 SPARSE "ide.vmdk"');
  });

  it('leaves no file behind when aborted', async () => {
    const aborted = await scratchDir('vmdk-monolithic-abort');
    try {
      const writer = await vmdkWriter.create(join(aborted, 'gone.vmdk'), {
        size: 8 << 20,
        thick: false,
        compress: false,
      });
      await writer.write({ offset: 4096, data: Buffer.alloc(200_000, 7) });
      await writer.abort();
      expect(await readdir(aborted)).toEqual([]);
    } finally {
      await rm(aborted, { recursive: true, force: true });
    }
  });

  it('refuses a disk larger than a sparse extent can address', async () => {
    await expect(
      vmdkWriter.create(join(dir, 'huge.vmdk'), { size: 2 ** 41, thick: false, compress: false }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(await readdir(dir)).not.toContain('huge.vmdk.partial');
  });
});
