import { describe, expect, it } from 'vitest';
import {
  expectNothingInOthers,
  fuzzImage,
  hfsPlusImage,
  hfsPlusVolume,
  hfsWrapperVolume,
  imageOfBytes,
  probeImage,
} from '../../test/fixtures/signatures.js';
import { blkidIdentity, blkidProbe } from '../../test/fixtures/truth.js';
import { hfsplusDriver } from './hfsplus.js';

// Debian 12 has no mkfs for HFS+ (hfsprogs is gone), so these volumes are made by hand in
// test/fixtures/signatures.ts, and blkid run on the very same bytes says what they are.
const finderId = Buffer.from('0123456789abcdef', 'hex');

describe('hfsplus', () => {
  it.each([
    ['HFS+', 'H+', 'Macintosh HD'],
    ['HFSX', 'HX', 'Données'],
  ] as const)(
    'reads label, UUID and size of a hand-made %s volume as blkid does',
    async (_what, signature, name) => {
      const bytes = hfsPlusVolume({ signature, name, finderId });
      const image = await imageOfBytes(`hfsplus-${signature === 'H+' ? 'plus' : 'x'}`, bytes);
      const blkid = await blkidProbe(image);
      expect(blkid).toMatchObject({ TYPE: 'hfsplus', LABEL: name });
      expect(blkid.UUID).toBeDefined();
      expect(await probeImage(hfsplusDriver, image)).toEqual({
        type: 'hfsplus',
        ...blkidIdentity(blkid),
        size: bytes.length,
      });
    },
  );

  it('follows an HFS wrapper to the HFS+ volume inside', async () => {
    const embedded = hfsPlusVolume({ signature: 'H+', name: 'Wrapped', finderId });
    const image = await imageOfBytes('hfsplus-wrapped', hfsWrapperVolume(embedded));
    const blkid = await blkidProbe(image);
    expect(blkid).toMatchObject({ TYPE: 'hfsplus', LABEL: 'Wrapped' });
    expect(await probeImage(hfsplusDriver, image)).toEqual({
      type: 'hfsplus',
      ...blkidIdentity(blkid),
      size: null,
    });
  });

  it('has no UUID without a Finder volume id', async () => {
    const bytes = hfsPlusVolume({ signature: 'H+', name: 'Anon', finderId: Buffer.alloc(8) });
    const image = await imageOfBytes('hfsplus-anonymous', bytes);
    expect(blkidIdentity(await blkidProbe(image))).toEqual({ label: 'Anon', uuid: null });
    expect(await probeImage(hfsplusDriver, image)).toMatchObject({ label: 'Anon', uuid: null });
  });

  it('finds nothing in random bytes or the other signatures', async () => {
    await expectNothingInOthers(hfsplusDriver, 'hfsplus');
  });

  it('survives mutated copies of a real volume: a result or a FerryError, nothing else', async () => {
    await fuzzImage(hfsplusDriver, await hfsPlusImage(), {
      hot: [
        [1024, 512],
        [16 * 1024, 8 * 1024],
      ],
      iterations: 500,
      firstSeed: 5_000,
    });
  });
});
