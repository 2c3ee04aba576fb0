import { copyFile, mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { bash, cachedImage } from '../../test/fixtures/cache.js';
import { openFileSource } from './file-source.js';

/** A GPT disk (sfdisk) full of random data, with an odd tail so its size is no sector multiple. */
const oddSizedDisk = () =>
  cachedImage('io-odd-sized-disk', (target) =>
    bash(`
      head -c 3M /dev/urandom > '${target}'
      printf 'label: gpt\\nstart=2048, size=2048\\n' | sfdisk -q '${target}'
      head -c 1234 /dev/urandom >> '${target}'
    `),
  );

describe('openFileSource', () => {
  let image: string;
  let bytes: Buffer;
  let scratch: string;

  beforeAll(async () => {
    image = await oddSizedDisk();
    bytes = await readFile(image);
    scratch = await mkdtemp(join(tmpdir(), 'ferry-file-source-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('presents the file as a raw disk of its own size with 512-byte sectors', async () => {
    const source = await openFileSource(image);
    try {
      expect(source).toMatchObject({
        path: image,
        format: 'raw',
        size: bytes.length,
        sectorSize: 512,
      });
      expect((await source.read(0, source.size)).equals(bytes)).toBe(true);
      // sfdisk's own signature where it wrote it: the protective MBR and the GPT header.
      expect((await source.read(510, 2)).toString('hex')).toBe('55aa');
      expect((await source.read(512, 8)).toString('latin1')).toBe('EFI PART');
    } finally {
      await source.close();
    }
  });

  it('reads up to the last byte, however the end falls against sectors', async () => {
    const source = await openFileSource(image, { sectorSize: 4096 });
    try {
      expect(source.sectorSize).toBe(4096);
      const size = source.size;
      expect((await source.read(size - 1234, 1234)).equals(bytes.subarray(size - 1234))).toBe(true);
      expect((await source.read(size - 1, 1)).equals(bytes.subarray(size - 1))).toBe(true);
      expect(await source.read(size, 0)).toHaveLength(0);
    } finally {
      await source.close();
    }
  });

  it("fills a caller's buffer with the same bytes read returns, and checks its range", async () => {
    const source = await openFileSource(image);
    try {
      const target = Buffer.alloc(300_000, 0xee);
      await source.readInto!(source.size - target.length, target);
      expect(target.equals(bytes.subarray(bytes.length - target.length))).toBe(true);
      await expect(source.readInto!(source.size - 10, Buffer.alloc(11))).rejects.toMatchObject({
        code: 'SOURCE_TRUNCATED',
      });
    } finally {
      await source.close();
    }
  });

  it('refuses reads beyond the end or at impossible offsets with SOURCE_TRUNCATED', async () => {
    const source = await openFileSource(image);
    try {
      for (const [offset, length] of [
        [source.size - 100, 101],
        [source.size, 1],
        [-1, 10],
        [0.5, 10],
        [0, -1],
        [Number.MAX_SAFE_INTEGER, 1],
      ] as const) {
        await expect(source.read(offset, length)).rejects.toMatchObject({
          code: 'SOURCE_TRUNCATED',
          where: image,
        });
      }
    } finally {
      await source.close();
    }
  });

  it('says SOURCE_TRUNCATED when the file shrinks under it', async () => {
    const copy = join(scratch, 'shrinking.img');
    await copyFile(image, copy);
    const source = await openFileSource(copy);
    try {
      await truncate(copy, 1024 * 1024 + 100);
      const error = await source.read(1024 * 1024, 4096).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FerryError);
      expect(error).toMatchObject({ code: 'SOURCE_TRUNCATED', where: copy });
      expect((error as FerryError).message).toContain(String(1024 * 1024 + 100));
    } finally {
      await source.close();
    }
  });

  it('says SOURCE_NOT_FOUND for a missing file', async () => {
    await expect(openFileSource(join(scratch, 'nothing.img'))).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
      hint: expect.any(String),
    });
  });
});
