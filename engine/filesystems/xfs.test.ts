import { describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import {
  expectBadFilesystem,
  expectNothingInOthers,
  fuzzImage,
  probeImage,
  readHead,
  xfsImage,
} from '../../test/fixtures/signatures.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { blkidIdentity, blkidProbe } from '../../test/fixtures/truth.js';
import { xfsDriver } from './xfs.js';

/** dblocks × blocksize as xfs_db reads them from the primary superblock. */
async function xfsDbSize(image: string): Promise<number> {
  const text = await sh('xfs_db', ['-r', '-c', 'sb 0', '-c', 'print dblocks blocksize', image]);
  const field = (name: string): number => Number(new RegExp(`${name} = (\\d+)`).exec(text)?.[1]);
  return field('dblocks') * field('blocksize');
}

describe('xfs', () => {
  it('reads label, UUID and size of mkfs.xfs as blkid and xfs_db do', async () => {
    const image = await xfsImage();
    const blkid = await blkidProbe(image);
    expect(blkid).toMatchObject({ TYPE: 'xfs', LABEL: 'xfs-label' });
    expect(blkid.UUID).toBeDefined();
    const size = await xfsDbSize(image);
    expect(size).toBe(20 * 1024 * 1024);
    expect(await probeImage(xfsDriver, image)).toEqual({
      type: 'xfs',
      ...blkidIdentity(blkid),
      size,
    });
  });

  it.each([
    ['no allocation groups', 88, 4, 0],
    ['a block size that is not 1 << blocklog', 4, 4, 3000],
    ['more data blocks than its groups hold', 8, 8, 0xffffffff],
  ])('reports a superblock with %s as damaged', async (_what, offset, width, value) => {
    const bytes = await readHead(await xfsImage(), 64 * 1024);
    bytes.writeUIntBE(value, offset + width - 4, 4);
    await expectBadFilesystem(xfsDriver.probe(bufferSource(bytes)));
  });

  it('finds nothing in random bytes or the other signatures', async () => {
    await expectNothingInOthers(xfsDriver, 'xfs');
  });

  it('survives mutated copies of a real volume: a result or a FerryError, nothing else', async () => {
    await fuzzImage(xfsDriver, await xfsImage(), {
      hot: [[0, 512]],
      iterations: 500,
      firstSeed: 2_000,
    });
  });
});
