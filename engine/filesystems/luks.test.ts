import { describe, expect, it } from 'vitest';
import {
  expectNothingInOthers,
  fuzzImage,
  luksImage,
  probeImage,
  readHead,
} from '../../test/fixtures/signatures.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { blkidIdentity, blkidProbe } from '../../test/fixtures/truth.js';
import { luksDriver } from './luks.js';

describe('luks', () => {
  it.each([1, 2] as const)(
    'reads the identity of cryptsetup LUKS%i as blkid does',
    async (version) => {
      const image = await luksImage(version);
      const blkid = await blkidProbe(image);
      expect(blkid).toMatchObject({ TYPE: 'crypto_LUKS', VERSION: String(version) });
      expect(blkid.UUID).toBeDefined();
      expect(blkid.LABEL).toBe(version === 2 ? 'vault two' : undefined);
      expect(await probeImage(luksDriver, image)).toEqual({
        type: 'luks',
        ...blkidIdentity(blkid),
        size: null,
      });
    },
  );

  it('finds a LUKS2 volume by its secondary header when the primary is wiped', async () => {
    const image = await luksImage(2);
    const bytes = await readHead(image, 1024 * 1024);
    bytes.fill(0, 0, 4096);
    const blkid = await blkidProbe(image);
    expect(await luksDriver.probe(bufferSource(bytes))).toEqual({
      type: 'luks',
      ...blkidIdentity(blkid),
      size: null,
    });
  });

  it('finds nothing in random bytes or the other signatures', async () => {
    await expectNothingInOthers(luksDriver, 'luks');
  });

  it('survives mutated copies of a real volume: a result or a FerryError, nothing else', async () => {
    await fuzzImage(luksDriver, await luksImage(2), {
      hot: [
        [0, 4096],
        [16 * 1024, 4096],
      ],
      iterations: 500,
      firstSeed: 4_000,
    });
  });
});
