import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWhole, uncoveredSectors } from '../../test/fixtures/disk-bytes.js';
import { qemuCompare, qemuInfo } from '../../test/fixtures/qemu-img.js';
import { partitionedMbrRaw, scatteredGrainsRaw, wideRaw } from '../../test/fixtures/raw-disks.js';
import { scratchDir } from '../../test/fixtures/scratch-dir.js';
import { writeRaw } from '../../test/fixtures/write-raw.js';
import { flatExtentPath, monolithicFlatWriter, vmdkFlatWriter } from './vmdk-flat.js';
import { vmdkReader } from './vmdk-reader.js';

let dir: string;
beforeAll(async () => {
  dir = await scratchDir('vmdk-flat');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('monolithicFlat writer', () => {
  it('names the data file as VMware does', () => {
    expect(flatExtentPath('/vm/disk.vmdk')).toBe('/vm/disk-flat.vmdk');
    expect(flatExtentPath('/vm/Disk.VMDK')).toBe('/vm/Disk-flat.vmdk');
    expect(flatExtentPath('/vm/disk')).toBe('/vm/disk-flat.vmdk');
    expect(vmdkFlatWriter.outputFiles('/vm/a.vmdk')).toEqual(['/vm/a.vmdk', '/vm/a-flat.vmdk']);
  });

  const cases = [
    { name: 'scattered data, 3000-byte extents', raw: scatteredGrainsRaw, chunk: 3000 },
    { name: 'partitioned ext4 disk', raw: partitionedMbrRaw, chunk: 1 << 20 },
    { name: 'a mostly empty disk', raw: wideRaw, chunk: 1 << 20 },
  ];
  it.each(cases)('writes what qemu-img reads back identically: $name', async ({ raw, chunk }) => {
    const source = await raw();
    const target = join(dir, `disk-${chunk}.vmdk`);
    const flat = join(dir, `disk-${chunk}-flat.vmdk`);
    expect(await writeRaw(vmdkFlatWriter, source, target, {}, chunk)).toEqual([target, flat]);

    await qemuCompare(source, target, 'vmdk');
    const info = await qemuInfo(target);
    expect(info['virtual-size']).toBe((await stat(source)).size);
    expect(info['format-specific']?.data['create-type']).toBe('monolithicFlat');
    expect((await stat(flat)).size).toBe((await stat(source)).size);

    const reader = await vmdkReader.open(target);
    try {
      const expected = await readFile(source);
      expect((await readWhole(reader)).equals(expected)).toBe(true);
      expect(uncoveredSectors(expected, await reader.allocated())).toEqual([]);
    } finally {
      await reader.close();
    }
  });

  it('leaves unwritten ranges as holes in a full-size flat file', async () => {
    const target = join(dir, 'holes.vmdk');
    const writer = await vmdkFlatWriter.create(target, {
      size: 64 << 20,
      thick: false,
      compress: false,
    });
    await writer.write({ offset: 4096, data: Buffer.alloc(4096, 1) });
    await writer.write({ offset: 40 << 20, data: Buffer.alloc(4096, 2) });
    await writer.finish();
    const flat = await stat(join(dir, 'holes-flat.vmdk'));
    expect(flat.size).toBe(64 << 20);
    expect(flat.blocks * 512).toBeLessThanOrEqual(1 << 20);
  });

  it('allocates every byte of the flat file when thick, as a preallocated disk', async () => {
    const target = join(dir, 'thick.vmdk');
    const writer = await vmdkFlatWriter.create(target, {
      size: 16 << 20,
      thick: true,
      compress: false,
    });
    await writer.write({ offset: 4096, data: Buffer.alloc(4096, 1) });
    await writer.finish();
    const flat = await stat(join(dir, 'thick-flat.vmdk'));
    expect(flat.size).toBe(16 << 20);
    expect(flat.blocks * 512).toBeGreaterThanOrEqual(16 << 20);
    const bytes = await readFile(join(dir, 'thick-flat.vmdk'));
    expect(bytes.subarray(4096, 8192).every((byte) => byte === 1)).toBe(true);
    expect(bytes.subarray(8192).every((byte) => byte === 0)).toBe(true);
  });

  it('writes a descriptor qemu and VMware parse', async () => {
    const target = join(dir, 'described.vmdk');
    await writeRaw(
      monolithicFlatWriter({ adapterType: 'pvscsi', uuid: '6000C29b-692f-c976-74c4-079e10873bf9' }),
      await partitionedMbrRaw(),
      target,
    );
    const text = await readFile(target, 'utf8');
    expect(text).toMatch(/^# Disk DescriptorFile\n/);
    expect(text).toMatch(/\nCID=[0-9a-f]{8}\nparentCID=ffffffff\ncreateType="monolithicFlat"\n/);
    expect(text).toContain('\nRW 65536 FLAT "described-flat.vmdk" 0\n');
    expect(text).toContain('ddb.adapterType = "pvscsi"');
    expect(text).toContain('ddb.geometry.heads = "255"');
    expect(text).toContain('ddb.uuid = "60 00 c2 9b 69 2f c9 76-74 c4 07 9e 10 87 3b f9"');
  });

  it('leaves neither file behind when aborted', async () => {
    const aborted = await scratchDir('vmdk-flat-abort');
    try {
      const writer = await vmdkFlatWriter.create(join(aborted, 'gone.vmdk'), {
        size: 8 << 20,
        thick: false,
        compress: false,
      });
      await writer.write({ offset: 512, data: Buffer.alloc(100_000, 1) });
      expect((await readdir(aborted)).sort()).toEqual([
        'gone-flat.vmdk.partial',
        'gone.vmdk.partial',
      ]);
      await writer.abort();
      expect(await readdir(aborted)).toEqual([]);
    } finally {
      await rm(aborted, { recursive: true, force: true });
    }
  });
});
