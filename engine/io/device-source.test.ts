import { constants } from 'node:fs';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { sh } from '../../test/fixtures/cache.js';
import { randomSfdiskImage } from '../../test/fixtures/tables.js';
import { sfdiskJson } from '../../test/fixtures/truth.js';
import { linuxGeometry } from './device-geometry.js';
import { openDeviceSource } from './device-source.js';
import { readExtents } from '../jobs/read-extents.js';
import { openSource } from './open-source.js';
import type { BlockSource } from './source.js';

/** A GPT disk full of random bytes, so any misplaced read shows. */
const gptDisk = () => randomSfdiskImage('io-device-gpt', 4, 'label: gpt\nstart=2048, size=2048\n');

/** The same on 4096-byte sectors. */
const gpt4kDisk = () =>
  randomSfdiskImage('io-device-gpt', 8, 'label: gpt\nstart=256, size=512\n', 4096);

const attached: string[] = [];
let unavailable: string | undefined;

async function attach(image: string, ...flags: string[]): Promise<string> {
  const device = (await sh('losetup', ['-f', '--show', '--read-only', ...flags, image])).trim();
  attached.push(device);
  return device;
}

/** The open flags of the process's descriptors of `device`, from /proc/self/fdinfo. */
async function openFlags(device: string): Promise<number[]> {
  const flags: number[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target !== device) continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
    flags.push(parseInt(/^flags:\s+(\d+)/m.exec(info)![1]!, 8));
  }
  return flags;
}

/** Whether the process holds `device` open for reading only (O_ACCMODE of its fds is O_RDONLY). */
async function openModes(device: string): Promise<number[]> {
  return (await openFlags(device)).map((flags) => flags & 3);
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

async function expectSameBytes(source: BlockSource, bytes: Buffer, seed: number): Promise<void> {
  expect((await source.read(0, source.size)).equals(bytes)).toBe(true);
  const next = random(seed);
  for (let i = 0; i < 200; i++) {
    const offset = Math.floor(next() * bytes.length);
    const length = Math.floor(next() * Math.min(bytes.length - offset, 300_000));
    expect(
      (await source.read(offset, length)).equals(bytes.subarray(offset, offset + length)),
    ).toBe(true);
  }
}

describe('device source on real loop devices', () => {
  let image: string;
  let image4k: string;
  let loop: string;
  let loop4k: string;
  let partition4k: string;

  beforeAll(async () => {
    image = await gptDisk();
    try {
      loop = await attach(image);
    } catch (error) {
      unavailable = `losetup cannot attach a loop device here (${(error as Error).message.split('\n')[0]})`;
      console.warn(`device-source tests skipped: ${unavailable}`);
      return;
    }
    image4k = await gpt4kDisk();
    loop4k = await attach(image4k, '-b', '4096');
    await sh('partx', ['-a', loop4k]);
    partition4k = `${loop4k}p1`;
  });

  afterAll(async () => {
    for (const device of attached) {
      await sh('partx', ['-d', device]).catch(() => undefined);
      await sh('losetup', ['-d', device]);
    }
  });

  it('reads a 512-byte-sector disk byte for byte, read-only, with the right geometry', async (ctx) => {
    ctx.skip(unavailable !== undefined, unavailable);
    const bytes = await readFile(image);
    const source = await openSource(loop);
    try {
      expect(source).toMatchObject({
        path: loop,
        format: 'device',
        size: bytes.length,
        sectorSize: 512,
      });
      // Read-only, both: the handle for tables and the O_DIRECT one for a copy's chunks.
      expect(await openModes(loop)).toEqual([0, 0]);
      await expectSameBytes(source, bytes, 1);
      await expect(source.read(source.size - 10, 11)).rejects.toMatchObject({
        code: 'SOURCE_TRUNCATED',
        where: loop,
      });
    } finally {
      await source.close();
    }
    expect(await openModes(loop)).toEqual([]);
  });

  it('reads the chunks of a copy past the page cache, byte for byte', async (ctx) => {
    ctx.skip(unavailable !== undefined, unavailable);
    const bytes = await readFile(image);
    const source = await openSource(loop);
    try {
      const copied = Buffer.alloc(bytes.length);
      for await (const extent of readExtents(source, [{ start: 0, length: source.size }])) {
        extent.data.copy(copied, extent.offset);
        extent.release?.();
      }
      expect(copied.equals(bytes)).toBe(true);
      // The O_DIRECT descriptor is still open: no read fell back to the page cache for good.
      const direct = (await openFlags(loop)).filter((flags) => flags & constants.O_DIRECT);
      expect(direct).toHaveLength(1);
    } finally {
      await source.close();
    }
  });

  it('reports 4096-byte sectors from `losetup -b 4096`', async (ctx) => {
    ctx.skip(unavailable !== undefined, unavailable);
    const bytes = await readFile(image4k);
    const source = await openSource(loop4k);
    try {
      expect(source).toMatchObject({ format: 'device', size: bytes.length, sectorSize: 4096 });
      await expectSameBytes(source, bytes, 2);
    } finally {
      await source.close();
    }
  });

  it('takes a partition’s sector size from its disk and its size from sysfs', async (ctx) => {
    ctx.skip(unavailable !== undefined, unavailable);
    const { start, size } = (await sfdiskJson(loop4k)).partitions[0]!;
    const bytes = (await readFile(image4k)).subarray(start * 4096, (start + size) * 4096);
    const noBlockdev = () => Promise.reject(new Error('blockdev must not be needed'));
    const { rdev } = await stat(partition4k, { bigint: true });
    expect(await linuxGeometry(partition4k, rdev, { run: noBlockdev })).toEqual({
      size: size * 4096,
      sectorSize: 4096,
    });
    const source = await openSource(partition4k);
    try {
      expect(source).toMatchObject({ size: size * 4096, sectorSize: 4096 });
      await expectSameBytes(source, bytes, 3);
    } finally {
      await source.close();
    }
  });

  it('asks blockdev when sysfs is out of reach, and gets the same answer', async (ctx) => {
    ctx.skip(unavailable !== undefined, unavailable);
    const { rdev } = await stat(loop4k, { bigint: true });
    const noSysfs = () => Promise.reject(new Error('no sysfs'));
    expect(await linuxGeometry(loop4k, rdev, { readText: noSysfs })).toEqual({
      size: (await stat(image4k)).size,
      sectorSize: 4096,
    });
  });

  it('reads a real device through the whole-sector path macOS and Windows use', async (ctx) => {
    ctx.skip(unavailable !== undefined, unavailable);
    const bytes = await readFile(image4k);
    const source = await openDeviceSource(loop4k, {
      platform: 'darwin',
      geometry: { size: bytes.length, sectorSize: 4096 },
    });
    try {
      await expectSameBytes(source, bytes, 4);
    } finally {
      await source.close();
    }
  });
});

describe('device source refusals', () => {
  it('refuses a character device that is no disk', async () => {
    await expect(openSource('/dev/zero')).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      where: '/dev/zero',
    });
    expect(await openModes('/dev/zero')).toEqual([]);
  });

  it('accepts only \\\\.\\PhysicalDriveN on Windows, before opening anything', async () => {
    const error = await openDeviceSource('/dev/zero', { platform: 'win32' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED' });
  });
});
