import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { dumpExfat, EXFAT_LABEL, exfatImage } from '../../test/fixtures/fat.js';
import { insideRanges } from '../../test/fixtures/patterns.js';
import { expectBadFilesystem, fuzzDriver, mappedRanges } from '../../test/fixtures/signatures.js';
import { bufferSource, withImage } from '../../test/fixtures/tables.js';
import { blkidProbe } from '../../test/fixtures/truth.js';
import { sliceSource } from '../io/slice.js';
import type { BlockSource } from '../io/source.js';
import { totalLength } from '../ranges.js';
import { exfatDriver } from './exfat.js';
import { fatDriver } from './fat.js';

describe('exfatDriver', () => {
  it('reads label, serial and size as blkid does', async () => {
    const image = await exfatImage();
    const blkid = await blkidProbe(image);
    expect(blkid).toMatchObject({ TYPE: 'exfat', LABEL: EXFAT_LABEL });
    await withImage(image, async (volume) => {
      expect(await exfatDriver.probe(volume)).toEqual({
        type: 'exfat',
        label: EXFAT_LABEL,
        uuid: blkid.UUID,
        size: (await stat(image)).size,
      });
      // The legacy BPB area is zero, so the FAT driver must not claim exFAT either.
      expect(await fatDriver.probe(volume)).toBeNull();
    });
  });

  it('counts the boot regions, the FAT and the clusters dump.exfat counts as used', async () => {
    const image = await exfatImage();
    const facts = await dumpExfat(image);
    await withImage(image, async (volume) => {
      const used = await mappedRanges(exfatDriver, volume);
      const fatBytes = facts.fatLength * facts.sectorSize;
      expect(totalLength(used)).toBe(
        24 * facts.sectorSize + fatBytes + facts.usedClusters * facts.clusterSize,
      );
      expect(insideRanges(used, facts.fatOffset * facts.sectorSize, fatBytes)).toBe(true);
    });
  });

  describe('damage', () => {
    async function damaged(change: (bytes: Buffer) => void): Promise<BlockSource> {
      const bytes = await readFile(await exfatImage());
      change(bytes);
      return bufferSource(bytes, 'damaged.img');
    }

    it('refuses a boot region whose checksum does not match', async () => {
      await expectBadFilesystem(
        exfatDriver.probe(await damaged((b) => (b[600] = (b[600] ?? 0) ^ 1))),
      );
    });

    it('refuses a non-zero legacy BPB and impossible shifts', async () => {
      await expectBadFilesystem(
        exfatDriver.probe(await damaged((b) => b.writeUInt16LE(512, 0x0b))),
      );
      await expectBadFilesystem(exfatDriver.probe(await damaged((b) => b.writeUInt8(30, 0x6c))));
    });

    it('refuses a volume cut shorter than the filesystem', async () => {
      await withImage(await exfatImage(), async (disk) => {
        const cut = sliceSource(disk, 0, 4 * 1024 * 1024);
        await expectBadFilesystem(mappedRanges(exfatDriver, cut));
      });
    });

    it('answers mutated images with a result or a FerryError', async () => {
      await withImage(await exfatImage(), async (source) => {
        const boot = await source.read(0, 512);
        const heap = boot.readUInt32LE(0x58) * 512;
        const hot: [number, number][] = [
          [0, 512],
          [boot.readUInt32LE(0x50) * 512, 512],
          [heap, 4 * 4096],
        ];
        await fuzzDriver(exfatDriver, source, { hot, iterations: 300, firstSeed: 1 });
      });
    });
  });
});
