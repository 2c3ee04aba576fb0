import { describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import {
  btrfsImage,
  expectNothingInOthers,
  fuzzImage,
  probeImage,
} from '../../test/fixtures/signatures.js';
import { blkidIdentity, blkidProbe } from '../../test/fixtures/truth.js';
import { btrfsDriver } from './btrfs.js';

describe('btrfs', () => {
  it('reads label, UUID and size of mkfs.btrfs as blkid and btrfs dump-super do', async () => {
    const image = await btrfsImage();
    const blkid = await blkidProbe(image);
    expect(blkid).toMatchObject({ TYPE: 'btrfs', LABEL: 'btrfs label' });
    expect(blkid.UUID).toBeDefined();
    const superblock = await sh('btrfs', ['inspect-internal', 'dump-super', image]);
    const size = Number(/^dev_item\.total_bytes\s+(\d+)/m.exec(superblock)?.[1]);
    expect(size).toBe(16 * 1024 * 1024);
    expect(await probeImage(btrfsDriver, image)).toEqual({
      type: 'btrfs',
      ...blkidIdentity(blkid),
      size,
    });
  });

  it('finds nothing in random bytes or the other signatures', async () => {
    await expectNothingInOthers(btrfsDriver, 'btrfs');
  });

  it('survives mutated copies of a real volume: a result or a FerryError, nothing else', async () => {
    await fuzzImage(btrfsDriver, await btrfsImage(), {
      hot: [[64 * 1024, 4096]],
      iterations: 500,
      firstSeed: 3_000,
    });
  });
});
