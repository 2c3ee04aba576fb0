import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { openFileSource } from '../io/file-source.js';
import type { BlockSource } from '../io/source.js';
import { TemporaryCopy } from './temporary-copy.js';

const MIB = 1024 * 1024;

/**
 * A plain file standing for a partition: only bytes are copied here, no format is involved.
 * Data at 1 MiB and 5 MiB, zeros everywhere else.
 */
async function partitionFile(folder: string): Promise<{ path: string; bytes: Buffer }> {
  const bytes = Buffer.alloc(8 * MIB);
  randomBytes(MIB).copy(bytes, MIB);
  randomBytes(256 * 1024).copy(bytes, 5 * MIB);
  const path = join(folder, 'partition.img');
  await writeFile(path, bytes);
  return { path, bytes };
}

describe('TemporaryCopy', () => {
  let folder: string;
  let tempDir: string;
  let volume: BlockSource;
  let bytes: Buffer;

  beforeEach(async () => {
    folder = await mkdtemp(join(FIXTURE_ROOT, 'temporary-copy-'));
    tempDir = join(folder, 'temp');
    await mkdir(tempDir);
    const partition = await partitionFile(folder);
    bytes = partition.bytes;
    volume = await openFileSource(partition.path);
  });

  afterEach(async () => {
    await volume.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('holds the used bytes at their offsets, zeros elsewhere, and stores no zero granule', async () => {
    // The used ranges cover both data runs and 3 MiB of zeros between them.
    const used = [{ start: MIB, length: 4.25 * MIB }];
    const copy = await TemporaryCopy.create({ volume, used, size: 10 * MIB, tempDir });
    const [name] = await readdir(tempDir);
    const content = await readFile(join(tempDir, name!));
    expect(content.length).toBe(10 * MIB);
    expect(content.subarray(0, 8 * MIB).equals(bytes)).toBe(true);
    expect(content.subarray(8 * MIB).every((byte) => byte === 0)).toBe(true);
    // 1.25 MiB of data; the 3 MiB of zeros in the used range take no space.
    const allocated = await copy.allocatedBytes();
    expect(allocated).toBeGreaterThanOrEqual(1.25 * MIB);
    expect(allocated).toBeLessThan(1.5 * MIB);
    expect((await stat(join(tempDir, name!))).blocks * 512).toBe(allocated);
    await copy.dispose();
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('moves bytes by their placements and leaves out used bytes outside every placement', async () => {
    const used = [
      { start: MIB, length: MIB },
      { start: 5 * MIB, length: 256 * 1024 },
    ];
    const placements = [{ start: 5 * MIB, length: 256 * 1024, to: 2 * MIB }];
    const copy = await TemporaryCopy.create({ volume, used, size: 4 * MIB, tempDir, placements });
    const content = await copy.readAt(0, 4 * MIB);
    expect(content.subarray(2 * MIB, 2.25 * MIB).equals(bytes.subarray(5 * MIB, 5.25 * MIB))).toBe(
      true,
    );
    expect(content.subarray(0, 2 * MIB).every((byte) => byte === 0)).toBe(true);
    await copy.dispose();
  });

  it('reports progress, and a cancel leaves no file behind', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const creating = TemporaryCopy.create({
      volume,
      used: [{ start: 0, length: 8 * MIB }],
      size: 8 * MIB,
      tempDir,
      signal: controller.signal,
      onProgress: (done) => {
        seen.push(done);
        controller.abort();
      },
    });
    await expect(creating).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen[0]).toBeGreaterThan(0);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('refuses a temporary folder that is not there, naming the partition', async () => {
    const creating = TemporaryCopy.create({
      volume,
      used: [{ start: 0, length: MIB }],
      size: MIB,
      tempDir: join(folder, 'missing'),
    });
    await expect(creating).rejects.toMatchObject({ code: 'IO', where: volume.path });
  });

  it('writes, truncates and disposes only once', async () => {
    const copy = await TemporaryCopy.create({ volume, used: [], size: 2 * MIB, tempDir });
    await copy.writeAt(MIB, Buffer.from('marker'));
    expect((await copy.readAt(MIB, 6)).toString()).toBe('marker');
    await copy.truncate(MIB);
    await expect(copy.readAt(MIB, 6)).rejects.toMatchObject({ code: 'IO' });
    const view = await copy.open();
    expect(view.size).toBe(MIB);
    await copy.dispose();
    await copy.dispose();
    expect(await readdir(tempDir)).toEqual([]);
  });
});
