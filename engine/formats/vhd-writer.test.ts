import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../shared/errors.js';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { paddedTo, readWhole, uncoveredSectors } from '../../test/fixtures/disk-bytes.js';
import { qemuCompare, qemuDataRanges, qemuInfo } from '../../test/fixtures/qemu-img.js';
import {
  oddSizeRaw,
  partitionedGptRaw,
  scatteredBlocksRaw,
} from '../../test/fixtures/raw-disks.js';
import { writeRaw } from '../../test/fixtures/write-raw.js';
import type { FormatWriterDriver } from './types.js';
import { geometrySectors, vhdDiskSize, vhdGeometry, type VhdVariant } from './vhd-geometry.js';
import { vhdReader } from './vhd-reader.js';
import { vhdFixedWriter, vhdWriter } from './vhd-writer.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(FIXTURE_ROOT, 'vhd-writer-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

type Variant = [string, FormatWriterDriver, boolean, VhdVariant];
const DYNAMIC: Variant = ['dynamic', vhdWriter, false, 'dynamic'];
const FIXED: Variant = ['fixed', vhdFixedWriter, false, 'fixed'];
const FIXED_THICK: Variant = ['fixed, thick', vhdFixedWriter, true, 'fixed'];
const THICK_VHD: Variant = ['thick "vhd" (so fixed)', vhdWriter, true, 'fixed'];

const CASES = [
  ['scattered data', scatteredBlocksRaw, [DYNAMIC, FIXED, FIXED_THICK, THICK_VHD]],
  ['a GPT disk with three ext4 partitions', partitionedGptRaw, [DYNAMIC, FIXED]],
  ['a disk of 100 MiB + 512 bytes', oddSizeRaw, [DYNAMIC, FIXED]],
] as const;

describe('VHD writers', () => {
  for (const [label, source, variants] of CASES) {
    for (const [variant, writer, thick, kind] of variants) {
      it(`writes ${label} as a ${variant} VHD that qemu-img and the reader see whole`, async () => {
        const raw = await source();
        const target = join(dir, `${source.name}-${variant}.vhd`);
        expect(await writeRaw(writer, raw, target, { thick })).toEqual([target]);
        const rawSize = (await stat(raw)).size;
        const size = vhdDiskSize(rawSize, kind);
        expect(size).toBeGreaterThanOrEqual(rawSize);

        const info = await qemuInfo(target, 'vpc');
        expect(info['virtual-size']).toBe(size);
        expect(await qemuCompare(raw, target, 'vpc')).toContain('Images are identical');

        const disk = paddedTo(await readFile(raw), size);
        const reader = await vhdReader.open(target);
        const allocated = await reader.allocated();
        try {
          expect(reader.size).toBe(size);
          expect((await readWhole(reader)).equals(disk)).toBe(true);
          expect(uncoveredSectors(disk, allocated)).toEqual([]);
          if (kind === 'dynamic') expect(allocated).toEqual(await qemuDataRanges(target, 'vpc'));
        } finally {
          await reader.close();
        }

        const bytes = await readFile(target);
        const footer = bytes.subarray(bytes.length - 512);
        expect(footer.toString('latin1', 0, 8)).toBe('conectix');
        expect(footer.readUInt32BE(8)).toBe(2);
        expect(footer.readUInt32BE(12)).toBe(0x00010000);
        expect(footer.toString('latin1', 28, 32)).toBe('frry');
        expect(footer.toString('latin1', 36, 40)).toBe('Wi2k');
        expect(Number(footer.readBigUInt64BE(40))).toBe(size);
        expect(Number(footer.readBigUInt64BE(48))).toBe(size);
        const chs = {
          cylinders: footer.readUInt16BE(56),
          heads: footer[58]!,
          sectorsPerTrack: footer[59]!,
        };
        expect(chs).toEqual(vhdGeometry(size / 512));
        expect(geometrySectors(chs) * 512).toBe(size);
        if (kind === 'fixed') {
          expect(bytes.length).toBe(size + 512);
          expect(size % MiB).toBe(0);
          expect(footer.readUInt32BE(60)).toBe(2);
          expect(footer.readBigUInt64BE(16)).toBe(0xffffffffffffffffn);
        } else {
          expect(footer.readUInt32BE(60)).toBe(3);
          expect(Number(footer.readBigUInt64BE(16))).toBe(512);
          expect(bytes.subarray(0, 512).equals(footer)).toBe(true);
          const header = bytes.subarray(512, 1536);
          expect(header.toString('latin1', 0, 8)).toBe('cxsparse');
          expect(header.readBigUInt64BE(8)).toBe(0xffffffffffffffffn);
          expect(Number(header.readBigUInt64BE(16))).toBe(1536);
          expect(header.readUInt32BE(24)).toBe(0x00010000);
          expect(header.readUInt32BE(28)).toBe(Math.ceil(size / (2 * MiB)));
          expect(header.readUInt32BE(32)).toBe(2 * MiB);
          const batBytes = Math.ceil((header.readUInt32BE(28) * 4) / 512) * 512;
          const stored = allocated.reduce((sum, r) => sum + Math.ceil(r.length / (2 * MiB)), 0);
          // Every block's data starts on a 4 KiB boundary, its bitmap in the sector before.
          const bat = bytes.subarray(1536, 1536 + header.readUInt32BE(28) * 4);
          const entries = Array.from({ length: bat.length / 4 }, (_, i) => bat.readUInt32BE(i * 4));
          const blocks = entries.filter((entry) => entry !== 0xffffffff);
          expect(blocks).toHaveLength(stored);
          for (const entry of blocks) expect(((entry + 1) * 512) % 4096).toBe(0);
          const firstData = Math.ceil((1536 + batBytes + 512) / 4096) * 4096;
          expect(bytes.length).toBe(firstData + stored * (2 * MiB + 4096) - 4096 + 512);
        }
      });
    }
  }

  for (const [variant, writer] of [
    ['dynamic', vhdWriter],
    ['fixed', vhdFixedWriter],
  ] as const) {
    it(`writes a ${variant} VHD from small, unaligned extents (4.5 KiB)`, async () => {
      const raw = await partitionedGptRaw();
      const target = join(dir, `small-extents-${variant}.vhd`);
      await writeRaw(writer, raw, target, {}, 4608);
      expect(await qemuCompare(raw, target, 'vpc')).toContain('Images are identical');
    });
  }

  it('presents a disk past the largest CHS geometry whole to qemu-img (200 GiB, dynamic)', async () => {
    const target = join(dir, 'large.vhd');
    const size = 200 * GiB + 512;
    const image = await vhdWriter.create(target, { size, thick: false, compress: false });
    const marker = Buffer.from('far out');
    await image.write({ offset: 150 * GiB + 3, data: marker });
    await image.finish();
    const expected = vhdDiskSize(size, 'dynamic');
    expect(expected).toBe(size);
    expect((await qemuInfo(target, 'vpc'))['virtual-size']).toBe(expected);
    const reader = await vhdReader.open(target);
    try {
      expect((await reader.read(150 * GiB, 16)).subarray(3, 10)).toEqual(marker);
      expect(await reader.allocated()).toEqual([{ start: 150 * GiB, length: 2 * MiB }]);
    } finally {
      await reader.close();
    }
  });

  it('refuses a disk past the VHD limit of 2040 GiB before creating a file', async () => {
    const target = join(dir, 'too-large.vhd');
    const error = await vhdWriter
      .create(target, { size: 2041 * GiB, thick: false, compress: false })
      .catch((caught: unknown) => caught);
    expect(isFerryError(error) && error.code).toBe('UNSUPPORTED');
    expect(existsSync(`${target}.partial`)).toBe(false);
  });

  for (const [variant, writer] of [
    ['dynamic', vhdWriter],
    ['fixed', vhdFixedWriter],
  ] as const) {
    it(`leaves no file behind when a ${variant} write is aborted`, async () => {
      const sub = await mkdtemp(join(dir, 'abort-'));
      const target = join(sub, 'disk.vhd');
      const image = await writer.create(target, { size: 8 * MiB, thick: true, compress: false });
      await image.write({ offset: 0, data: Buffer.alloc(3 * MiB, 1) });
      await image.abort();
      expect(await readdir(sub)).toEqual([]);
    });
  }
});
