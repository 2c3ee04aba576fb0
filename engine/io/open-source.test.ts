import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { bash, sh } from '../../test/fixtures/cache.js';
import { randomSfdiskImage } from '../../test/fixtures/tables.js';
import { openSource } from './open-source.js';

/** A small MBR disk made by sfdisk. */
const mbrDisk = () =>
  randomSfdiskImage('io-open-mbr', 2, 'label: dos\nstart=2048, size=1024, type=83\n');

describe('openSource', () => {
  let image: string;
  let scratch: string;

  beforeAll(async () => {
    image = await mbrDisk();
    scratch = await mkdtemp(join(tmpdir(), 'ferry-open-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('opens an image by its content, whatever its name says', async () => {
    const gzipNamedImg = join(scratch, 'disk.img');
    const rawNamedGz = join(scratch, 'disk.img.gz');
    await bash(`gzip -c '${image}' > '${gzipNamedImg}'`);
    await copyFile(image, rawNamedGz);
    const bytes = await readFile(image);
    for (const [path, format] of [
      [gzipNamedImg, 'gzip'],
      [rawNamedGz, 'raw'],
    ] as const) {
      const source = await openSource(path);
      try {
        expect(source).toMatchObject({ path, format, size: bytes.length, sectorSize: 512 });
        expect((await source.read(0, source.size)).equals(bytes)).toBe(true);
      } finally {
        await source.close();
      }
    }
  });

  it('opens an empty file as a raw disk of size 0', async () => {
    const empty = join(scratch, 'empty.img');
    await writeFile(empty, '');
    const source = await openSource(empty);
    try {
      expect(source).toMatchObject({ format: 'raw', size: 0 });
    } finally {
      await source.close();
    }
  });

  it.each([
    ['a missing file', 'missing.img'],
    ['a path through a file', 'file/child.img'],
  ])('says SOURCE_NOT_FOUND for %s', async (_what, name) => {
    await writeFile(join(scratch, 'file'), 'x');
    const path = join(scratch, name);
    const error = await openSource(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({
      code: 'SOURCE_NOT_FOUND',
      where: path,
      hint: expect.any(String),
    });
  });

  it('refuses a folder and a named pipe as input errors, without waiting on the pipe', async () => {
    const folder = join(scratch, 'folder');
    const fifo = join(scratch, 'pipe');
    await mkdir(folder);
    await sh('mkfifo', [fifo]);
    for (const path of [folder, fifo]) {
      const error = await openSource(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FerryError);
      expect(error).toMatchObject({ code: 'USAGE', where: path, kind: 'input' });
    }
  });

  it('says CANCELLED for a signal aborted before it starts', async () => {
    await expect(openSource(image, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
  });

  it('says PERMISSION_DENIED, with a hint to run as root, for a file it may not read', async (ctx) => {
    // The suite runs as root, who may read anything: drop to nobody for the effective user id
    // (the saved id stays root, so it can be restored) and try a root-only file.
    ctx.skip(
      typeof process.seteuid !== 'function' || process.geteuid?.() !== 0,
      'needs root and a test process that may change its effective user id',
    );
    const shared = join(scratch, 'shared');
    await mkdir(shared);
    await chmod(scratch, 0o711);
    const secret = join(shared, 'secret.img');
    await copyFile(image, secret);
    await chmod(secret, 0o600);
    const closed = join(scratch, 'closed');
    await mkdir(closed, { mode: 0o700 });
    const inClosedFolder = join(closed, 'disk.img');
    await copyFile(image, inClosedFolder);

    const errors: unknown[] = [];
    process.seteuid!('nobody');
    try {
      for (const path of [secret, inClosedFolder])
        errors.push(await openSource(path).catch((e: unknown) => e));
    } finally {
      process.seteuid!(0);
    }
    for (const error of errors) {
      expect(error).toBeInstanceOf(FerryError);
      expect(error).toMatchObject({
        code: 'PERMISSION_DENIED',
        hint: expect.stringMatching(/root|Administrator/),
      });
    }
  });
});
