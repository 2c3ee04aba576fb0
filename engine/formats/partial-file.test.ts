import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { alignedBuffers } from '../io/aligned-memory.js';
import { PartialFile } from './partial-file.js';

const MiB = 2 ** 20;
const folder = await mkdtemp(join(tmpdir(), 'ferry-partial-'));
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('PartialFile', () => {
  it('is written under .partial and appears under its name only when committed', async () => {
    const path = join(folder, 'disk.img');
    const file = await PartialFile.create(path);
    await file.writeAt(Buffer.from('ferry'), 0);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await file.commit()).toBe(path);
    expect(await readFile(path, 'utf8')).toBe('ferry');
    await expect(stat(`${path}.partial`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.runIf(process.platform === 'linux')(
    'writes aligned memory past the page cache and the rest through it, bytes in place',
    async () => {
      const path = join(folder, 'direct.img');
      const [first, second] = alignedBuffers(2, MiB)!;
      first!.set(randomBytes(MiB));
      second!.set(randomBytes(MiB));
      const bitmap = Buffer.alloc(512, 0xff);
      const table = randomBytes(1000);
      const file = await PartialFile.create(path);
      // A VHD block: its bitmap sector, then data on a page boundary; then a table after it.
      await file.writeAll([bitmap, first!, second!, table], 4096 - 512);
      // Aligned memory at a position that is not aligned cannot bypass the cache.
      await file.writeAt(first!, 3 * MiB + 512);
      await file.commit();

      // Only the pages written through the cache are in it: the bitmap's, the table's and the
      // unaligned copy's, not the 2 MiB that went straight to disk.
      const { stdout } = await execa('fincore', [
        '--bytes',
        '--noheadings',
        '--output',
        'RES',
        path,
      ]);
      const cached = Number(stdout.trim());
      expect(cached).toBeGreaterThanOrEqual(MiB);
      expect(cached).toBeLessThan(MiB + 16 * 4096);

      const written = await readFile(path);
      const expected = Buffer.alloc(3 * MiB + 512 + MiB);
      Buffer.concat([bitmap, first!, second!, table]).copy(expected, 4096 - 512);
      first!.copy(expected, 3 * MiB + 512);
      // Buffer.equals: vitest's deep equality walks a MiB byte by byte.
      expect(written.equals(expected)).toBe(true);
    },
  );

  it('discards its file', async () => {
    const path = join(folder, 'dropped.img');
    const file = await PartialFile.create(path);
    await file.writeAt(Buffer.alloc(MiB, 1), 0);
    await file.discard();
    await expect(stat(file.partialPath)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
