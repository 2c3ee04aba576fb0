import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  BAD_BLOCKS,
  FAT_FIXTURES,
  FAT_INSIDE_DISK,
  fat4kSectors,
  fatImage,
  fatInsideDisk,
  fatWithBadClusters,
  fsckFat,
  type FsckFatFacts,
} from '../../test/fixtures/fat.js';
import { checkPatterns, touchesRanges } from '../../test/fixtures/patterns.js';
import { expectBadFilesystem, fuzzDriver, mappedRanges } from '../../test/fixtures/signatures.js';
import { bufferSource, withImage } from '../../test/fixtures/tables.js';
import { blkidProbe, withPartitionCopy } from '../../test/fixtures/truth.js';
import { sliceSource } from '../io/slice.js';
import type { BlockSource } from '../io/source.js';
import { totalLength } from '../ranges.js';
import { fatDriver } from './fat.js';

/**
 * fsck.fat reports where the data area starts (after the reserved sectors, the FATs and the
 * FAT12/16 root directory) and how many clusters are not free; those two are the whole of
 * what a FAT volume uses.
 */
function fsckUsedBytes(facts: FsckFatFacts): number {
  return facts.dataStart + facts.usedClusters * facts.clusterSize;
}

describe('fatDriver', () => {
  it.each(FAT_FIXTURES)('reads FAT$bits as blkid and fsck.fat do', async ({ bits, label }) => {
    const image = await fatImage(bits);
    const blkid = await blkidProbe(image);
    expect(blkid).toMatchObject({ TYPE: 'vfat', VERSION: `FAT${bits}`, LABEL: label });
    const facts = await fsckFat(image);
    await withImage(image, async (volume) => {
      expect(await fatDriver.probe(volume)).toEqual({
        type: `fat${bits}`,
        label,
        uuid: blkid.UUID,
        size: (await stat(image)).size,
      });
      const used = await mappedRanges(fatDriver, volume);
      expect(totalLength(used)).toBe(fsckUsedBytes(facts));
      expect(used[0]?.start).toBe(0);
      expect(used[0]!.length).toBeGreaterThanOrEqual(facts.dataStart);
      await checkPatterns(image, used);
    });
  });

  it('prints the serial as blkid does', async () => {
    await withImage(await fatImage(12), async (volume) => {
      expect((await fatDriver.probe(volume))?.uuid).toBe('12AB-34CD');
    });
  });

  it('handles 4096-byte sectors', async () => {
    const image = await fat4kSectors();
    const facts = await fsckFat(image);
    await withImage(image, async (volume) => {
      expect(await fatDriver.probe(volume)).toMatchObject({ type: 'fat12', label: 'FOURK' });
      const used = await mappedRanges(fatDriver, volume);
      expect(totalLength(used)).toBe(fsckUsedBytes(facts));
      await checkPatterns(image, used);
    });
  });

  it('maps a FAT that mkfs.fat made at an offset inside a larger image', async () => {
    const image = await fatInsideDisk();
    const { offset, size } = FAT_INSIDE_DISK;
    const blkid = await blkidProbe(image, offset, size);
    const facts = await withPartitionCopy(image, offset, size, fsckFat);
    await withImage(image, async (disk) => {
      const volume = sliceSource(disk, offset, size);
      expect(await fatDriver.probe(volume)).toEqual({
        type: 'fat16',
        label: 'INSIDE',
        uuid: blkid.UUID,
        size,
      });
      const used = await mappedRanges(fatDriver, volume);
      expect(totalLength(used)).toBe(fsckUsedBytes(facts));
      await checkPatterns(image, used, offset, size);
    });
  });

  it('leaves clusters marked bad out of the used ranges', async () => {
    const image = await fatWithBadClusters();
    const facts = await fsckFat(image);
    await withImage(image, async (volume) => {
      const used = await mappedRanges(fatDriver, volume);
      // Three 1 KiB blocks are six 512-byte clusters, which fsck.fat counts as used.
      expect(totalLength(used)).toBe(fsckUsedBytes(facts) - 6 * 512);
      for (const block of BAD_BLOCKS) expect(touchesRanges(used, block * 1024, 1024)).toBe(false);
      await checkPatterns(image, used);
    });
  });

  it('says null for what is not FAT', async () => {
    expect(await fatDriver.probe(bufferSource(Buffer.alloc(4096)))).toBeNull();
    expect(await fatDriver.probe(bufferSource(Buffer.alloc(100)))).toBeNull();
    // An MBR-like sector: the signature, but no BPB and no FAT type string.
    const mbr = Buffer.alloc(4096);
    mbr.set([0x55, 0xaa], 510);
    expect(await fatDriver.probe(bufferSource(mbr))).toBeNull();
  });

  describe('damage', () => {
    async function damaged(
      bits: 12 | 16 | 32,
      change: (bytes: Buffer) => void,
    ): Promise<BlockSource> {
      const bytes = await readFile(await fatImage(bits));
      change(bytes);
      return bufferSource(bytes, 'damaged.img');
    }

    it('refuses a BPB that contradicts itself when the sector says FAT', async () => {
      await expectBadFilesystem(
        fatDriver.probe(await damaged(16, (b) => b.writeUInt16LE(1000, 0x0b))),
      );
      await expectBadFilesystem(fatDriver.probe(await damaged(16, (b) => b.writeUInt8(3, 0x0d))));
      await expectBadFilesystem(
        fatDriver.probe(await damaged(16, (b) => b.writeUInt16LE(1, 0x16))),
      );
      await expectBadFilesystem(
        fatDriver.probe(await damaged(16, (b) => b.writeUInt16LE(0, 0x0e))),
      );
      await expectBadFilesystem(
        fatDriver.probe(await damaged(32, (b) => b.writeUInt32LE(0x0fffffff, 0x2c))),
      );
      const tooManyClusters = await damaged(12, (b) => {
        b.writeUInt16LE(0, 0x13);
        b.writeUInt32LE(0xffffffff, 0x20);
      });
      await expectBadFilesystem(fatDriver.probe(tooManyClusters));
    });

    it('refuses a volume cut shorter than the clusters in use', async () => {
      await withImage(await fatImage(16), async (disk) => {
        const cut = sliceSource(disk, 0, 256 * 1024);
        await expectBadFilesystem(mappedRanges(fatDriver, cut));
        const tiny = sliceSource(disk, 0, 4096);
        await expectBadFilesystem(fatDriver.probe(tiny));
      });
    });

    it.each([12, 16, 32] as const)(
      'answers mutated FAT%i images with a result or a FerryError',
      async (bits) => {
        await withImage(await fatImage(bits), async (source) => {
          const boot = await source.read(0, 512);
          const fatStart = boot.readUInt16LE(0x0e) * 512;
          const fatSectors = boot.readUInt16LE(0x16) || boot.readUInt32LE(0x24);
          // The FAT12/16 root directory, or the FAT32 root's first cluster.
          const rootStart = fatStart + boot.readUInt8(0x10) * fatSectors * 512;
          const hot: [number, number][] = [
            [0, 512],
            [fatStart, 4096],
            [rootStart, 4096],
          ];
          await fuzzDriver(fatDriver, source, { hot, iterations: 300, firstSeed: 1 });
        });
      },
    );
  });
});
