import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  expectBadFilesystem,
  expectNothingInOthers,
  fuzzImage,
  KiB,
  mappedRanges,
  MiB,
  probeImage,
  shortSwapImage,
  swapImage,
  swapV0Image,
} from '../../test/fixtures/signatures.js';
import { bufferSource, withImage } from '../../test/fixtures/tables.js';
import { blkidIdentity, blkidProbe } from '../../test/fixtures/truth.js';
import { swapDriver } from './swap.js';

describe('swap', () => {
  it.each([4096, 8192, 16384, 65536])(
    'reads label, UUID and size of mkswap -p %i as blkid does',
    async (pageSize) => {
      const image = await swapImage(pageSize);
      const blkid = await blkidProbe(image);
      expect(blkid).toMatchObject({
        TYPE: 'swap',
        LABEL: `swap-${pageSize / 1024}k`,
        UUID: `0b6f3c2e-1111-4222-8333-${String(pageSize).padStart(12, '0')}`,
      });
      expect(await probeImage(swapDriver, image)).toEqual({
        type: 'swap',
        ...blkidIdentity(blkid),
        size: MiB,
      });
    },
  );

  it('sizes the swap area from its header, not from the volume', async () => {
    const found = await probeImage(swapDriver, await shortSwapImage());
    expect(found?.size).toBe(768 * KiB);
  });

  it('recognises version 0 swap, which has no label or UUID', async () => {
    const image = await swapV0Image();
    const blkid = await blkidProbe(image);
    expect(blkid).toMatchObject({ TYPE: 'swap', VERSION: '0' });
    expect(await probeImage(swapDriver, image)).toEqual({
      type: 'swap',
      label: null,
      uuid: null,
      size: null,
    });
  });

  it('maps only the header page as used', async () => {
    for (const pageSize of [4096, 65536]) {
      const used = await withImage(await swapImage(pageSize), (source) =>
        mappedRanges(swapDriver, source),
      );
      expect(used).toEqual([{ start: 0, length: pageSize }]);
    }
  });

  it('reports a swap header with a bad version as damaged', async () => {
    const bytes = await readFile(await swapImage(4096));
    bytes.writeUInt32LE(7, 1024);
    await expectBadFilesystem(swapDriver.probe(bufferSource(bytes)));
  });

  it('finds nothing in a volume too short for swap', async () => {
    const swap = await readFile(await swapImage(4096));
    expect(await swapDriver.probe(bufferSource(swap.subarray(0, 32 * KiB)))).toBeNull();
  });

  it('finds nothing in random bytes or the other signatures', async () => {
    await expectNothingInOthers(swapDriver, 'swap');
  });

  it('survives mutated copies of a real volume: a result or a FerryError, nothing else', async () => {
    await fuzzImage(swapDriver, await swapImage(4096), {
      hot: [[0, 8 * 1024]],
      iterations: 500,
      firstSeed: 1_000,
    });
  });
});
