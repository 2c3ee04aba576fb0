import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
    'reserves space ahead of appending writes and hands back what was not used',
    async () => {
      const path = join(folder, 'reserved.img');
      const file = await PartialFile.create(path);
      file.reserveThrough(MiB);
      await file.writeAt(Buffer.alloc(MiB, 1), 0);
      // Reservations run in the background: writes never wait for them.
      const during = await waitFor(
        () => stat(file.partialPath),
        (s) => s.blocks * 512 > 64 * MiB,
      );
      expect(during.size).toBe(MiB);
      expect(during.blocks * 512).toBeGreaterThan(64 * MiB);

      await file.commit();
      const after = await stat(path);
      expect(after.size).toBe(MiB);
      expect(after.blocks * 512).toBeLessThanOrEqual(MiB + 64 * 1024);
    },
  );

  it('discards its file, reservations included', async () => {
    const path = join(folder, 'dropped.img');
    const file = await PartialFile.create(path);
    file.reserveThrough(8 * MiB);
    await file.discard();
    await expect(stat(file.partialPath)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

/** Polls `read` until `done` holds or five seconds pass; returns the last value read. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}
