import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { dumpExfat, EXFAT_LABEL, exfatImage } from '../../test/fixtures/fat.js';
import { mutate, mutatedSource, random } from '../../test/fixtures/mutate.js';
import { blkidIdentity, insideRanges } from '../../test/fixtures/patterns.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { openFileSource } from '../io/file-source.js';
import { sliceSource } from '../io/slice.js';
import type { BlockSource } from '../io/source.js';
import { totalLength } from '../ranges.js';
import { exfatDriver } from './exfat.js';
import { fatDriver } from './fat.js';

async function withImage<T>(image: string, fn: (volume: BlockSource) => Promise<T>): Promise<T> {
  const source = await openFileSource(image);
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}

async function expectBadFilesystem(work: Promise<unknown>): Promise<void> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FerryError);
  expect((error as FerryError).code).toBe('BAD_FILESYSTEM');
}

describe('exfatDriver', () => {
  it('reads label, serial and size as blkid does', async () => {
    const image = await exfatImage();
    const blkid = await blkidIdentity(image);
    expect(blkid).toMatchObject({ type: 'exfat', label: EXFAT_LABEL });
    await withImage(image, async (volume) => {
      expect(await exfatDriver.probe(volume)).toEqual({
        type: 'exfat',
        label: EXFAT_LABEL,
        uuid: blkid.uuid,
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
      const used = await exfatDriver.usedRanges!(volume, (await exfatDriver.probe(volume))!);
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
        await expectBadFilesystem(exfatDriver.usedRanges!(cut, (await exfatDriver.probe(cut))!));
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
        for (let seed = 1; seed <= 300; seed++) {
          const volume = mutatedSource(source, mutate(random(seed), source.size, hot));
          try {
            const probed = await exfatDriver.probe(volume);
            if (probed) await exfatDriver.usedRanges!(volume, probed);
          } catch (error) {
            if (!(error instanceof FerryError)) throw new Error(`seed ${seed}: ${String(error)}`);
          }
        }
      });
    });
  });
});
