import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  INSIDE_DISK,
  NTFS_LABEL,
  ntfs4kSectors,
  ntfsAttributeList,
  ntfsFacts,
  ntfsFragmentedMft,
  ntfsInode,
  ntfsInsideDisk,
  ntfsinfoDataRuns,
  ntfsWithClusterSize,
  ntfsWithFiles,
} from '../../test/fixtures/ntfs.js';
import { checkPatterns, insideRanges } from '../../test/fixtures/patterns.js';
import { expectBadFilesystem, fuzzDriver, mappedRanges } from '../../test/fixtures/signatures.js';
import { bufferSource, withImage } from '../../test/fixtures/tables.js';
import { blkidProbe, withPartitionCopy } from '../../test/fixtures/truth.js';
import { sliceSource } from '../io/slice.js';
import type { BlockSource } from '../io/source.js';
import { totalLength } from '../ranges.js';
import { ntfsDriver } from './ntfs.js';
import { parseNtfsBoot } from './ntfs-boot.js';
import { Mft } from './ntfs-mft.js';
import { ATTRIBUTE_LIST } from './ntfs-record.js';

/**
 * The judges for one image: blkid for identity, ntfscluster for usage, the pattern files for
 * where the data is. NTFS counts clusters; Ferry adds the backup boot sector past the last one.
 */
async function checkAgainstTools(image: string, label: string): Promise<void> {
  const imageSize = (await stat(image)).size;
  const blkid = await blkidProbe(image);
  const facts = await ntfsFacts(image);
  await withImage(image, async (volume) => {
    const probed = await ntfsDriver.probe(volume);
    expect(probed).toEqual({ type: 'ntfs', label, uuid: blkid.UUID, size: imageSize - 512 });
    expect(blkid).toMatchObject({ TYPE: 'ntfs', LABEL: label });

    const used = await mappedRanges(ntfsDriver, volume);
    expect(Math.abs(totalLength(used) - facts.usedBytes)).toBeLessThan(facts.usedBytes * 0.01);
    expect(totalLength(used) - facts.usedBytes).toBe(512);
    expect(insideRanges(used, imageSize - 512, 512)).toBe(true);
    expect(insideRanges(used, 0, 8192)).toBe(true);
  });
}

describe('ntfsDriver', () => {
  it('reads label, serial and size as blkid does and counts what ntfscluster counts', async () => {
    const image = await ntfsWithFiles();
    await checkAgainstTools(image, NTFS_LABEL);
    await withImage(image, async (volume) =>
      checkPatterns(image, await mappedRanges(ntfsDriver, volume)),
    );
  });

  it.each([512, 131072] as const)('handles %i-byte clusters', async (clusterSize) => {
    const image = await ntfsWithClusterSize(clusterSize);
    expect((await ntfsFacts(image)).clusterSize).toBe(clusterSize);
    await checkAgainstTools(image, 'Clusters');
    await withImage(image, async (volume) =>
      checkPatterns(image, await mappedRanges(ntfsDriver, volume)),
    );
  });

  it('handles 4096-byte sectors and 4 KiB records', async () => {
    const image = await ntfs4kSectors();
    const facts = await ntfsFacts(image);
    await withImage(image, async (volume) => {
      const probed = await ntfsDriver.probe(volume);
      expect(probed?.label).toBe('Sectors4K');
      expect(probed?.uuid).toBe((await blkidProbe(image)).UUID);
      const used = await mappedRanges(ntfsDriver, volume);
      expect(totalLength(used) - facts.usedBytes).toBe(4096);
      await checkPatterns(image, used);
    });
  });

  it('follows a fragmented $MFT runlist exactly as ntfsinfo decodes it', async () => {
    const image = await ntfsFragmentedMft();
    const mftRuns = await ntfsinfoDataRuns(image, 0);
    expect(mftRuns.length).toBeGreaterThan(2);
    await checkAgainstTools(image, 'Fragments');
    await withImage(image, async (volume) => {
      const boot = parseNtfsBoot(await volume.read(0, 512), volume);
      const mft = await Mft.open(volume, boot);
      expect((await mft.dataStream(await mft.record(0))).runs).toEqual(mftRuns);
      expect((await mft.dataStream(await mft.record(6))).runs).toEqual(
        await ntfsinfoDataRuns(image, 6),
      );
      // A record that lies in a later fragment of the MFT is read through the runlist.
      const lastRun = mftRuns[mftRuns.length - 1]!;
      const lastRecord =
        ((lastRun.vcn + lastRun.length) * boot.clusterSize) / boot.mftRecordSize - 1;
      const record = await mft.record(lastRecord - 8);
      expect(record.number).toBe(lastRecord - 8);
      expect(record.attributes.some((a) => a.type === 0x30)).toBe(true);
    });
  });

  it('stitches a runlist spread over extent records by a non-resident $ATTRIBUTE_LIST', async () => {
    const image = await ntfsAttributeList();
    const inode = await ntfsInode(image, 'sparse.bin');
    const toolRuns = await ntfsinfoDataRuns(image, inode);
    expect(toolRuns.filter((run) => run.lcn === null).length).toBeGreaterThan(100);
    await checkAgainstTools(image, 'Extents');
    await withImage(image, async (volume) => {
      const mft = await Mft.open(volume, parseNtfsBoot(await volume.read(0, 512), volume));
      const file = await mft.record(inode);
      const list = file.attributes.find((a) => a.type === ATTRIBUTE_LIST);
      expect(list?.nonResident).toBeTruthy();
      const stream = await mft.dataStream(file);
      expect(stream.runs).toEqual(toolRuns);
      expect(stream.dataSize).toBe(401 * 4096);
    });
  });

  it('maps a volume that starts inside a larger disk', async () => {
    const image = await ntfsInsideDisk();
    const { offset, size } = INSIDE_DISK;
    const blkid = await blkidProbe(image, offset, size);
    const facts = await withPartitionCopy(image, offset, size, ntfsFacts);
    await withImage(image, async (disk) => {
      const volume = sliceSource(disk, offset, size);
      expect(await ntfsDriver.probe(volume)).toEqual({
        type: 'ntfs',
        label: 'Inside',
        uuid: blkid.UUID,
        size: size - 512,
      });
      const used = await mappedRanges(ntfsDriver, volume);
      expect(totalLength(used) - facts.usedBytes).toBe(512);
      expect(used[used.length - 1]).toEqual({ start: size - 512, length: 512 });
      await checkPatterns(image, used, offset, size);
    });
  });

  it('says null for what is not NTFS', async () => {
    expect(await ntfsDriver.probe(bufferSource(Buffer.alloc(4096)))).toBeNull();
    expect(await ntfsDriver.probe(bufferSource(Buffer.alloc(100)))).toBeNull();
  });

  describe('damage', () => {
    /** A damaged in-memory copy of the 4 KiB-cluster fixture. */
    async function damaged(
      change: (bytes: Buffer, mftStart: number) => void,
    ): Promise<BlockSource> {
      const bytes = await readFile(await ntfsWithFiles());
      const mftStart = Number(bytes.readBigUInt64LE(0x30)) * 4096;
      change(bytes, mftStart);
      return bufferSource(bytes, 'damaged.img');
    }

    it('refuses a BPB with impossible sizes', async () => {
      await expectBadFilesystem(
        ntfsDriver.probe(await damaged((b) => b.writeUInt16LE(1000, 0x0b))),
      );
      await expectBadFilesystem(ntfsDriver.probe(await damaged((b) => b.writeUInt8(0x03, 0x0d))));
      await expectBadFilesystem(ntfsDriver.probe(await damaged((b) => b.writeInt8(3, 0x40))));
      await expectBadFilesystem(
        ntfsDriver.probe(await damaged((b) => b.writeBigUInt64LE(1n << 40n, 0x30))),
      );
    });

    it('refuses an MFT record whose update sequence does not match (a torn write)', async () => {
      // The last two bytes of the first 512-byte stride of record 3 ($Volume).
      const volume = await damaged((b, mft) => b.writeUInt16LE(0xbeef, mft + 3 * 1024 + 510));
      await expectBadFilesystem(ntfsDriver.probe(volume));
    });

    it('refuses attributes that overrun their record', async () => {
      const volume = await damaged((b, mft) => {
        const record = mft + 3 * 1024;
        b.writeUInt32LE(0x7ff8, record + b.readUInt16LE(record + 0x14) + 4);
      });
      await expectBadFilesystem(ntfsDriver.probe(volume));
    });

    it('refuses a $Bitmap runlist that leaves the volume', async () => {
      const volume = await damaged((b, mft) => {
        const record = mft + 6 * 1024;
        let at = record + b.readUInt16LE(record + 0x14);
        while (b.readUInt32LE(at) !== 0x80) at += b.readUInt32LE(at + 4);
        const pairs = at + b.readUInt16LE(at + 0x20);
        // One run of one cluster at LCN 0x7fffff: header 0x31, length 1, 3-byte offset.
        b.set([0x31, 0x01, 0xff, 0xff, 0x7f, 0x00], pairs);
      });
      expect(await ntfsDriver.probe(volume)).not.toBeNull();
      await expectBadFilesystem(mappedRanges(ntfsDriver, volume));
    });

    it('refuses a volume cut shorter than its filesystem', async () => {
      await withImage(await ntfsWithFiles(), async (disk) => {
        const cut = sliceSource(disk, 0, 8 * 1024 * 1024);
        await expectBadFilesystem(mappedRanges(ntfsDriver, cut));
      });
    });

    it('answers mutated images with a result or a FerryError, never anything else', async () => {
      await withImage(await ntfsWithFiles(), async (source) => {
        const mftStart = Number((await source.read(0x30, 8)).readBigUInt64LE(0)) * 4096;
        const hot: [number, number][] = [
          [0, 512],
          [mftStart, 8 * 1024],
        ];
        await fuzzDriver(ntfsDriver, source, { hot, iterations: 400, firstSeed: 1 });
      });
    });
  });
});
