import { describe, expect, it } from 'vitest';
import {
  apfsImage,
  expectBadFilesystem,
  expectNothingInOthers,
  fuzzImage,
  probeImage,
  readHead,
} from '../../test/fixtures/signatures.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { blkidIdentity, blkidProbe } from '../../test/fixtures/truth.js';
import { apfsDriver } from './apfs.js';

describe('apfs', () => {
  it('reads the container UUID and size of mkapfs as blkid does', async () => {
    const image = await apfsImage();
    const blkid = await blkidProbe(image);
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
    await expectBadFilesystem(apfsDriver.probe(bufferSource(block)));
  });

  it('finds nothing in random bytes or the other signatures', async () => {
    await expectNothingInOthers(apfsDriver, 'apfs');
  });

  it('survives mutated copies of a real volume: a result or a FerryError, nothing else', async () => {
    await fuzzImage(apfsDriver, await apfsImage(), {
      hot: [[0, 4096]],
      iterations: 500,
      firstSeed: 6_000,
    });
  });
});
