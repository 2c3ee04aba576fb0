import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFileSource } from '../io/file-source.js';
import { ChunkDigests, checkChunks, digestChunks } from './verify-chunks.js';

const MiB = 2 ** 20;
const folder = await mkdtemp(join(tmpdir(), 'ferry-verify-'));
afterAll(() => rm(folder, { recursive: true, force: true }));

/** 6 MiB of random bytes with an all-zero MiB at 2 MiB, written to `name`. */
async function diskFile(name: string, change?: (disk: Buffer) => void): Promise<string> {
  const disk = randomBytes(6 * MiB);
  disk.fill(0, 2 * MiB, 3 * MiB);
  change?.(disk);
  const path = join(folder, name);
  await writeFile(path, disk);
  return path;
}

describe('ChunkDigests', () => {
  it('keeps a checksum per chunk however many there are, and matches only the same bytes', () => {
    const digests = new ChunkDigests();
    const chunks = Array.from({ length: 3000 }, (_, i) => Buffer.from(`chunk ${i}`));
    for (const chunk of chunks) digests.add(chunk);
    expect(chunks.every((chunk, i) => digests.matches(i, chunk))).toBe(true);
    expect(digests.matches(7, chunks[8]!)).toBe(false);
    expect(digests.matches(3000, chunks[0]!)).toBe(false);
  });
});

describe('checkChunks', () => {
  const ranges = [
    { start: 512 * 1024, length: 3 * MiB },
    { start: 4 * MiB, length: 2 * MiB },
  ];

  it('passes an identical copy and names the chunk where a zero byte became another', async () => {
    const original = await diskFile('original.img', (disk) => disk.fill(0, 2 * MiB, 3 * MiB));
    const digests = await digestChunks(await openFileSource(original), ranges);

    const same = await openFileSource(original);
    await expect(checkChunks(same, ranges, digests)).resolves.toBeUndefined();
    await same.close();

    // Inside the zero MiB: a writer that dropped the run but left garbage there.
    const bytes = await readFile(original);
    bytes[2 * MiB + 5] = 1;
    const damagedPath = join(folder, 'damaged.img');
    await writeFile(damagedPath, bytes);
    const damaged = await openFileSource(damagedPath);
    await expect(checkChunks(damaged, ranges, digests)).rejects.toMatchObject({
      code: 'VERIFY_MISMATCH',
      message: `differs from what was read in bytes ${2 * MiB}-${3 * MiB - 1} (1 MiB)`,
      where: damagedPath,
    });
    await damaged.close();
  });

  it('counts progress over the ranges and stops at a cancel', async () => {
    const path = await diskFile('cancelled.img');
    const source = await openFileSource(path);
    const done: number[] = [];
    await digestChunks(source, ranges, { onRead: (bytes) => done.push(bytes) });
    expect(done.at(-1)).toBe(5 * MiB);

    const controller = new AbortController();
    controller.abort();
    await expect(digestChunks(source, ranges, { signal: controller.signal })).rejects.toMatchObject(
      { code: 'CANCELLED' },
    );
    await source.close();
  });
});
