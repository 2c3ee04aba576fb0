import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import {
  expectBadFilesystem,
  expectNothingInOthers,
  fuzzImage,
  isoImage,
  jolietImage,
  primaryLaterImage,
  probeImage,
} from '../../test/fixtures/signatures.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { blkidIdentity, blkidProbe } from '../../test/fixtures/truth.js';
import { iso9660Driver } from './iso9660.js';

/** Volume size × logical block size as isoinfo reads them from the primary descriptor. */
async function isoinfoSize(image: string): Promise<number> {
  const text = await sh('isoinfo', ['-d', '-i', image]);
  const field = (pattern: RegExp): number => Number(pattern.exec(text)?.[1]);
  return field(/Volume size is: (\d+)/) * field(/Logical block size is: (\d+)/);
}

describe('iso9660', () => {
  // isoinfo reads only a primary descriptor in first place: the reordered image has the sizes
  // of the Joliet image it was made from.
  it.each([
    ['genisoimage', isoImage, isoImage, 'FERRY_CD'],
    ['genisoimage -J (Joliet)', jolietImage, jolietImage, 'Ferry Disc 2024'],
    [
      'a primary descriptor after a supplementary one',
      primaryLaterImage,
      jolietImage,
      'Ferry Disc 2024',
    ],
  ])(
    'reads label, UUID and size of %s as blkid does',
    async (_what, fixture, sizeJudged, label) => {
      const image = await fixture();
      const blkid = await blkidProbe(image);
      expect(blkid).toMatchObject({ TYPE: 'iso9660', LABEL: label });
      expect(blkid.UUID).toMatch(/^\d{4}(-\d\d){6}$/);
      expect(await probeImage(iso9660Driver, image)).toEqual({
        type: 'iso9660',
        ...blkidIdentity(blkid),
        size: await isoinfoSize(await sizeJudged()),
      });
    },
  );

  it('takes the UUID from the creation date when the modification date is unset', async () => {
    const bytes = await readFile(await isoImage());
    const primary = 32 * 1024;
    bytes.write('0000000000000000', primary + 830, 'latin1');
    bytes[primary + 846] = 0;
    bytes.write('2024050110203000', primary + 813, 'latin1');
    const found = await iso9660Driver.probe(bufferSource(bytes));
    expect(found?.uuid).toBe('2024-05-01-10-20-30-00');
  });

  it('reports descriptors without a primary one as damaged', async () => {
    const bytes = await readFile(await isoImage());
    bytes[32 * 1024] = 3;
    await expectBadFilesystem(iso9660Driver.probe(bufferSource(bytes)));
  });

  it('finds nothing in random bytes or the other signatures', async () => {
    await expectNothingInOthers(iso9660Driver, 'iso9660');
  });

  it('survives mutated copies of a real volume: a result or a FerryError, nothing else', async () => {
    await fuzzImage(iso9660Driver, await jolietImage(), {
      hot: [[32 * 1024, 8 * 1024]],
      iterations: 500,
      firstSeed: 7_000,
    });
  });
});
