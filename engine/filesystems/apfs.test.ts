import { describe, expect, it } from 'vitest';
import {
  apfsImage,
  blkidExport,
  blkidIdentity,
  bufferSource,
  mutationFailures,
  probeImage,
  probesOfOthers,
  readHead,
} from '../../test/fixtures/signatures.js';
import { apfsDriver } from './apfs.js';

describe('apfs', () => {
  it('reads the container UUID and size of mkapfs as blkid does', async () => {
    const image = await apfsImage();
    const blkid = await blkidExport(image);
    expect(blkid).toMatchObject({ TYPE: 'apfs', UUID: '11111111-2222-4333-8444-555566667777' });
    expect(await probeImage(apfsDriver, image)).toEqual({
      type: 'apfs',
      ...blkidIdentity(blkid),
      size: 128 * 1024 * 1024,
    });
  });

  it('reports a container superblock whose checksum fails as damaged', async () => {
    const block = await readHead(await apfsImage(), 64 * 1024);
    block[100] = (block[100] as number) ^ 0x10;
    await expect(apfsDriver.probe(bufferSource(block))).rejects.toMatchObject({
      code: 'BAD_FILESYSTEM',
    });
  });

  it('finds nothing in random bytes or the other signatures', async () => {
    for (const { what, found } of await probesOfOthers(apfsDriver, 'apfs')) {
      expect(found, what).toBeNull();
    }
  });

  it('survives mutated copies of a real volume: a result or a FerryError, nothing else', async () => {
    expect(await mutationFailures(apfsDriver, await apfsImage(), [[0, 4096]], 500, 6_000)).toEqual(
      [],
    );
  });
});
