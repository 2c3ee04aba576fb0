import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qemuConvert } from '../../test/fixtures/qemu-img.js';
import { scatteredGrainsRaw } from '../../test/fixtures/raw-disks.js';
import { scratchDir } from '../../test/fixtures/scratch-dir.js';
import { NIL_UUID } from './disk-uuid.js';
import { buildDescriptor, diskGeometry, parseDescriptor } from './vmdk-descriptor.js';

const IMAGE_UUID = '4f1c1c2e-8a53-4c4e-9d3b-0a6e2f7b91d5';

let dir: string;
beforeAll(async () => {
  dir = await scratchDir('vmdk-descriptor');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('VMDK descriptor', () => {
  it('gives IDE disks 16 heads and SCSI disks 255, 63 sectors, cylinders capped', () => {
    const sectors = (40 * 2 ** 30) / 512;
    expect(diskGeometry(sectors, 'ide')).toEqual({ cylinders: 16383, heads: 16, sectors: 63 });
    expect(diskGeometry(sectors, 'lsilogic')).toEqual({ cylinders: 5221, heads: 255, sectors: 63 });
    expect(diskGeometry((2 ** 40 / 512) * 4, 'pvscsi').cylinders).toBe(65535);
    expect(diskGeometry(100, 'buslogic').cylinders).toBe(1);
  });

  it('writes CID before parentCID and createType without spaces, and reads its own text back', () => {
    const text = buildDescriptor(
      'monolithicFlat',
      { sectors: 2048, type: 'FLAT', file: 'a b-flat.vmdk' },
      IMAGE_UUID,
    );
    expect(text).toMatch(
      /^# Disk DescriptorFile\nversion=1\nencoding="UTF-8"\nCID=[0-9a-f]{8}\nparentCID=ffffffff\ncreateType="monolithicFlat"\n/,
    );
    expect(text).toContain('ddb.adapterType = "lsilogic"');
    expect(parseDescriptor(text, 'test')).toEqual({
      createType: 'monolithicFlat',
      parentCid: null,
      imageUuid: IMAGE_UUID,
      extents: [{ access: 'RW', sectors: 2048, type: 'FLAT', file: 'a b-flat.vmdk', offset: 0 }],
    });
  });

  it('refuses names and UUIDs it cannot write', () => {
    const usage = expect.objectContaining({ code: 'USAGE' });
    const sparse = { sectors: 1, type: 'SPARSE', file: 'a' } as const;
    expect(() =>
      buildDescriptor('monolithicFlat', { sectors: 1, type: 'FLAT', file: 'a"b' }, IMAGE_UUID),
    ).toThrow(usage);
    expect(() => buildDescriptor('monolithicSparse', sparse, IMAGE_UUID, { uuid: 'xyz' })).toThrow(
      usage,
    );
    for (const image of ['xyz', `${IMAGE_UUID}"\nRW 1 FLAT "x`, NIL_UUID]) {
      expect(() => buildDescriptor('monolithicSparse', sparse, image)).toThrow(usage);
    }
  });

  it('reads the descriptors qemu-img writes', async () => {
    const target = join(dir, 'split.vmdk');
    await qemuConvert(await scatteredGrainsRaw(), target, 'vmdk', [
      '-o',
      'subformat=twoGbMaxExtentFlat',
    ]);
    const parsed = parseDescriptor(await readFile(target, 'utf8'), target);
    expect(parsed.createType).toBe('twoGbMaxExtentFlat');
    expect(parsed.parentCid).toBeNull();
    expect(parsed.imageUuid).toBeNull();
    expect(parsed.extents).toEqual([
      { access: 'RW', sectors: 12295, type: 'FLAT', file: 'split-f001.vmdk', offset: 0 },
    ]);
  });

  it('reads VMware extent lines: RDONLY, ZERO, VMFS, offsets; notes a parent', () => {
    const parsed = parseDescriptor(
      [
        '# Disk DescriptorFile',
        'CID=12345678',
        'parentCID=abcdef01',
        'createType="vmfs"',
        'RDONLY 100 VMFS "base-flat.vmdk" 8',
        'RW 50 ZERO',
        'ddb.comment = "anything = here"',
        'tools.syncTime = "FALSE"',
      ].join('\r\n'),
      'test',
    );
    expect(parsed.parentCid).toBe('abcdef01');
    expect(parsed.extents).toEqual([
      { access: 'RDONLY', sectors: 100, type: 'VMFS', file: 'base-flat.vmdk', offset: 8 },
      { access: 'RW', sectors: 50, type: 'ZERO', file: null, offset: 0 },
    ]);
  });

  it('reads the image UUID from the lines VirtualBox writes', () => {
    // VirtualBox is not in Debian: this is the layout its VMDK backend gives a new disk
    // (vmdkCreateDescriptor, then vmdkDescDDBSetUuid: key=value without spaces).
    const text = [
      '# Disk DescriptorFile',
      'version=1',
      'CID=8c2f3b1a',
      'parentCID=ffffffff',
      'createType="monolithicSparse"',
      '',
      '# Extent description',
      'RW 2048 SPARSE "box.vmdk"',
      '',
      '# The disk Data Base ',
      '#DDB',
      '',
      'ddb.virtualHWVersion = "4"',
      'ddb.adapterType="ide"',
      `ddb.uuid.image="${IMAGE_UUID.toUpperCase()}"`,
      `ddb.uuid.parent="${NIL_UUID}"`,
      `ddb.uuid.modification="${NIL_UUID}"`,
      `ddb.uuid.parentmodification="${NIL_UUID}"`,
    ].join('\n');
    expect(parseDescriptor(text, 'test').imageUuid).toBe(IMAGE_UUID);
    const broken = text.replace(/ddb\.uuid\.image="[^"]*"/, 'ddb.uuid.image="not-a-uuid"');
    expect(parseDescriptor(broken, 'test').imageUuid).toBeNull();
  });

  it.each([
    ['a malformed extent line', 'RW lots SPARSE "x.vmdk"', 'BAD_IMAGE'],
    ['no extents', 'createType="monolithicFlat"', 'BAD_IMAGE'],
    ['an extent type Ferry does not read', 'RW 10 SESPARSE "x.vmdk"', 'UNSUPPORTED'],
    ['a FLAT extent without a file', 'RW 10 FLAT', 'BAD_IMAGE'],
    ['a size beyond 8 PiB', 'RW 99999999999999999999 FLAT "x.vmdk" 0', 'BAD_IMAGE'],
  ])('refuses %s', (_name, line, code) => {
    expect(() => parseDescriptor(`# Disk DescriptorFile\n${line}\n`, 'test')).toThrow(
      expect.objectContaining({ code }),
    );
  });
});
