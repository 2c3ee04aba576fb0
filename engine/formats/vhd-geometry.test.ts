import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../shared/errors.js';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { qemuInfo } from '../../test/fixtures/qemu-img.js';
import { VHD_MAX_DISK_SIZE, geometrySectors, vhdDiskSize, vhdGeometry } from './vhd-geometry.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const MAX_CHS_BYTES = 65535 * 16 * 255 * 512;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(FIXTURE_ROOT, 'vhd-geometry-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const REQUESTS = [
  1,
  512,
  3 * MiB + 7,
  17 * MiB,
  20 * MiB,
  100 * MiB + 512,
  504 * MiB,
  GiB,
  4 * GiB + 1,
  20 * GiB,
  31.5 * GiB,
  32 * GiB,
  100 * GiB,
  MAX_CHS_BYTES - 512,
  MAX_CHS_BYTES + 512,
  500 * GiB,
  VHD_MAX_DISK_SIZE,
];

describe('vhdGeometry', () => {
  it('follows the VHD specification: 17, 31, 63 and 255 sectors per track as the disk grows', () => {
    expect(vhdGeometry(20480)).toEqual({ cylinders: 301, heads: 4, sectorsPerTrack: 17 });
    expect(vhdGeometry(204801)).toEqual({ cylinders: 1003, heads: 12, sectorsPerTrack: 17 });
    expect(vhdGeometry(409600)).toEqual({ cylinders: 825, heads: 16, sectorsPerTrack: 31 });
    expect(vhdGeometry(1048576)).toEqual({ cylinders: 1040, heads: 16, sectorsPerTrack: 63 });
    expect(vhdGeometry(41943040)).toEqual({ cylinders: 41610, heads: 16, sectorsPerTrack: 63 });
    expect(vhdGeometry(67108864)).toEqual({ cylinders: 16448, heads: 16, sectorsPerTrack: 255 });
    expect(vhdGeometry(2 ** 40)).toEqual({ cylinders: 65535, heads: 16, sectorsPerTrack: 255 });
  });
});

describe('vhdDiskSize', () => {
  it.each(REQUESTS)('rounds %d bytes up to a size its own geometry names exactly', (requested) => {
    for (const variant of ['dynamic', 'fixed'] as const) {
      const size = vhdDiskSize(requested, variant);
      expect(size).toBeGreaterThanOrEqual(requested);
      expect(size % 512).toBe(0);
      const geometry = vhdGeometry(size / 512);
      if (size <= MAX_CHS_BYTES) expect(geometrySectors(geometry) * 512).toBe(size);
      else expect(geometry).toEqual({ cylinders: 65535, heads: 16, sectorsPerTrack: 255 });
      if (variant === 'fixed') {
        expect(size % MiB).toBe(0);
        expect(size - requested).toBeLessThan(256 * MiB);
      } else {
        expect(size - requested).toBeLessThan(2 * MiB);
      }
    }
  });

  it('keeps sizes that already fit: an exact geometry, and a whole number of MiB for fixed', () => {
    expect(vhdDiskSize(17 * MiB, 'fixed')).toBe(17 * MiB);
    expect(vhdDiskSize(504 * MiB, 'fixed')).toBe(504 * MiB);
    expect(vhdDiskSize(vhdDiskSize(100 * MiB + 512, 'dynamic'), 'dynamic')).toBe(
      vhdDiskSize(100 * MiB + 512, 'dynamic'),
    );
  });

  it.each([3 * MiB + 7, 100 * MiB + 512, GiB + 1, 20 * GiB])(
    'agrees with qemu-img, whose own rounding leaves the size of %d bytes unchanged',
    async (requested) => {
      for (const variant of ['dynamic', 'fixed'] as const) {
        const size = vhdDiskSize(requested, variant);
        const image = join(dir, `${requested}-${variant}.vhd`);
        await sh('qemu-img', [
          'create',
          '-q',
          '-f',
          'vpc',
          '-o',
          `subformat=${variant}`,
          image,
          String(size),
        ]);
        expect((await qemuInfo(image, 'vpc'))['virtual-size']).toBe(size);
        await rm(image);
      }
    },
  );

  it('refuses a disk past 2040 GiB with UNSUPPORTED', () => {
    let caught: unknown;
    try {
      vhdDiskSize(VHD_MAX_DISK_SIZE + 1, 'dynamic');
    } catch (error) {
      caught = error;
    }
    expect(isFerryError(caught) && caught.code).toBe('UNSUPPORTED');
  });
});
