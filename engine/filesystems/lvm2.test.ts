import { describe, expect, it } from 'vitest';
import {
  expectBadFilesystem,
  expectNothingInOthers,
  fuzzImage,
  loopDevicesAvailable,
  lvm2Image,
  probeImage,
  readHead,
} from '../../test/fixtures/signatures.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { blkidIdentity, blkidProbe } from '../../test/fixtures/truth.js';
import { lvm2Driver } from './lvm2.js';

const MiB = 1024 * 1024;
const NO_LOOP = 'pvcreate needs a loop device, and none can be attached here';

describe('lvm2', () => {
  it.for([1, 0, 2, 3])(
    'reads UUID and device size of pvcreate --labelsector %i as blkid does',
    async (sector, context) => {
      if (!(await loopDevicesAvailable())) context.skip(NO_LOOP);
      const image = await lvm2Image(sector);
      const blkid = await blkidProbe(image);
      expect(blkid.TYPE).toBe('LVM2_member');
      expect(blkid.UUID).toMatch(/^\w{6}(-\w{4}){5}-\w{6}$/);
      expect(await probeImage(lvm2Driver, image)).toEqual({
        type: 'lvm2',
        ...blkidIdentity(blkid),
        size: 6 * MiB,
      });
    },
  );

  it('reports a label whose checksum fails as damaged', async (context) => {
    if (!(await loopDevicesAvailable())) context.skip(NO_LOOP);
    const bytes = await readHead(await lvm2Image(), 64 * 1024);
    bytes[512 + 40] = (bytes[512 + 40] as number) ^ 1;
    await expectBadFilesystem(lvm2Driver.probe(bufferSource(bytes)));
  });

  it('finds nothing in random bytes or the other signatures', async () => {
    await expectNothingInOthers(lvm2Driver, 'lvm2');
  });

  it('survives mutated copies of a real PV: a result or a FerryError, nothing else', async (context) => {
    if (!(await loopDevicesAvailable())) context.skip(NO_LOOP);
    await fuzzImage(lvm2Driver, await lvm2Image(), {
      hot: [[0, 2048]],
      iterations: 500,
      firstSeed: 8_000,
    });
  });
});
