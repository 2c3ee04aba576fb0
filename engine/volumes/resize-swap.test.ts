/**
 * A swap area resized for real: made by mkswap with a label and a UUID, its pages filled with
 * "paged-out memory", then remade at other sizes on a copy and judged by file(1) and blkid.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bash, cachedImage, FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { detectFilesystem } from '../filesystems/detect.js';
import type { DetectedFilesystem } from '../filesystems/types.js';
import { openFileSource } from '../io/file-source.js';
import type { BlockSource } from '../io/source.js';
import type { ByteRange } from '../ranges.js';
import { checkResize, resizeFilesystem } from './resize-filesystem.js';

const MIB = 1024 * 1024;
const UUID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

let image: string;
let volume: BlockSource;
let filesystem: DetectedFilesystem;
let used: ByteRange[];
let hash: string;
let tempDir: string;

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

beforeAll(async () => {
  image = await cachedImage('resize-swap', (path, work) =>
    bash(
      String.raw`
      truncate -s 8M ${path}
      mkswap -L oldswap -U ${UUID} ${path} > /dev/null
      # Memory a running system paged out, after the header page.
      head -c 7M /dev/urandom | dd of=${path} bs=1M seek=1 conv=notrunc status=none`,
      work,
    ),
  );
  hash = await sha256(image);
  volume = await openFileSource(image);
  const detection = (await detectFilesystem(volume))!;
  filesystem = detection.filesystem;
  used = await detection.driver.usedRanges!(volume, filesystem);
  tempDir = await mkdtemp(join(FIXTURE_ROOT, 'resize-swap-'));
});

afterAll(async () => {
  await volume.close();
  await rm(tempDir, { recursive: true, force: true });
  expect(await sha256(image)).toBe(hash);
});

describe('resizing swap', () => {
  it('can shrink to a MiB and grow: mkswap remakes it at any size', async () => {
    const check = await checkResize(filesystem, 4096, volume.size, volume);
    expect(check).toMatchObject({ resizer: 'mkswap', canGrow: true, canShrink: true });
    expect(check.minimumSize).toBe(MIB);
  });

  it.each([
    ['shrinks', 3 * MIB],
    ['grows', 24 * MIB],
  ])('%s, keeping its label and UUID and none of the old pages', async (_, newSize) => {
    const result = await resizeFilesystem({ volume, filesystem, used, newSize, tempDir });
    const [name] = await readdir(tempDir);
    const copy = join(tempDir, name!);
    const pages = newSize / 4096 - 1;
    expect(await bash(`file -s '${copy}'`)).toContain(
      `Linux swap file, 4k page size, little endian, version 1, size ${pages} pages, 0 bad pages, LABEL=oldswap, UUID=${UUID}`,
    );
    expect(await bash(`blkid -p -o export '${copy}'`)).toMatch(
      new RegExp(`LABEL=oldswap\nUUID=${UUID}\nVERSION=1\nTYPE=swap`),
    );
    expect(result.filesystemSize).toBe(newSize);
    expect(result.used).toEqual([{ start: 0, length: 4096 }]);
    // A header page and holes: the old pages were never copied.
    expect(result.tempBytes).toBeLessThanOrEqual(64 * 1024);
    await result.dispose();
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('stops before mkswap when cancelled, leaving nothing behind', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      resizeFilesystem({
        volume,
        filesystem,
        used,
        newSize: 4 * MIB,
        tempDir,
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await readdir(tempDir)).toEqual([]);
  });
});
