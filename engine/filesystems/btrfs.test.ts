import { describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import {
  blkidExport,
  blkidIdentity,
  btrfsImage,
  mutationFailures,
  probeImage,
  probesOfOthers,
} from '../../test/fixtures/signatures.js';
import { btrfsDriver } from './btrfs.js';

describe('btrfs', () => {
  it('reads label, UUID and size of mkfs.btrfs as blkid and btrfs dump-super do', async () => {
    const image = await btrfsImage();
    const blkid = await blkidExport(image);
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
    for (const { what, found } of await probesOfOthers(btrfsDriver, 'btrfs')) {
      expect(found, what).toBeNull();
    }
  });

  it('survives mutated copies of a real volume: a result or a FerryError, nothing else', async () => {
    expect(
      await mutationFailures(btrfsDriver, await btrfsImage(), [[64 * 1024, 4096]], 500, 3_000),
    ).toEqual([]);
  });
});
