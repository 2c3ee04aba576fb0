import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { bash, cachedImage } from '../../test/fixtures/cache.js';
import { openGzipSource } from './gzip-source.js';
import { openSource } from './open-source.js';
import type { BlockSource } from './source.js';

const MiB = 2 ** 20;

/**
 * A GPT disk (sfdisk) of random bytes with zeroed stretches, so it compresses somewhat, and an
 * odd tail, so its size is neither a sector nor a chunk multiple.
 */
const rawDisk = () =>
  cachedImage('io-gzip-raw', (img) =>
    bash(`
      head -c 6M /dev/urandom > '${img}'
      dd if=/dev/zero of='${img}' bs=64K seek=20 count=16 conv=notrunc status=none
      dd if=/dev/zero of='${img}' bs=64K seek=60 count=20 conv=notrunc status=none
      printf 'label: gpt\\nstart=2048, size=8192\\n' | sfdisk -q '${img}'
      head -c 3333 /dev/urandom >> '${img}'
    `),
  );

/** `gzip` as people make dd images: one member. */
const gzipped = (raw: string) =>
  cachedImage(`io-gzip-single-${basename(raw, '.img')}`, (target) =>
    bash(`gzip -c -n '${raw}' > '${target}'`),
  );

/** Several members back to back, one of them empty, as pigz and `cat a.gz b.gz` make. */
const multiMember = (raw: string) =>
  cachedImage(`io-gzip-members-${basename(raw, '.img')}`, (target) =>
    bash(`
      SPLIT=$((2 * 1024 * 1024 + 12345))
      head -c $SPLIT '${raw}' | gzip -c -n > '${target}'
      printf '' | gzip -c -n >> '${target}'
      tail -c +$((SPLIT + 1)) '${raw}' | gzip -1 -c -n >> '${target}'
    `),
  );

/**
 * 4 GiB of zeros between a MiB of the disk's start and a MiB of its end: 4 MiB compressed. Its
 * last member's ISIZE says 1 MiB and, even as one member, ISIZE would wrap at 4 GiB.
 */
const HUGE_ZEROS = 16 * 256 * MiB;
const hugeImage = (raw: string) =>
  cachedImage(`io-gzip-huge-${basename(raw, '.img')}`, (target, work) =>
    bash(`
      head -c 256M /dev/zero | gzip -9 -c -n > '${work}/zeros.gz'
      head -c 1M '${raw}' | gzip -c -n > '${target}'
      for i in $(seq 16); do cat '${work}/zeros.gz' >> '${target}'; done
      tail -c 1M '${raw}' | gzip -c -n >> '${target}'
    `),
  );

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

async function expectRandomReads(source: BlockSource, bytes: Buffer, seed: number, count: number) {
  const next = random(seed);
  for (let i = 0; i < count; i++) {
    const offset = Math.floor(next() * bytes.length);
    const length = Math.floor(next() * Math.min(bytes.length - offset, 1.5 * MiB));
    const data = await source.read(offset, length);
    if (!data.equals(bytes.subarray(offset, offset + length))) {
      throw new Error(`read ${i}: ${length} bytes at ${offset} differ from the uncompressed file`);
    }
  }
}

describe('gzip source', () => {
  let raw: string;
  let bytes: Buffer;
  let scratch: string;

  beforeAll(async () => {
    raw = await rawDisk();
    bytes = await readFile(raw);
    scratch = await mkdtemp(join(tmpdir(), 'ferry-gzip-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it.each([
    ['one member (gzip)', gzipped],
    ['several members (cat of gzip outputs)', multiMember],
  ])('%s: random reads match the uncompressed file byte for byte', async (_name, make) => {
    const image = await make(raw);
    // Little kept in memory, so most reads go through the cursor, forwards and backwards.
    const source = await openGzipSource(image, { keep: MiB, cachedChunks: 2 });
    try {
      expect(source).toMatchObject({
        path: image,
        format: 'gzip',
        size: bytes.length,
        sectorSize: 512,
      });
      expect((await source.read(0, source.size)).equals(bytes)).toBe(true);
      await expectRandomReads(source, bytes, 7, 150);
      const sequential: Buffer[] = [];
      for (let at = 0; at < source.size; at += 65536) {
        sequential.push(await source.read(at, Math.min(65536, source.size - at)));
      }
      expect(Buffer.concat(sequential).equals(bytes)).toBe(true);
    } finally {
      await source.close();
    }
  });

  it('serves concurrent reads correctly', async () => {
    const source = await openGzipSource(await gzipped(raw), { keep: MiB, cachedChunks: 1 });
    try {
      const next = random(11);
      const ranges = Array.from({ length: 40 }, () => {
        const offset = Math.floor(next() * (bytes.length - 100_000));
        return [offset, Math.floor(next() * 100_000)] as const;
      });
      const results = await Promise.all(
        ranges.map(([offset, length]) => source.read(offset, length)),
      );
      ranges.forEach(([offset, length], i) => {
        expect(results[i]!.equals(bytes.subarray(offset, offset + length))).toBe(true);
      });
    } finally {
      await source.close();
    }
  });

  it('is opened by content through openSource, with the default memory budget', async () => {
    const source = await openSource(await multiMember(raw));
    try {
      expect(source.format).toBe('gzip');
      await expectRandomReads(source, bytes, 13, 50);
      await expect(source.read(source.size - 1, 2)).rejects.toMatchObject({
        code: 'SOURCE_TRUNCATED',
      });
    } finally {
      await source.close();
    }
  });

  it.each([
    ['cut in half', (gz: Buffer) => gz.subarray(0, gz.length >> 1)],
    ['cut before its trailer', (gz: Buffer) => gz.subarray(0, gz.length - 4)],
    ['a gzip header and nothing else', () => Buffer.from([0x1f, 0x8b, 0x08])],
    [
      'damaged in the middle',
      (gz: Buffer) => {
        const copy = Buffer.from(gz);
        for (let i = 0; i < 64; i++) copy[(copy.length >> 1) + i]! ^= 0x5a;
        return copy;
      },
    ],
  ])('a gzip file %s is BAD_IMAGE, as `gzip -t` agrees', async (name, damage) => {
    const broken = join(scratch, `${name.replace(/\W+/g, '-')}.img.gz`);
    await writeFile(broken, damage(await readFile(await gzipped(raw))));
    await expect(bash(`gzip -t '${broken}'`)).rejects.toThrow();
    const error = await openSource(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({
      code: 'BAD_IMAGE',
      where: broken,
      hint: expect.stringContaining('gzip -t'),
    });
    expect((error as FerryError).toLine()).not.toContain('\n');
  });

  it('says BAD_IMAGE when the file is replaced by a shorter one after opening', async () => {
    const changing = join(scratch, 'changing.img.gz');
    await writeFile(changing, await readFile(await gzipped(raw)));
    const source = await openGzipSource(changing, { keep: MiB, cachedChunks: 1 });
    try {
      await bash(`head -c 2M '${raw}' | gzip -c > '${changing}'`);
      await expect(source.read(3 * MiB, 4096)).rejects.toMatchObject({
        code: 'BAD_IMAGE',
        where: changing,
      });
    } finally {
      await source.close();
    }
  });

  it('fails reads queued or made after close as IO, not as a bad file', async () => {
    const source = await openGzipSource(await gzipped(raw), { keep: MiB, cachedChunks: 1 });
    const queued = source.read(5 * MiB, 4096).catch((e: unknown) => e);
    await source.close();
    expect(await queued).toMatchObject({ code: 'IO' });
    await expect(source.read(0, 512)).rejects.toMatchObject({ code: 'IO' });
  });

  it('stops with CANCELLED when its signal is aborted', async () => {
    await expect(
      openGzipSource(await gzipped(raw), { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('reads a 4 GiB image in bounded memory and learns its true size', async () => {
    const image = await hugeImage(raw);
    const size = 2 * MiB + HUGE_ZEROS;
    const start = bytes.subarray(0, MiB);
    const end = bytes.subarray(bytes.length - MiB);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(openSource(image, { signal: controller.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });

    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
    const began = Date.now();
    const source = await openSource(image);
    sample();
    try {
      expect(source.size).toBe(size);
      expect(size).toBeGreaterThan(2 ** 32);
      expect((await source.read(0, MiB)).equals(start)).toBe(true);
      expect((await source.read(size - MiB, MiB)).equals(end)).toBe(true);
      const across = await source.read(size - MiB - 4096, 8192);
      expect(across.subarray(0, 4096).equals(Buffer.alloc(4096))).toBe(true);
      expect(across.subarray(4096).equals(end.subarray(0, 4096))).toBe(true);
      sample();
      // Forwards deep into the zeros, then backwards, which starts the stream again.
      for (const at of [2 ** 30, 2 ** 29 + 12345]) {
        expect((await source.read(at, 3 * MiB)).equals(Buffer.alloc(3 * MiB))).toBe(true);
        sample();
      }
      // Closing ends the stream under a read half way through 3 GiB of inflating.
      const waiting = source.read(3 * 2 ** 30, 4096).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await source.close();
      expect(await waiting).toMatchObject({ code: 'IO' });
    } finally {
      await source.close();
    }
    expect(Date.now() - began).toBeLessThan(20_000);
    expect(peak - rssBefore).toBeLessThan(64 * MiB);
  });
});
